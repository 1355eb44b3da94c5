"""The benchmark harness (benchmarks/harness.py, `make bench`) runs with tiny data and one round, so that
neither it nor an operation module in benchmarks/ops/ can rot between benchmark runs."""

from __future__ import annotations

import json

import pytest

from benchmarks import harness


@pytest.mark.django_db
def test_harness_measures_every_operation_at_two_sizes(tmp_path):  # type: ignore[no-untyped-def]
    report = harness.run(sizes=[12, 24], rounds=1, agreements=2, out_dir=tmp_path, echo=lambda line: None)

    modules = harness.discover()
    assert {m.__name__ for m in modules} >= {"benchmarks.ops.projects"}
    assert "/projects/ page 1" in report["operations"]
    for name, by_size in report["operations"].items():
        assert set(by_size) == {"12", "24", "growth"}, name
        for size in ("12", "24"):
            result = by_size[size]
            assert result["median_ms"] > 0 and result["queries"] > 0, name
            assert not result["over_query_limit"], f"{name}: {result['queries']} > {result['query_limit']} queries"
            for ref, values in result["references"].items():
                assert values["median_ms"] > 0 and values["ratio"] > 0, (name, ref)
    saved = json.loads((tmp_path / "latest.json").read_text())
    assert saved["operations"].keys() == report["operations"].keys()
    markdown = (tmp_path / "latest.md").read_text()
    assert all(f"| {name} |" in markdown for name in report["operations"])
    assert report["table"].splitlines()[0].split()[:2] == ["operation", "projects"]


@pytest.mark.django_db
def test_harness_refuses_a_failing_page():  # type: ignore[no-untyped-def]
    from django.http import HttpResponse

    failing = harness.Operation("broken", lambda: HttpResponse(status=500))
    with pytest.raises(AssertionError, match="broken / portal: HTTP 500"):
        harness.measure([failing], rounds=1)

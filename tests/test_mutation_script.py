"""`make mutation`'s test selection (scripts/mutation.py): which tests each module's mutants run against."""

from __future__ import annotations

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _script():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("mutation_script", ROOT / "scripts" / "mutation.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_a_module_is_tested_by_its_own_tests_and_every_test_file_that_imports_it():
    tests = _script()._tests_for(Path("portfolio/money.py"))
    assert {"portfolio/tests/test_money.py", "tests/test_locale_formats.py"} <= set(tests)
    assert not any("browser" in test for test in tests)


def test_a_scope_is_tested_through_the_own_tests_of_the_modules_that_ask_it():
    tests = _script()._tests_for(Path("reporting/querysets.py"))
    assert "reporting/tests/test_permissions.py" in tests  # reporting/permissions.py: from .querysets import …
    governance = _script()._tests_for(Path("governance/querysets.py"))
    assert {"governance/tests/test_querysets.py", "governance/tests/test_permissions.py"} <= set(governance)


def test_a_module_of_a_re_exporting_package_is_found_through_the_package():
    tests = _script()._tests_for(Path("funding/selectors/splits.py"))
    assert "funding/tests/test_split_report.py" in tests  # imports funding.selectors and .splits


def test_the_score_counts_each_status():
    assert _script()._score("a.x__mutmut_1: killed\na.x__mutmut_2: survived\na.x__mutmut_3: no tests\n") == {
        "killed": 1, "survived": 1, "no tests": 1}

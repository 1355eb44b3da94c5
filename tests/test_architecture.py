"""The one-way architecture (docs/architecture.md) in `make test`: the import-linter contracts of
pyproject.toml, run through import-linter's Python API on the import graph of the whole code base
(function-level imports included), the same check as `lint-imports` in CI."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
from importlinter.application.use_cases import _register_built_in_contract_types, create_report, read_user_options
from importlinter.configuration import configure

ROOT = Path(__file__).resolve().parent.parent
LAYERS = ["reporting", "followup", "governance", "funding", "portfolio", "config"]


@pytest.fixture(scope="module")
def report():
    configure()
    _register_built_in_contract_types()  # what the `lint-imports` command does first
    options = read_user_options(str(ROOT / "pyproject.toml"))
    return create_report(options, cache_dir=None)


def _broken(report) -> list[str]:
    return [contract.name for contract, check in report.get_contracts_and_checks() if not check.kept]


def test_every_import_contract_is_kept(report) -> None:
    assert not report.could_not_run
    assert _broken(report) == [], "run `.venv/bin/lint-imports` to see the imports that break them"


def test_the_layers_contract_lists_the_apps_bottom_to_top(report) -> None:
    layers = [contract for contract, _check in report.get_contracts_and_checks()
              if contract.__class__.__name__ == "LayersContract" and not contract.containers]
    assert len(layers) == 1
    assert [next(iter(layer.module_tails)).name for layer in layers[0].layers] == LAYERS


@pytest.mark.parametrize(("importer", "imported"), [
    ("portfolio.models", "funding.selectors"),      # the bottom reaching up
    ("funding.services", "governance.services"),
    ("governance.querysets", "reporting.models"),
    ("config.settings.base", "portfolio.models"),   # settings import no app
    ("portfolio.forms", "funding.models"),            # the former known-debt pairs stay refused
    ("portfolio.api.serializers", "governance.api.serializers"),
    ("funding.selectors.frames", "governance.models"),
    ("governance.services", "followup.models"),
])
def test_an_import_from_a_lower_layer_to_a_higher_one_breaks_the_contract(report, importer, imported
                                                                           ) -> None:
    graph = copy.deepcopy(report.graph)
    graph.add_import(importer=importer, imported=imported, line_number=1, line_contents=f"import {imported}")
    contract = next(contract for contract, _check in report.get_contracts_and_checks()
                    if contract.name.startswith("Apps are layered"))
    assert not contract.check(graph, verbose=False).kept


def test_a_cycle_inside_an_app_breaks_the_contract(report) -> None:
    graph = copy.deepcopy(report.graph)
    graph.add_import(importer="governance.models", imported="governance.views", line_number=1,
                     line_contents="from . import views")
    contract = next(contract for contract, _check in report.get_contracts_and_checks()
                    if contract.name.startswith("No import cycles"))
    assert not contract.check(graph, verbose=False).kept


def test_the_layers_contract_excuses_no_upward_import() -> None:
    """The only exceptions are the URL conf (the composition root) and the tests: no known-debt pairs."""
    import tomllib

    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    layers = next(c for c in config["tool"]["importlinter"]["contracts"] if c["name"].startswith("Apps are layered"))
    assert sorted(layers.get("ignore_imports", [])) == ["*.tests.** -> **", "config.urls -> reporting.views"]


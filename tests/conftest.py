"""Fixtures of the cross-app tests in tests/ (the root conftest.py has the shared ones), and figures CI
shows at the end of the run, gathered from the tests' `record_property` (works under xdist: the properties
travel with each test report to the controller)."""

from __future__ import annotations

from typing import Any

from tests.asof_helpers import asof_history, region  # noqa: F401

_COUNTS: dict[str, int] = {}


def pytest_runtest_logreport(report: Any) -> None:
    if report.when != "call":
        return
    for name, value in getattr(report, "user_properties", []):
        if name in ("access_matrix_cases", "access_matrix_leaks", "fuzz_requests", "fuzz_failures",
                    "object_matrix_cases", "object_matrix_leaks"):
            _COUNTS[name] = _COUNTS.get(name, 0) + int(value)


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if "access_matrix_cases" in _COUNTS:
        terminalreporter.write_line(f"access matrix: {_COUNTS['access_matrix_cases']} cases, "
                                    f"{_COUNTS.get('access_matrix_leaks', 0)} leaks")
    if "fuzz_requests" in _COUNTS:
        terminalreporter.write_line(f"API fuzz: {_COUNTS['fuzz_requests']} generated requests, "
                                    f"{_COUNTS.get('fuzz_failures', 0)} failures")
    if "object_matrix_cases" in _COUNTS:
        terminalreporter.write_line(f"object matrix: {_COUNTS['object_matrix_cases']} cases, "
                                    f"{_COUNTS.get('object_matrix_leaks', 0)} leaks")

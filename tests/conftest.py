"""Fixtures of the cross-app tests in tests/ (the root conftest.py has the shared ones)."""

from tests.asof_helpers import asof_history, region  # noqa: F401

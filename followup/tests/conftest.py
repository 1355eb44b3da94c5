import datetime as dt

import pytest

from tests.factories import ProjectFactory

from .factories import make_contact


@pytest.fixture
def project(agreement):  # type: ignore[no-untyped-def]
    return ProjectFactory(agreement=agreement, start_date=dt.date(2024, 3, 15), end_date=dt.date(2025, 9, 30))


@pytest.fixture
def contact(project):  # type: ignore[no-untyped-def]
    return make_contact(project, username="contact")


@pytest.fixture
def other_project(agreement):  # type: ignore[no-untyped-def]
    return ProjectFactory(agreement=agreement)

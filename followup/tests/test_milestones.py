import datetime as dt

import pytest

from followup.models import Milestone
from followup.models.indicators import late_q
from followup.tests.factories import MilestoneFactory
from tests.factories import ProjectFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def project(agreement):  # type: ignore[no-untyped-def]
    """A running project of the loaded agreement (the catalogue is loaded with it), 2024–2026."""
    return ProjectFactory(agreement=agreement, lead_organisation__municipality="Espoo")

TODAY = dt.date(2025, 7, 1)


@pytest.mark.parametrize(("planned", "actual", "late"), [
    (dt.date(2025, 6, 30), None, True),                 # planned date passed, not reached
    (dt.date(2025, 7, 1), None, False),                 # due today: not late yet
    (dt.date(2025, 8, 1), None, False),                 # upcoming
    (dt.date(2025, 6, 1), dt.date(2025, 6, 15), True),  # reached after the planned date
    (dt.date(2025, 6, 1), dt.date(2025, 6, 1), False),  # reached on time
    (dt.date(2025, 6, 1), dt.date(2025, 5, 20), False),  # reached early
])
def test_milestone_lateness(project, planned, actual, late):
    m = MilestoneFactory(project=project, planned_date=planned, actual_date=actual)
    assert m.is_late_on(TODAY) is late
    assert Milestone.objects.filter(late_q(TODAY)).filter(pk=m.pk).exists() is late

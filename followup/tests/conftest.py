import pytest

from tests.factories import ProjectFactory


@pytest.fixture
def project(agreement):  # type: ignore[no-untyped-def]
    """A running project of the loaded agreement (the catalogue is loaded with it), 2024–2026."""
    return ProjectFactory(agreement=agreement, lead_organisation__municipality="Espoo")

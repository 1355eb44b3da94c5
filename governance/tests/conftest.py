import pytest

from governance.tests.factories import regional_group


@pytest.fixture
def group(agreement):  # type: ignore[no-untyped-def]
    return regional_group(agreement)

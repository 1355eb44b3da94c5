from __future__ import annotations

import pytest
from django.core.management import call_command


@pytest.fixture
def demo(db):  # type: ignore[no-untyped-def]
    """The demo portfolio (`seed_demo`): the HEV agreement, its projects, funding and decisions."""
    from portfolio.data import hev
    from portfolio.models import Agreement

    call_command("seed_demo", verbosity=0)
    return Agreement.objects.get(code=hev.AGREEMENT["code"]) if hasattr(hev, "AGREEMENT") else \
        Agreement.objects.get(code="helsinki-espoo-vantaa-2021-2027")

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


@pytest.fixture
def fast_pdf(monkeypatch):  # type: ignore[no-untyped-def]
    """A stand-in PDF renderer for tests about permissions and job handling (WeasyPrint takes seconds);
    the real PDF is tested in test_compile.py. Deterministic, like the real one."""
    import hashlib
    import json

    from reporting import rendering

    def fake_pdf(snapshot, language):  # type: ignore[no-untyped-def]
        digest = hashlib.sha256(json.dumps(snapshot, sort_keys=True).encode()).hexdigest()
        return f"%PDF-1.7\n% test stand-in {language} {digest}\n%%EOF\n".encode()

    monkeypatch.setitem(rendering.RENDERERS, "pdf", fake_pdf)

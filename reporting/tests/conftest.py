from __future__ import annotations

import pytest

from tests.demo_snapshot import seed_demo_for_test


@pytest.fixture
def demo(db):  # type: ignore[no-untyped-def]
    """The demo portfolio (`seed_demo`): the HEV agreement, its projects, funding and decisions."""
    from portfolio.data import hev
    from portfolio.models import Agreement

    seed_demo_for_test()
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

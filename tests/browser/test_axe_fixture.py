"""The axe fixture fails a page with violations (it asks axe-core for the violations only: this proves the
check still finds them)."""

from __future__ import annotations

from typing import Any

import pytest


def test_the_axe_check_fails_on_a_missing_alt_text_and_low_contrast(page: Any, axe: Any) -> None:
    page.set_content('<html lang="fi"><head><title>Testi</title></head><body><main><h1>Testi</h1>'
                     '<img src="kuva.png"><p style="color:#ccc;background:#fff">Vaalea teksti</p></main></body></html>')
    with pytest.raises(AssertionError) as failure:
        axe(page)
    assert "image-alt" in str(failure.value) and "color-contrast" in str(failure.value)

"""The API's request parsers (a module of its own: DRF resolves DEFAULT_PARSER_CLASSES when rest_framework.views
is imported, so this module must not import it)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, parsers


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser; JSON nested deeper than Python's recursion limit is a parse error (400), not a
    RecursionError (500)."""

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Mapping[str, Any] | None = None) -> Any:
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise exceptions.ParseError(_("JSON parse error - nested too deeply.")) from None

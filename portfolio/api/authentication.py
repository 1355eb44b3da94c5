"""Token authentication of the API: `Authorization: Token <key>` takes a personal token (created by the user on
the token page, stored as a hash, may expire, revocable) or, as before, a token issued in the admin (DRF's
``authtoken``). A revoked, expired or unknown token is 401."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication

from ..services import API_TOKEN_MARKER, ApiTokenRefused, api_token_authenticate


class PortalTokenAuthentication(TokenAuthentication):
    def authenticate_credentials(self, key: str) -> tuple[Any, Any]:
        if not key.startswith(API_TOKEN_MARKER):
            return super().authenticate_credentials(key)  # an admin-issued DRF token
        try:
            token = api_token_authenticate(key=key)
        except ApiTokenRefused as exc:
            if exc.reason == "expired":
                raise exceptions.AuthenticationFailed(_("The token has expired.")) from None
            raise exceptions.AuthenticationFailed(_("Invalid token.")) from None
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        return token.user, token

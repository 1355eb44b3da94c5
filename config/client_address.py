"""The client's address behind a configured number of trusted reverse proxies.

Each proxy appends the address it received the connection from to ``X-Forwarded-For``; the right-most
``TRUSTED_PROXY_COUNT`` entries were written by our proxies, so the client is the entry that many hops from
the right. Anything further left was sent by the client and can be forged. With no trusted proxy (the
default) the header is ignored and the connection's address counts. django-axes uses this through
``AXES_CLIENT_IP_CALLABLE`` (its lock-out is per username + address).
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def _valid(address: str) -> str | None:
    address = address.strip()
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return None


def client_address(request: HttpRequest) -> str | None:
    remote = request.META.get("REMOTE_ADDR")
    count = int(getattr(settings, "TRUSTED_PROXY_COUNT", 0) or 0)
    if count <= 0:
        return remote
    hops = [hop for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
    if len(hops) < count:
        # The request did not pass through every trusted proxy: its header cannot be trusted.
        return remote
    return _valid(hops[-count]) or remote

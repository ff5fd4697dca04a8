"""Web origins (scheme, host, port), so credentials and pagination stay where they were sent.

A credential header goes only to the origin of the URL it was configured for: a redirect to
another origin is followed without it, and a catalog's `links.next` may not leave the catalog's
origin. Hosts compare case-insensitively and a missing port is the scheme's default.
"""

from __future__ import annotations

from urllib.parse import urlsplit

_DEFAULT_PORTS = {"http": 80, "https": 443}


def origin(url: str) -> tuple[str, str, int | None]:
    """(scheme, host, port) of `url`; the port is None for an unknown scheme without one, or an
    invalid port (such a URL then matches no other)."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    try:
        port = parts.port or _DEFAULT_PORTS.get(scheme)
    except ValueError:
        port = None
    return scheme, (parts.hostname or "").lower(), port


def same_origin(url: str, other: str) -> bool:
    first, second = origin(url), origin(other)
    return first == second and first[1] != "" and first[2] is not None


def described(url: str) -> str:
    """The origin as `scheme://host:port`, for messages (no path, query or user info)."""
    scheme, host, port = origin(url)
    return f"{scheme}://{host}:{port}" if port is not None else f"{scheme}://{host}"

"""Who is asking: sessions, the trusted proxy header, roles and CSRF tokens.

A session is a random cookie whose SHA-256 the store keeps; signing in always makes a new one
(no fixation) and logging out deletes it. The reverse-proxy header is honoured only when it is
configured and the TCP peer is one of the configured proxy addresses.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from starlette.requests import Request

from auditor.store import console
from auditor.store.records import EventType
from auditor.store.repository import Store
from auditor.web.auth import new_token, same_token, token_hash

SESSION_COOKIE = "kyojin_session"
LOGIN_COOKIE = "kyojin_login"
"""A pre-login CSRF token (double submit): the login form carries the same value."""
LANG_COOKIE = "kyojin_lang"

ROLE_RANK = {role: index for index, role in enumerate(console.ROLES)}


class Forbidden(Exception):  # noqa: N818 - named after the HTTP answer it becomes
    """The user may not do this (403)."""


class NotSignedIn(Exception):  # noqa: N818
    """No valid session (redirect to the login page)."""


class BadCsrf(Exception):  # noqa: N818
    """The form's CSRF token is missing or wrong (403)."""


@dataclass(frozen=True)
class Viewer:
    """The signed-in user of this request."""

    username: str
    role: str
    csrf_token: str
    new_cookie: str | None = None
    """Set when this request created the session (proxy sign-in): the response sets the cookie."""

    def may(self, role: str) -> bool:
        return ROLE_RANK.get(self.role, -1) >= ROLE_RANK[role]


def trusted_peer(host: str | None, proxies: Sequence[str]) -> bool:
    if not host or not proxies:
        return False
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    for entry in proxies:
        try:
            if address in ipaddress.ip_network(entry, strict=False):
                return True
        except ValueError:
            continue
    return False


def start_session(store: Store, username: str, hours: float) -> tuple[str, str]:
    """A new session (cookie value, CSRF token) for ``username``."""
    cookie, csrf = new_token(), new_token()
    console.create_session(
        store,
        token_hash(cookie),
        username=username,
        csrf_token=csrf,
        expires_at=datetime.now(UTC) + timedelta(hours=hours),
    )
    return cookie, csrf


def _active_user(store: Store, username: str) -> console.WebUser | None:
    found = console.get_user(store, username)
    if found is None or found[0].disabled:
        return None
    return found[0]


def identify(
    request: Request,
    store: Store,
    *,
    proxy_header: str | None,
    trusted_proxies: Sequence[str],
    session_hours: float,
    idle_minutes: float | None = None,
) -> Viewer:
    """The viewer of ``request`` or :class:`NotSignedIn`."""
    cookie = request.cookies.get(SESSION_COOKIE)
    idle = timedelta(minutes=idle_minutes) if idle_minutes else None
    session = console.get_session(store, token_hash(cookie), idle=idle) if cookie else None
    proxied: str | None = None
    if proxy_header and trusted_peer(
        request.client.host if request.client else None, trusted_proxies
    ):
        proxied = (request.headers.get(proxy_header) or "").strip() or None
    if proxied is not None and (session is None or session.username != proxied):
        user = _active_user(store, proxied)
        if user is None:
            raise NotSignedIn
        new_cookie, csrf = start_session(store, user.username, session_hours)
        console.record_web_event(
            store,
            EventType.WEB_SIGNED_IN,
            actor=user.username,
            address=request.client.host if request.client else "-",
            outcome="ok",
            details={"method": "proxy"},
        )
        return Viewer(user.username, user.role, csrf, new_cookie)
    if session is None:
        raise NotSignedIn
    user = _active_user(store, session.username)
    if user is None:
        raise NotSignedIn
    return Viewer(user.username, user.role, session.csrf_token)


def check_csrf(viewer: Viewer, submitted: str | None) -> None:
    if not same_token(viewer.csrf_token, submitted):
        raise BadCsrf


def same_origin(request: Request) -> bool:
    """A form post whose ``Origin`` (when the browser sends one) is this site (defence in
    depth beside the CSRF token and ``SameSite=Strict``)."""
    origin = request.headers.get("origin")
    if origin is None:
        return True
    host = request.headers.get("host", "")
    return origin.split("://", 1)[-1] == host

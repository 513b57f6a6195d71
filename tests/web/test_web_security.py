"""The console's security: sign-in everywhere, roles, CSRF, inert device text, sessions, rate
limit, the reverse-proxy header, headers on every answer and no secret or outside URL rendered."""

from __future__ import annotations

import re

import pytest
from argon2 import PasswordHasher, Type
from starlette.testclient import TestClient

from auditor.store import Store
from auditor.web.app import WebConfig, create_app
from tests.web.city import CSRF, HOSTILE, PASSWORD, fingerprint_of
from tests.web.conftest import Clock, csrf_of, login

PAGES = (
    "/",
    "/findings",
    "/findings?status=active&severity=high",
    f"/findings/{fingerprint_of('HRD-001')}",
    "/devices/core1",
    "/runs",
    "/rules",
    "/findings.csv",
    "/findings.xlsx",
)
ACTIONS = ("ack", "assign", "comment", "due", "progress", "request", "approve")


@pytest.mark.parametrize("path", PAGES)
def test_every_page_requires_sign_in(web: TestClient, path: str) -> None:
    answer = web.get(path)
    assert answer.status_code == 303
    assert answer.headers["location"].startswith("/login?next=")


@pytest.mark.parametrize("action", ACTIONS)
def test_every_action_refuses_an_anonymous_post(web: TestClient, action: str) -> None:
    fingerprint = fingerprint_of("HRD-001")
    answer = web.post(f"/findings/{fingerprint}/{action}", data={"owner": "総務課"})
    assert answer.status_code == 403
    with Store(str(web.app.state.console.config.db_url)) as store:  # type: ignore[attr-defined]
        record, events = store.get_finding(fingerprint)
    assert record.owner is None and record.acknowledged_by is None
    assert {e.event_type.value for e in events} <= {"created", "seen"}


def test_pages_render_once_signed_in_with_strict_headers(web: TestClient) -> None:
    login(web, "viewer1")
    for path in (*PAGES, "/static/style.css", "/login"):
        answer = web.get(path)
        assert answer.status_code == 200, (path, answer.text[:500])
        csp = answer.headers["content-security-policy"]
        assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
        assert "unsafe-inline" not in csp
        assert answer.headers["x-frame-options"] == "DENY"
        assert answer.headers["x-content-type-options"] == "nosniff"
        if answer.headers["content-type"].startswith("text/html"):
            html = answer.text
            assert "<script" not in html.replace("&lt;script", "")
            assert " style=" not in html
            # No outside URL anywhere: every link, form and asset stays on this origin.
            assert not re.search(r"(?:href|src|action)=\"(?:https?:)?//", html), path
            assert "http://" not in html and "https://" not in html, path
            assert "$argon2" not in html


def test_the_session_cookie_is_secure_httponly_and_strict(web: TestClient) -> None:
    page = web.get("/login")
    token = CSRF.search(page.text)
    assert token is not None
    answer = web.post(
        "/login", data={"username": "viewer1", "password": PASSWORD, "csrf": token.group(1)}
    )
    cookie = next(
        v for k, v in answer.headers.multi_items() if k == "set-cookie" and "kyojin_session" in v
    )
    lowered = cookie.lower()
    assert "secure" in lowered and "httponly" in lowered and "samesite=strict" in lowered


def test_a_viewer_cannot_triage(web: TestClient) -> None:
    csrf = login(web, "viewer1")
    fingerprint = fingerprint_of("HRD-001")
    page = web.get(f"/findings/{fingerprint}")
    assert 'action="/findings/' + fingerprint + '/assign"' not in page.text
    for action in ACTIONS:
        answer = web.post(
            f"/findings/{fingerprint}/{action}",
            data={"csrf": csrf, "owner": "総務課", "text": "x", "reason": "r"},
        )
        assert answer.status_code == 403, action
    with Store(web.app.state.console.config.db_url) as store:  # type: ignore[attr-defined]
        record, events = store.get_finding(fingerprint)
    assert record.owner is None
    assert all(e.actor != "viewer1" for e in events)


def test_a_form_without_the_sessions_csrf_token_is_refused(web: TestClient) -> None:
    csrf = login(web, "triager1")
    fingerprint = fingerprint_of("HRD-001")
    url = f"/findings/{fingerprint}/assign"
    assert web.post(url, data={"owner": "総務課"}).status_code == 403
    assert web.post(url, data={"owner": "総務課", "csrf": "forged"}).status_code == 403
    with Store(web.app.state.console.config.db_url) as store:  # type: ignore[attr-defined]
        assert store.get_finding(fingerprint)[0].owner is None
    done = web.post(url, data={"owner": "総務課", "csrf": csrf})
    assert done.status_code == 303
    with Store(web.app.state.console.config.db_url) as store:  # type: ignore[attr-defined]
        assert store.get_finding(fingerprint)[0].owner == "総務課"


def test_a_form_posted_from_another_origin_is_refused(web: TestClient) -> None:
    csrf = login(web, "triager1")
    url = f"/findings/{fingerprint_of('HRD-001')}/comment"
    evil = web.post(
        url, data={"csrf": csrf, "text": "x"}, headers={"Origin": "https://evil.example"}
    )
    assert evil.status_code == 403
    ours = web.post(url, data={"csrf": csrf, "text": "x"}, headers={"Origin": "https://testserver"})
    assert ours.status_code == 303


def test_the_login_form_needs_its_own_token(web: TestClient) -> None:
    answer = web.post("/login", data={"username": "viewer1", "password": PASSWORD})
    assert answer.status_code == 403
    assert "kyojin_session" not in answer.headers.get("set-cookie", "")


def test_hostile_device_text_renders_inert(web: TestClient) -> None:
    login(web, "viewer1")
    pages = [
        web.get(f"/findings/{fingerprint_of('HRD-002')}").text,
        web.get("/devices/core1").text,
        web.get("/findings?q=script").text,
    ]
    for html in pages:
        assert "<script>alert(1)" not in html
        assert "<img src=x" not in html
        assert "\x1b" not in html and "\x07" not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
        assert "\\x1b[31m" in html  # the control character is shown, not sent raw
    assert HOSTILE not in pages[0]


def test_signing_in_makes_a_new_session_and_logout_ends_it(web: TestClient) -> None:
    web.cookies.set("kyojin_session", "attacker-chosen-value", domain="testserver.local")
    csrf = login(web, "triager1")
    session = web.cookies.get("kyojin_session")
    assert session and session != "attacker-chosen-value"
    # Signing in again (another user) replaces the session: the first one no longer works.
    login(web, "viewer1")
    again = web.cookies.get("kyojin_session")
    assert again and again != session
    stale = TestClient(web.app, base_url="https://testserver", follow_redirects=False)
    stale.cookies.set("kyojin_session", session)
    assert stale.get("/runs").status_code == 303
    # Logout needs the CSRF token, then deletes the session on the server.
    csrf = csrf_of(web)
    assert web.post("/logout", data={}).status_code == 303
    assert web.get("/runs").status_code == 200  # no token: still signed in
    assert web.post("/logout", data={"csrf": csrf}).status_code == 303
    replay = TestClient(web.app, base_url="https://testserver", follow_redirects=False)
    replay.cookies.set("kyojin_session", again)
    assert replay.get("/runs").status_code == 303


def _try(client: TestClient, username: str, password: str) -> int:
    page = client.get("/login")
    token = CSRF.search(page.text)
    assert token is not None
    return client.post(
        "/login", data={"username": username, "password": password, "csrf": token.group(1)}
    ).status_code


def test_logins_are_rate_limited_per_user_and_per_address(web: TestClient, clock: Clock) -> None:
    for _ in range(5):
        assert _try(web, "triager1", "wrong password!") == 401
    assert _try(web, "triager1", PASSWORD) == 429  # even the right password waits
    assert _try(web, "viewer1", PASSWORD) == 303  # another user from the same address is fine
    clock.now += 901
    assert _try(web, "triager1", PASSWORD) == 303
    for index in range(20):
        assert _try(web, f"nobody{index}", "wrong password!") == 401
    assert _try(web, "admin1", PASSWORD) == 429  # the address is limited now


def test_production_password_hashes_are_full_cost_argon2id(
    cheap_password_hashing: PasswordHasher,
) -> None:
    """The other tests sign in with the cheapest argon2 parameters; the console's own hasher is
    argon2id at the library's recommended cost, and its hashes verify (wrong passwords do not)."""
    from auditor.web import auth

    real = cheap_password_hashing
    assert (real.time_cost, real.memory_cost, real.parallelism) == (3, 65536, 4)
    assert real.type is Type.ID
    hashed = real.hash(PASSWORD)
    assert hashed.startswith("$argon2id$v=19$m=65536,t=3,p=4$")
    assert auth.verify_password(hashed, PASSWORD)
    assert not auth.verify_password(hashed, "wrong password!")
    assert not auth.verify_password(None, PASSWORD)  # an unknown user: verified against a dummy


def test_a_disabled_user_cannot_sign_in_and_loses_sessions(web: TestClient) -> None:
    from auditor.store import console

    login(web, "triager1")
    with Store(web.app.state.console.config.db_url) as store:  # type: ignore[attr-defined]
        console.update_user(store, "triager1", disabled=True)
    assert web.get("/runs").status_code == 303
    assert _try(web, "triager1", PASSWORD) == 401


def _proxied(url: str, *, header: str | None, proxies: tuple[str, ...], peer: str) -> TestClient:
    app = create_app(
        WebConfig(db_url=url, proxy_user_header=header, trusted_proxies=proxies), Store(url)
    )
    return TestClient(
        app, base_url="https://testserver", follow_redirects=False, client=(peer, 50000)
    )


def test_the_proxy_user_header_counts_only_when_enabled_and_from_a_trusted_proxy(
    city_url: str,
) -> None:
    headers = {"X-Remote-User": "admin1"}
    off = _proxied(city_url, header=None, proxies=("10.0.0.5",), peer="10.0.0.5")
    assert off.get("/runs", headers=headers).status_code == 303
    untrusted = _proxied(city_url, header="X-Remote-User", proxies=("10.0.0.5",), peer="10.9.9.9")
    assert untrusted.get("/runs", headers=headers).status_code == 303
    trusted = _proxied(city_url, header="X-Remote-User", proxies=("10.0.0.0/24",), peer="10.0.0.5")
    answer = trusted.get("/runs", headers=headers)
    assert answer.status_code == 200
    assert "admin1" in answer.text
    assert "kyojin_session" in answer.headers.get("set-cookie", "")
    # A header naming someone else never falls back to the session of the earlier user.
    assert trusted.get("/runs", headers={"X-Remote-User": "mallory"}).status_code == 303
    fresh = _proxied(city_url, header="X-Remote-User", proxies=("10.0.0.0/24",), peer="10.0.0.5")
    assert fresh.get("/runs", headers={"X-Remote-User": "mallory"}).status_code == 303


def test_redirects_after_login_stay_on_this_site(web: TestClient) -> None:
    page = web.get("/login")
    token = CSRF.search(page.text)
    assert token is not None
    answer = web.post(
        "/login",
        data={
            "username": "viewer1",
            "password": PASSWORD,
            "csrf": token.group(1),
            "next": "//evil.example/",
        },
    )
    assert answer.headers["location"] == "/"

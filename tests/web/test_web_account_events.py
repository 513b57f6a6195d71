"""Web sign-ins, sign-outs, failed sign-ins and user management are hash-chained operator
events: who acted, from where, what came of it; never a password or its hash. ``verify`` passes.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from auditor.store import Store, console
from auditor.store.records import EventRecord
from auditor.web.app import WebConfig, create_app
from tests.cli_tree import CliRunner, build_app
from tests.web.city import CSRF, PASSWORD
from tests.web.conftest import login

SECRET = "a long enough passphrase"


def _events(url: str) -> list[EventRecord]:
    with Store(url) as store:
        return store.list_events(fingerprints=[console.WEB_SUBJECT])


def _no_secret(events: list[EventRecord], *secrets: str) -> None:
    text = json.dumps([dict(e.payload) for e in events], ensure_ascii=False)
    text += " ".join(e.actor for e in events)
    for secret in secrets:
        assert secret not in text
    assert "$argon2" not in text


def _try(client: TestClient, username: str, password: str) -> int:
    token = CSRF.search(client.get("/login").text)
    assert token is not None
    answer = client.post(
        "/login", data={"username": username, "password": password, "csrf": token.group(1)}
    )
    return answer.status_code


def test_sign_ins_sign_outs_and_failures_are_chained(web: TestClient, city_url: str) -> None:
    before = len(_events(city_url))
    assert _try(web, "triager1", "wrong password of some length") == 401
    assert _try(web, "nobody", "whatever it is") == 401
    csrf = login(web, "triager1")
    assert web.post("/logout", data={"csrf": csrf}).status_code == 303
    events = _events(city_url)[before:]
    seen = [
        (e.event_type.value, e.actor, e.payload["outcome"], e.payload["address"]) for e in events
    ]
    assert seen == [
        ("web_sign_in_failed", "triager1", "bad-password", "testclient"),
        ("web_sign_in_failed", "nobody", "unknown-user", "testclient"),
        ("web_signed_in", "triager1", "ok", "testclient"),
        ("web_signed_out", "triager1", "ok", "testclient"),
    ]
    assert events[2].payload["method"] == "password"
    _no_secret(events, PASSWORD, "wrong password of some length", "whatever it is")
    with Store(city_url) as store:
        result = store.verify()
        assert result.ok, result
    verify = CliRunner().invoke(build_app("en"), ["verify", "--db", city_url])
    assert verify.exit_code == 0, verify.output


def test_a_proxy_sign_in_is_chained_once_per_session(city_url: str) -> None:
    store = Store(city_url)
    app = create_app(
        WebConfig(
            db_url=city_url, proxy_user_header="X-Remote-User", trusted_proxies=("10.0.0.5",)
        ),
        store,
    )
    client = TestClient(
        app, base_url="https://testserver", follow_redirects=False, client=("10.0.0.5", 50000)
    )
    before = len(_events(city_url))
    assert client.get("/runs", headers={"X-Remote-User": "admin1"}).status_code == 200
    assert client.get("/rules", headers={"X-Remote-User": "admin1"}).status_code == 200
    events = _events(city_url)[before:]
    assert [(e.event_type.value, e.actor, e.payload["method"]) for e in events] == [
        ("web_signed_in", "admin1", "proxy")
    ]
    assert events[0].payload["address"] == "10.0.0.5"
    store.close()


def test_user_management_from_the_cli_is_chained_with_the_operator(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SUDO_USER", "admin-ito")
    url = f"sqlite:///{tmp_path / 'auditor.db'}"
    app = build_app("en")
    runner = CliRunner()
    steps = [
        (["web", "user", "add", "sato", "--role", "triager", "--password-stdin"], SECRET),
        (["web", "user", "passwd", "sato", "--password-stdin"], "another long secret"),
        (["web", "user", "passwd", "sato", "--password-stdin", "--role", "approver"], SECRET),
        (["web", "user", "disable", "sato"], None),
    ]
    for args, secret in steps:
        answer = runner.invoke(app, [*args, "--db", url], input=f"{secret}\n" if secret else None)
        assert answer.exit_code == 0, answer.output
    events = _events(url)
    assert [(e.event_type.value, e.actor) for e in events] == [
        ("web_user_changed", "admin-ito")
    ] * 4
    assert [e.payload["action"] for e in events] == ["add", "passwd", "passwd+role", "disable"]
    assert [e.payload["role"] for e in events] == ["triager", "triager", "approver", "approver"]
    assert all(e.payload["user"] == "sato" for e in events)
    _no_secret(events, SECRET, "another long secret")
    # A wide terminal: the table keeps one line per event whatever the worker's width.
    log = runner.invoke(app, ["web", "user", "log", "--db", url], env={"COLUMNS": "250"})
    assert log.exit_code == 0, log.output
    assert log.output.count("web_user_changed") == 4 and "admin-ito" in log.output
    verify = runner.invoke(app, ["verify", "--db", url])
    assert verify.exit_code == 0, verify.output


def test_a_hostile_user_name_is_shown_inert_by_the_log(web: TestClient, city_url: str) -> None:
    assert _try(web, "[red]x[/red]\x1b[2J", "nothing of use here") == 401
    log = CliRunner().invoke(
        build_app("en"), ["web", "user", "log", "--db", city_url], env={"COLUMNS": "250"}
    )
    assert log.exit_code == 0, log.output
    assert "[red]x[/red]\\x1b[2J" in log.output and "\x1b[2J" not in log.output

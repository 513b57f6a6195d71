"""The overview never reads the report's data in a request: the first view after start says it
is being prepared (and reloads itself) until the background read ends; later views show the
last copy, marked stale, while the next one is read."""

from __future__ import annotations

import threading

from starlette.testclient import TestClient

from auditor.report.model import ReportData
from auditor.store import Store
from auditor.web.app import WebConfig, create_app
from auditor.web.pages import PageData
from tests.web.city import fingerprint_of
from tests.web.conftest import login

GUARD = 120.0
"""Only a bound on a hung test; nothing waits for time to pass."""


class Gate:
    """Holds the background read of the overview until the test opens it."""

    def __init__(self, data: PageData) -> None:
        self.read = data._read_report
        self.open = threading.Event()
        self.entered = threading.Event()
        self.reads = 0

    def __call__(self) -> ReportData:
        self.reads += 1
        self.entered.set()
        assert self.open.wait(GUARD)
        return self.read()


def test_the_first_view_says_the_overview_is_being_prepared(city_url: str) -> None:
    store = Store(city_url)
    app = create_app(WebConfig(db_url=city_url, overview_wait=0.0), store)
    data: PageData = app.state.console.data
    gate = Gate(data)
    data._read_report = gate  # type: ignore[method-assign]
    client = TestClient(app, base_url="https://testserver", follow_redirects=False)
    login(client, "viewer1")
    data.warm()  # as ``auditor web`` does at start
    assert gate.entered.wait(GUARD)
    first = client.get("/")
    assert first.status_code == 200
    assert 'id="overview-preparing"' in first.text and "概要を準備しています" in first.text
    assert '<meta http-equiv="refresh" content="10">' in first.text
    assert 'class="matrix"' not in first.text
    assert client.get("/findings").status_code == 200  # the list does not wait for it
    client.get("/lang/en?next=/")
    assert "The overview is being prepared" in client.get("/").text
    assert gate.reads == 1  # the views started no read of their own
    gate.open.set()
    assert data._done.wait(GUARD)
    ready = client.get("/")
    assert 'class="matrix"' in ready.text and "overview-preparing" not in ready.text
    assert "overview-stale" not in ready.text
    store.close()


def test_after_a_triage_the_last_copy_is_shown_while_the_next_is_read(city_url: str) -> None:
    store = Store(city_url)
    app = create_app(WebConfig(db_url=city_url, overview_wait=0.0), store)
    data: PageData = app.state.console.data
    client = TestClient(app, base_url="https://testserver", follow_redirects=False)
    csrf = login(client, "triager1")
    data.warm()
    assert data._done.wait(GUARD)
    assert "overview-stale" not in client.get("/").text
    gate = Gate(data)
    data._read_report = gate  # type: ignore[method-assign]
    answer = client.post(
        f"/findings/{fingerprint_of('HRD-001')}/comment", data={"csrf": csrf, "text": "確認中"}
    )
    assert answer.status_code == 303
    stale = client.get("/")
    assert 'id="overview-stale"' in stale.text and 'class="matrix"' in stale.text
    assert gate.entered.wait(GUARD)
    client.get("/")
    assert gate.reads == 1
    gate.open.set()
    assert data._done.wait(GUARD)
    assert "overview-stale" not in client.get("/").text
    store.close()


def test_sign_ins_do_not_make_the_overview_read_again(city_url: str) -> None:
    """Account events move the chain head but change no finding: the cached copy stays."""
    store = Store(city_url)
    app = create_app(WebConfig(db_url=city_url, overview_wait=0.0), store)
    data: PageData = app.state.console.data
    client = TestClient(app, base_url="https://testserver", follow_redirects=False)
    login(client, "viewer1")
    data.warm()
    assert data._done.wait(GUARD)
    gate = Gate(data)
    data._read_report = gate  # type: ignore[method-assign]
    other = TestClient(app, base_url="https://testserver", follow_redirects=False)
    csrf = login(other, "triager1")
    other.post("/logout", data={"csrf": csrf})
    page = client.get("/")
    assert 'class="matrix"' in page.text and "overview-stale" not in page.text
    assert gate.reads == 0
    store.close()

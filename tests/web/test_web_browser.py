"""The console in Debian's Chromium, driven over DevTools against a real ``auditor web`` process.

Log in, open a finding from a matrix cell, filter, assign, comment, request a suppression and
approve it as a second user. Every request must stay on the console's origin and the console
must log no error. Screenshots go to ``test-artifacts/web/``. Every wait ends on an event
(the server's readiness line, a page's load event), never on a sleep.
"""

from __future__ import annotations

import base64
import json
import os
import queue
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from auditor.store import FindingStatus, Store
from auditor.web.server import READY_PREFIX
from tests.report.chromium import (
    SCREENSHOT,
    STEP_TIMEOUT,
    Chromium,
    _Session,
    chromium_binary,
)
from tests.web.city import PASSWORD, fingerprint_of

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(chromium_binary() is None, reason="chromium is not installed"),
]

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "web"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def server(tmp_path: Path, city_url: str, chromium_browser: Chromium) -> Iterator[tuple[str, str]]:
    """``auditor web`` on a free port over a copy of the web city (tests/web/conftest.py, built
    once per process); yields (origin, database URL) once it listens.

    Chromium starts (if this process has none yet) while the server starts."""
    url = city_url
    port = _free_port()
    env = dict(os.environ, AUDITOR_CONFIG=str(tmp_path / "none.toml"), LANG="ja_JP.UTF-8")
    process = subprocess.Popen(
        [
            str(Path(sys.executable).with_name("auditor")),
            "web",
            "--db",
            url,
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    lines: queue.Queue[str] = queue.Queue()

    def read() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            lines.put(line)

    threading.Thread(target=read, daemon=True).start()
    try:
        chromium_browser.start()
        while True:
            try:
                line = lines.get(timeout=STEP_TIMEOUT)
            except queue.Empty:
                raise RuntimeError("auditor web did not report that it listens") from None
            if line.startswith(READY_PREFIX):
                break
        yield f"http://127.0.0.1:{port}", url
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


class Browser:
    """One page over DevTools: navigate, act with a form submit, read values, take pictures."""

    def __init__(self, session: _Session, origin: str) -> None:
        self.session = session
        self.origin = origin
        self.log: list[dict[str, Any]] = []

    def _loaded(self) -> None:
        # What the page sends after its load event (the favicon) is read by the next step.
        self.session.wait_for("Page.loadEventFired")
        self.log.extend(self.session.events)
        self.session.events = []

    def go(self, path: str) -> None:
        self.log.extend(self.session.events)
        self.session.events = []
        self.session.call("Page.navigate", url=self.origin + path)
        self._loaded()

    def submit(self, script: str) -> None:
        """Run ``script`` (which clicks a button or link) and wait for the next page."""
        self.log.extend(self.session.events)
        self.session.events = []
        self.session.call("Runtime.evaluate", expression=script)
        self._loaded()

    def value(self, expression: str) -> Any:
        reply = self.session.call("Runtime.evaluate", expression=expression, returnByValue=True)
        return reply.get("result", {}).get("value")

    def click_at(self, selector: str) -> None:
        """A real mouse click in the middle of the element (the matrix cells are SVG links)."""
        box = self.value(
            f"(() => {{ const e = document.querySelector({json.dumps(selector)});"
            " e.scrollIntoView({block: 'center'}); const r = e.getBoundingClientRect();"
            " return [r.x + r.width / 2, r.y + r.height / 2]; })()"
        )
        assert box, selector
        self.log.extend(self.session.events)
        self.session.events = []
        for kind in ("mousePressed", "mouseReleased"):
            self.session.call(
                "Input.dispatchMouseEvent",
                type=kind,
                x=box[0],
                y=box[1],
                button="left",
                clickCount=1,
            )
        self._loaded()

    def fill(self, values: dict[str, str]) -> str:
        return "".join(
            f"document.getElementById({json.dumps(k)}).value = {json.dumps(v)};"
            for k, v in values.items()
        )

    def shot(self, name: str) -> None:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        picture = self.session.call("Page.captureScreenshot", **SCREENSHOT)
        (ARTIFACTS / f"{name}.png").write_bytes(base64.b64decode(picture["data"]))

    def login(self, user: str) -> None:
        self.go("/login")
        self.submit(
            self.fill({"username": user, "password": PASSWORD})
            + "document.getElementById('login').click();"
        )
        assert self.value("location.pathname") == "/", self.value("document.body.innerText")

    def leave(self) -> None:
        """Leave the last page (see ``_Session.leave_page``): afterwards the log is complete."""
        self.session.leave_page()
        self.log.extend(self.session.events)
        self.session.events = []

    def requests(self) -> list[str]:
        self.log.extend(self.session.events)
        self.session.events = []
        return [
            e["params"]["request"]["url"]
            for e in self.log
            if e.get("method") == "Network.requestWillBeSent"
        ]

    def errors(self) -> list[str]:
        found = []
        for event in self.log:
            method, params = event.get("method"), event.get("params", {})
            if method == "Runtime.consoleAPICalled" and params.get("type") in {"error", "assert"}:
                found.append(json.dumps(params.get("args"))[:300])
            elif method == "Runtime.exceptionThrown":
                found.append(json.dumps(params.get("exceptionDetails"))[:300])
            elif method == "Log.entryAdded" and params["entry"].get("level") == "error":
                found.append(params["entry"].get("text", "")[:300])
        return found


def test_triage_in_a_real_browser(server: tuple[str, str], chromium_browser: Chromium) -> None:
    origin, url = server
    egress = fingerprint_of("SEG-005")
    with chromium_browser.page() as socket_url:
        session = _Session(socket_url)
        try:
            for domain in ("Page", "Network", "Runtime", "Log"):
                session.call(f"{domain}.enable")
            session.call(
                "Emulation.setDeviceMetricsOverride",
                width=1280,
                height=900,
                deviceScaleFactor=1,
                mobile=False,
            )
            browser = Browser(session, origin)
            browser.go("/")
            assert browser.value("location.pathname") == "/login"
            browser.shot("01-login")
            browser.login("triager1")
            # Until the overview's first background read ends it says it is being prepared.
            for _ in range(40):
                if browser.value("document.querySelector('svg.matrix') !== null"):
                    break
                assert browser.value("document.getElementById('overview-preparing') !== null")
                browser.go("/")
            browser.shot("02-overview")
            browser.value("document.querySelector('svg.matrix').scrollIntoView({block: 'center'})")
            browser.shot("02b-matrix")
            count = browser.value(
                "document.querySelector('a.cell[data-pair=\"internet->lgwan\"]').dataset.count"
            )

            # A matrix cell leads to the findings behind it, and on to one finding.
            browser.click_at('a.cell[data-pair="internet->lgwan"]')
            assert browser.value("location.search") == "?status=active&pair=internet-%3Elgwan"
            links = browser.value(
                "[...document.querySelectorAll('a.finding-link')].map(a => a.textContent)"
            )
            assert links == ["rule#12 internet->lgwan"] and count == "1"
            browser.shot("03-matrix-cell")
            browser.submit("document.querySelector('a.finding-link').click();")
            assert browser.value("location.pathname") == f"/findings/{egress}"
            browser.shot("04-finding")

            # Filter the list with the form (no script on the page: a GET form).
            browser.go("/findings")
            browser.submit(
                "document.getElementById('f-severity').value = 'critical';"
                "document.getElementById('apply').click();"
            )
            assert "severity=critical" in browser.value("location.search")
            shown = browser.value("document.querySelectorAll('a.finding-link').length")
            assert shown == 2
            browser.shot("05-filtered")

            # Assign, comment and request a suppression.
            browser.go(f"/findings/{egress}")
            browser.submit(
                browser.fill({"owner-input": "情報政策課"})
                + "document.getElementById('assign').click();"
            )
            assert browser.value("document.getElementById('owner').textContent") == "情報政策課"
            browser.submit(
                browser.fill({"comment-text": "ファイアウォール更新時に削除予定"})
                + "document.getElementById('comment').click();"
            )
            assert "ファイアウォール更新時に削除予定" in browser.value(
                "document.getElementById('comments').innerText"
            )
            browser.submit(
                browser.fill(
                    {
                        "req-reason": "更新まで暫定運用",
                        "req-approver": "CISO",
                        "req-number": "R8-情-0123",
                        "req-expires": "2027-03-31",
                    }
                )
                + "document.getElementById('request').click();"
            )
            assert browser.value("document.getElementById('pending') !== null")
            assert browser.value("document.getElementById('approve') === null")
            browser.shot("06-requested")
            browser.submit("document.getElementById('logout').click();")
            assert browser.value("location.pathname") == "/login"

            # A second user with the approver role approves it.
            browser.login("approver1")
            browser.go(f"/findings/{egress}")
            browser.submit("document.getElementById('approve').click();")
            assert browser.value("document.getElementById('suppression') !== null")
            browser.shot("07-approved")
            browser.go("/lang/en?next=/findings/" + egress)
            assert "Approval number" in browser.value("document.body.innerText")
            browser.shot("08-english")

            browser.leave()
            requests = browser.requests()
            errors = browser.errors()
        finally:
            session.ws.close()
    assert requests, "no request was recorded"
    # data: URLs are Chromium's own icons inside the date inputs: nothing leaves the machine.
    outside = [r for r in requests if not r.startswith((origin + "/", "data:"))]
    assert outside == []
    assert errors == []
    with Store(url) as store:
        record, events = store.get_finding(egress)
        assert record.status is FindingStatus.SUPPRESSED and record.owner == "情報政策課"
        assert events[-1].actor == "approver1"
        assert store.verify().ok

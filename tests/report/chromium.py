"""Headless Chromium driven over the DevTools protocol: what a page requests, logs and draws."""

from __future__ import annotations

import base64
import json
import queue
import shutil
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.markers import require

# Generous: on a loaded machine (2 cores, other suites running) Chromium can take tens of seconds
# to start, load a page or draw a screenshot. Every wait ends on an event, never on a sleep.
STEP_TIMEOUT = 120.0

FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--disable-default-apps",
    "--hide-scrollbars",
    "--remote-allow-origins=*",
)


def chromium_binary() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


SCREENSHOT = {"format": "png", "optimizeForSpeed": True}
"""Screenshot parameters: the same pixels, with zlib's fast setting (half the CPU, a fifth more
bytes); the pictures are artifacts for people, not compared byte for byte."""

FIRST_SCREEN = (1280, 800)
"""The viewport of every visit: a common office laptop screen."""


@dataclass
class PageVisit:
    requests: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    values: dict[str, Any] = field(default_factory=dict)
    screenshot: bytes = b""
    first_screen: bytes = b""
    """What a reader sees before scrolling: the viewport (``FIRST_SCREEN``) only."""


class _Session:
    def __init__(self, url: str) -> None:
        import websocket  # here: tests/conftest.py imports this module for its fixture

        self.ws = websocket.create_connection(url, timeout=STEP_TIMEOUT)
        self.next_id = 0
        self.events: list[dict[str, Any]] = []

    def call(self, method: str, **params: Any) -> dict[str, Any]:
        self.next_id += 1
        wanted = self.next_id
        self.ws.send(json.dumps({"id": wanted, "method": method, "params": params}))
        # wait_for() leaves a shorter timeout behind; a call waits for its reply as long as it takes
        self.ws.settimeout(STEP_TIMEOUT)
        while True:
            message = json.loads(self.ws.recv())
            if message.get("id") == wanted:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return dict(message.get("result", {}))
            self.events.append(message)

    def wait_for(self, event: str, timeout: float = STEP_TIMEOUT, since: int = 0) -> None:
        """Read events until ``event`` is among ``self.events[since:]``."""
        deadline = time.monotonic() + timeout
        while not any(e.get("method") == event for e in self.events[since:]):
            if time.monotonic() > deadline:
                raise TimeoutError(event)
            self.ws.settimeout(max(0.1, deadline - time.monotonic()))
            self.events.append(json.loads(self.ws.recv()))

    def leave_page(self) -> None:
        """Replace the page with ``about:blank`` and wait for that load event.

        Events stay queued on the socket until read, so nothing a page sends is lost between
        steps; only the last page could still request or log something (the favicon is fetched
        after the load event). Once its document is replaced it can send nothing more, and what
        it sent precedes about:blank's load event (which itself requests and logs nothing). An
        event, not a quiet period: a fixed wait either costs time or misses a slow page.
        """
        mark = len(self.events)
        self.call("Page.navigate", url="about:blank")
        self.wait_for("Page.loadEventFired", since=mark)


class Chromium:
    """One headless Chromium per test process, started on first use; each test gets its own
    browser context (its own cookies, storage and cache, like a fresh profile) and page.

    A test that needs Chromium asks for the ``chromium_browser`` fixture; a test that skips
    before opening a page starts nothing.
    """

    def __init__(self, profile: Path) -> None:
        self.profile = profile
        self.process: subprocess.Popen[str] | None = None
        self.browser: _Session | None = None
        self.port = 0

    def start(self) -> _Session:
        """Start Chromium on a free loopback port (port 0) unless it runs; its browser session.

        :meth:`page` calls it; a test may call it earlier, e.g. while its server starts."""
        require("browser", "Chromium")
        if self.process is not None and self.process.poll() is None and self.browser is not None:
            return self.browser
        self.stop()  # a Chromium that died under an earlier test is replaced, not reused
        binary = chromium_binary()
        assert binary is not None
        process = subprocess.Popen(
            [
                binary,
                *FLAGS,
                f"--user-data-dir={self.profile}",
                "--remote-debugging-port=0",
                "--remote-debugging-address=127.0.0.1",
                "--window-size=1280,2000",
                "about:blank",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.process = process
        lines: queue.Queue[str | None] = queue.Queue()

        def read() -> None:  # keeps reading so Chromium never blocks on a full pipe
            assert process.stderr is not None
            for line in process.stderr:
                lines.put(line)
            lines.put(None)

        threading.Thread(target=read, daemon=True).start()
        while True:  # readiness: the line Chromium prints once its DevTools socket listens
            try:
                line = lines.get(timeout=STEP_TIMEOUT)
            except queue.Empty:
                raise RuntimeError("chromium did not open its DevTools port") from None
            if line is None:
                raise RuntimeError("chromium exited before opening its DevTools port")
            if line.startswith("DevTools listening on "):
                url = line.removeprefix("DevTools listening on ").strip()
                break
        self.port = int(url.split(":")[2].split("/")[0])
        self.browser = _Session(url)
        return self.browser

    @contextmanager
    def page(self) -> Iterator[str]:
        """A new browser context with one page; yields the page's DevTools socket URL."""
        browser = self.start()
        context = browser.call("Target.createBrowserContext")["browserContextId"]
        try:
            target = browser.call(
                "Target.createTarget",
                url="about:blank",
                browserContextId=context,
                width=1280,
                height=2000,
            )["targetId"]
            yield f"ws://127.0.0.1:{self.port}/devtools/page/{target}"
        finally:
            browser.call("Target.disposeBrowserContext", browserContextId=context)
            browser.events.clear()  # target events of this test; nothing reads them

    def stop(self) -> None:
        if self.browser is not None:
            self.browser.ws.close()
            self.browser = None
        process, self.process = self.process, None
        if process is None:
            return
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="session")
def chromium_browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Chromium]:
    """The test process's Chromium (see :class:`Chromium`); stopped when the session ends."""
    browser = Chromium(tmp_path_factory.mktemp("chromium") / "profile")
    try:
        yield browser
    finally:
        browser.stop()


def visit(page_file: Path, browser: Chromium, expressions: dict[str, str]) -> PageVisit:
    """Open ``page_file``; record every request and console error, evaluate, screenshot."""
    result = PageVisit()
    with browser.page() as socket_url:
        session = _Session(socket_url)
        try:
            for domain in ("Page", "Network", "Runtime", "Log"):
                session.call(f"{domain}.enable")
            width, height = FIRST_SCREEN
            session.call(
                "Emulation.setDeviceMetricsOverride",
                width=width,
                height=height,
                deviceScaleFactor=1,
                mobile=False,
            )
            mark = len(session.events)
            session.call("Page.navigate", url=page_file.resolve().as_uri())
            session.wait_for("Page.loadEventFired", since=mark)
            for name, expression in expressions.items():
                reply = session.call("Runtime.evaluate", expression=expression, returnByValue=True)
                result.values[name] = reply.get("result", {}).get("value")
            first = session.call("Page.captureScreenshot", **SCREENSHOT)
            result.first_screen = base64.b64decode(first["data"])
            metrics = session.call("Page.getLayoutMetrics")
            size = metrics.get("cssContentSize") or metrics["contentSize"]
            shot = session.call(
                "Page.captureScreenshot",
                **SCREENSHOT,
                captureBeyondViewport=True,
                clip={
                    "x": 0,
                    "y": 0,
                    "width": 1280,
                    "height": min(size["height"], 4000),
                    "scale": 1,
                },
            )
            result.screenshot = base64.b64decode(shot["data"])
            session.leave_page()
        finally:
            session.ws.close()
    for event in session.events:
        method = event.get("method")
        params = event.get("params", {})
        if method == "Network.requestWillBeSent":
            result.requests.append(params["request"]["url"])
        elif method == "Runtime.consoleAPICalled" and params.get("type") in {"error", "assert"}:
            result.console_errors.append(json.dumps(params.get("args"))[:300])
        elif method == "Runtime.exceptionThrown":
            result.console_errors.append(json.dumps(params.get("exceptionDetails"))[:300])
        elif method == "Log.entryAdded" and params["entry"].get("level") == "error":
            result.console_errors.append(params["entry"].get("text", "")[:300])
    return result

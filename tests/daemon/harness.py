"""Run the real daemon as a subprocess and watch its stderr and sd_notify datagrams."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path


class DaemonProcess:
    """``python -m auditor daemon`` with its own state dir, config and notify socket."""

    def __init__(self, env: dict[str, str], *, args: tuple[str, ...] = ()) -> None:
        self.lines: list[str] = []
        self.notifications: list[str] = []
        self._socket: socket.socket | None = None
        notify_path = env.get("NOTIFY_SOCKET")
        if notify_path:
            self._socket = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
            self._socket.bind(notify_path)
            self._socket.settimeout(0.2)
            threading.Thread(target=self._read_notifications, daemon=True).start()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "auditor", "daemon", *args],
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        self._stderr_reader = threading.Thread(target=self._read_stderr, daemon=True)
        self._stderr_reader.start()

    def _read_stderr(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            self.lines.append(line.rstrip("\n"))

    def _read_notifications(self) -> None:
        assert self._socket is not None
        while True:
            try:
                data = self._socket.recv(4096)
            except TimeoutError:
                if self.process.poll() is not None:
                    return
                continue
            except OSError:
                return
            self.notifications.extend(data.decode().splitlines())

    def wait_for(self, predicate: Callable[[], bool], timeout: float = 60.0) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if predicate():
                return True
            if self.process.poll() is not None and not predicate():
                return predicate()
            time.sleep(0.02)
        return predicate()

    def saw(self, text: str) -> bool:
        return any(text in line for line in self.lines)

    def signal(self, signum: int) -> None:
        self.process.send_signal(signum)

    def stop(self, timeout: float = 60.0) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout=timeout)
        finally:
            if self.process.poll() is None:
                self.process.kill()
                self.process.wait()
            self._stderr_reader.join(timeout=10)  # every line the process wrote is in ``lines``
            if self._socket is not None:
                self._socket.close()

    def output(self) -> str:
        return "\n".join(self.lines)


def daemon_env(tmp_path: Path, policy: Path, inventory: Path, **extra: str) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("AUDITOR_", "NOTIFY_SOCKET", "WATCHDOG_"))
    }
    env.update(
        {
            "AUDITOR_CONFIG": str(tmp_path / "auditor.toml"),
            "AUDITOR_POLICY": str(policy),
            "AUDITOR_INVENTORY": str(inventory),
            "AUDITOR_STATE_DIR": str(tmp_path / "state"),
            "AUDITOR_JITTER_SECONDS": "0",
            "AUDITOR_STORE_RETRY_SECONDS": "0.5",
            "PYTHONUNBUFFERED": "1",
        }
    )
    env.update(extra)
    return env


def store_at_head(tmp_path: Path) -> Path:
    """Create the daemon's database (``state/auditor.db`` under ``tmp_path``) at the newest
    schema before it starts, as a daemon finds it on every start but the first.

    Here it is a copy of the test process's migrated template (tests/storefiles.py); a daemon
    creating its database from nothing migrates for real (~1 s of fsyncs on a busy disk), which
    test_daemon_basics and test_daemon_tenants keep doing.
    """
    from auditor.store import Store

    db = tmp_path / "state" / "auditor.db"
    db.parent.mkdir(parents=True, exist_ok=True)
    with Store(f"sqlite:///{db}") as store:
        store.upgrade()
    return db


# --- reading the daemon's structured lines ----------------------------------------------------


def fields(line: str) -> dict[str, str]:
    """``key=value`` pairs of one log line (values may be double-quoted)."""
    import shlex

    pairs: dict[str, str] = {}
    try:
        tokens = shlex.split(line)
    except ValueError:
        return pairs
    for token in tokens:
        key, sep, value = token.partition("=")
        if sep:
            pairs.setdefault(key, value)
    return pairs


def events(daemon: DaemonProcess, name: str, **match: str) -> list[dict[str, str]]:
    """Every ``event=name`` line so far, parsed, whose fields include ``match``."""
    found = []
    for line in list(daemon.lines):
        if f"event={name} " not in line + " ":
            continue
        parsed = fields(line)
        if parsed.get("event") == name and all(parsed.get(k) == v for k, v in match.items()):
            found.append(parsed)
    return found


# --- faults the tests inject ------------------------------------------------------------------


class Paused:
    """SIGSTOP a process for the duration of a ``with`` block (SIGCONT even when the test fails)."""

    def __init__(self, pid: int) -> None:
        self.pid = pid

    def __enter__(self) -> Paused:
        os.kill(self.pid, signal.SIGSTOP)
        return self

    def __exit__(self, *exc: object) -> None:
        os.kill(self.pid, signal.SIGCONT)


class UdpResponder:
    """A UDP server on a free loopback port: ``garbage`` replies random bytes, else it stays silent."""

    def __init__(self, *, garbage: bool) -> None:
        self.garbage = garbage
        self.requests = 0
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self._socket.bind(("127.0.0.1", 0))
        self._socket.settimeout(0.2)
        self.port: int = self._socket.getsockname()[1]
        self._running = True
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while self._running:
            try:
                _, peer = self._socket.recvfrom(65535)
            except TimeoutError:
                continue
            except OSError:
                return
            self.requests += 1
            if self.garbage:
                self._socket.sendto(os.urandom(64), peer)

    def close(self) -> None:
        self._running = False
        self._thread.join(timeout=2)
        self._socket.close()

    def __enter__(self) -> UdpResponder:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

"""SIGINT/SIGTERM during `auditor run`: exit 3, a message, the run closed as incomplete, nothing
resolved, the chain intact. A real subprocess polls an SNMP "agent" that never answers: a UDP
socket this test opens and never answers from, so the poll waits out its long timeout. The
request arriving on it is the signal that the run is inside the poll."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from auditor.model.findings import Finding, Outcome, Severity
from auditor.policy.models import Policy
from auditor.store import RunStatus, Store

POLICY = """\
zones:
  - id: lgwan
    kind: lgwan
    name_ja: LGWAN接続系
    name_en: LGWAN
    vlans: ["20-29"]
    subnets: [10.20.0.0/16]
"""

INVENTORY = """\
devices:
  - name: core-sw1
    address: 127.0.0.1
    platform: cisco_ios
    zones: [lgwan]
    snmp:
      version: v2c
      port: {port}
      community: {{env: KYOJIN_TEST_COMMUNITY}}
      timeout: 120
      retries: 0
"""


@pytest.fixture
def silent_agent() -> Iterator[socket.socket]:
    """A bound UDP socket that swallows every datagram (no ICMP port-unreachable comes back)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))
    try:
        yield sock
    finally:
        sock.close()


def _earlier_finding(db: Path) -> Finding:
    """A finding recorded by an earlier run: an interrupted run must not resolve it."""
    item = Finding(
        check_id="HRD-001",
        outcome=Outcome.FAIL,
        severity=Severity.HIGH,
        device="core-sw1",
        subject="line vty 0 4",
        message_en="telnet allowed",
        message_ja="telnet が許可されています",
    )
    at = datetime(2026, 4, 1, tzinfo=UTC)
    with Store(f"sqlite:///{db}") as store:
        store.upgrade()
        run_id = store.begin_run("audit", "full", ["core-sw1"], "test", None, None, at)
        store.record_run(
            run_id,
            snapshots={},
            findings=[item],
            covered_devices={"core-sw1"},
            evaluated_checks={"HRD-001"},
            policy=Policy(),
            now=at,
            complete=True,
        )
    return item


def _wait_for_running(db: Path, deadline: float) -> None:
    with Store(f"sqlite:///{db}") as store:
        while time.monotonic() < deadline:
            if any(r.status == RunStatus.RUNNING for r in store.list_runs()):
                return
            time.sleep(0.02)
    raise AssertionError("the run never started")


def _wait_for_request(agent: socket.socket, timeout: float) -> None:
    """The SNMP request reached the agent: the run is inside the poll, waiting for an answer
    that never comes."""
    agent.settimeout(timeout)
    try:
        agent.recv(65535)
    except TimeoutError:
        raise AssertionError("the run never polled the agent") from None


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_a_signal_closes_the_run_as_incomplete_and_exits_3(
    tmp_path: Path, silent_agent: socket.socket, signum: signal.Signals
) -> None:
    (tmp_path / "policy.yaml").write_text(POLICY, encoding="utf-8")
    (tmp_path / "inventory.yaml").write_text(
        INVENTORY.format(port=silent_agent.getsockname()[1]), encoding="utf-8"
    )
    db = tmp_path / "auditor.db"
    earlier = _earlier_finding(db)
    env = {**os.environ, "KYOJIN_TEST_COMMUNITY": "kyojin-test", "NO_COLOR": "1"}
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "auditor",
            "--lang",
            "en",
            "run",
            "--policy",
            str(tmp_path / "policy.yaml"),
            "--inventory",
            str(tmp_path / "inventory.yaml"),
            "--db",
            str(db),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        # The request first (a blocking read, no polling): the run row is opened before any
        # collection, so it is already there, ``running``.
        _wait_for_request(silent_agent, 60)
        _wait_for_running(db, time.monotonic() + 60)
        process.send_signal(signum)
        _out, err = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 3, err
    assert f"Interrupted by {signum.name}" in err
    assert "recorded as incomplete" in err
    with Store(f"sqlite:///{db}") as store:
        runs = store.list_runs()
        assert [r.status for r in runs] == [RunStatus.INCOMPLETE, RunStatus.COMPLETE]
        assert runs[0].note is not None and signum.name in runs[0].note
        assert runs[0].pid == process.pid
        record, _events = store.get_finding(earlier.fingerprint)
        assert record.status.value == "new"  # nothing resolved
        result = store.verify()
        assert result.ok, result.mismatches

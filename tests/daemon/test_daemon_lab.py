"""The real daemon against the running lab: polls, a full audit, reloads, a stop mid-collection."""

from __future__ import annotations

import json
import signal
import socket
import sqlite3
import subprocess
import sys
from pathlib import Path

from auditor.lab.runner import LabState
from auditor.lab.scenario import load_example_city
from auditor.model.findings import Outcome
from auditor.store.opening import open_store
from tests.daemon.harness import DaemonProcess, Paused, daemon_env, events
from tests.daemon.labfiles import (
    EXAMPLE_LEDGER,
    copy_policy,
    edit_policy,
    lab_devices,
    lab_secrets,
    leaked_secrets,
    pid_of,
    snmp_only,
    write_inventory,
)

DISABLE_TIMEOUTS = "rules:\n  COL-001:\n    enabled: false\n"
BROKEN_RULE = "rules:\n  COL-001:\n    enabled: maybe\n"


def _cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "auditor", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def _closed_udp_port() -> int:
    """A loopback UDP port nothing listens on (bound, read, released)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def _rules_line(policy_file: Path) -> int:
    lines = policy_file.read_text(encoding="utf-8").splitlines()
    return lines.index("rules:") + 1


def test_the_daemon_polls_audits_reloads_and_stops_cleanly_mid_collection(
    tmp_path: Path, daemon_lab: LabState
) -> None:
    policy_file = copy_policy(tmp_path / "policy")
    original_policy = policy_file.read_text(encoding="utf-8")
    db = tmp_path / "state" / "auditor.db"
    # The lab plus one device that never answers: its COL-001 timeout is what the reloaded
    # policy switches off (a healthy lab gives polls nothing to report).
    devices = lab_devices(daemon_lab)
    silent = snmp_only(devices[0], port=_closed_udp_port(), timeout=0.3, retries=0)
    silent["name"] = "silent-sw"
    inventory = write_inventory(tmp_path / "inventory" / "devices.yaml", [*devices, silent])
    env = daemon_env(
        tmp_path,
        policy_file.parent,
        inventory,
        AUDITOR_LEDGER=str(EXAMPLE_LEDGER),
        AUDITOR_SNMP_INTERVAL_MINUTES="0.05",
        AUDITOR_STOP_DEADLINE_SECONDS="30",
    )
    daemon = DaemonProcess(env, args=("--audit-now",))
    try:
        # Two polls and the full audit asked for with --audit-now (it waits for the first poll).
        assert daemon.wait_for(
            lambda: (
                len(events(daemon, "run", kind="poll")) >= 2
                and len(events(daemon, "run", kind="audit")) >= 1
            ),
            timeout=120,
        ), daemon.output()
        old_hash = events(daemon, "run")[0]["policy_sha256"]

        # `auditor status` while the daemon runs: running, its pid, the next scheduled runs.
        status = _cli(env, "status", "--format", "json")
        assert status.returncode == 0, status.stderr
        state = json.loads(status.stdout)
        assert state["daemon_running"] is True
        assert state["pid"] == daemon.process.pid
        assert {"poll", "audit", "report", "retention"} <= set(state["next_runs"])
        assert all(state["next_runs"][job] for job in ("poll", "audit", "report", "retention"))
        assert {"poll", "audit"} <= set(state["last_runs"])

        # The silent device's timeout (COL-001) is reported, so disabling it proves something.
        timeout_run = int(events(daemon, "run", kind="poll")[0]["run_id"])

        # SIGHUP with a broken policy: rejected with file:line, the old one stays in force.
        rules_line = _rules_line(policy_file)
        edit_policy(policy_file, lambda text: text.replace("rules:\n", BROKEN_RULE, 1))
        daemon.signal(signal.SIGHUP)
        assert daemon.wait_for(lambda: daemon.saw("event=reload-kept-last-good")), daemon.output()
        rejected = [line for line in daemon.lines if "event=reload-rejected" in line]
        assert any(f"{policy_file}:{rules_line + 2}:" in line for line in rejected), rejected
        assert daemon.process.poll() is None
        runs_so_far = len(events(daemon, "run"))
        assert daemon.wait_for(lambda: len(events(daemon, "run")) > runs_so_far), daemon.output()
        assert events(daemon, "run")[-1]["policy_sha256"] == old_hash

        # SIGHUP with a fixed policy that disables COL-001: applied to the next run.
        policy_file.write_text(
            original_policy.replace("rules:\n", DISABLE_TIMEOUTS, 1), encoding="utf-8"
        )
        daemon.signal(signal.SIGHUP)
        assert daemon.wait_for(lambda: daemon.saw("event=reloaded")), daemon.output()
        new_hash = events(daemon, "reloaded")[-1]["policy_sha256"]
        assert new_hash != old_hash
        assert daemon.wait_for(
            lambda: bool(events(daemon, "run", kind="poll", policy_sha256=new_hash)), timeout=60
        ), daemon.output()
        first_new = int(events(daemon, "run", kind="poll", policy_sha256=new_hash)[0]["run_id"])

        # SIGTERM in the middle of a collection: the SNMP agent is frozen, so every device waits
        # for its timeout; the stop request arrives right after the run has started.
        with Paused(pid_of(daemon_lab, "snmp")):
            started_before = len(events(daemon, "run-started"))
            assert daemon.wait_for(
                lambda: len(events(daemon, "run-started")) > started_before, timeout=30
            ), daemon.output()
            interrupted_run = int(events(daemon, "run-started")[-1]["run_id"])
            daemon.signal(signal.SIGTERM)
            code = daemon.process.wait(timeout=60)
    finally:
        code = daemon.stop()
    output = daemon.output()
    assert code == 0, output
    assert daemon.saw("event=stopped")

    store = open_store(str(db))
    # One device never answers: every finished run is partial (the lab itself was covered).
    polls = store.list_runs(kind="poll", limit=500)
    assert len([run for run in polls if run.status == "partial"]) >= 2
    assert [run.status for run in store.list_runs(kind="audit")] == ["partial"]
    # The new policy's hash is recorded on the runs after the reload, the old one before.
    assert (store.get_run(first_new).policy_hash or "").startswith(new_hash)
    assert (store.get_run(timeout_run).policy_hash or "").startswith(old_hash)
    timeouts = store.list_findings(check_id="COL-001", device="silent-sw")
    assert timeouts and all(f.last_run_id is not None for f in timeouts)
    assert max(f.last_run_id or 0 for f in timeouts) < first_new
    # A healthy lab polled again and again raises no monitoring finding (no false reboot/flap)
    # beyond what the scenario plants on purpose (a switch whose clock is off: MON-009).
    planted = {
        (check_id, plant.device)
        for plant in load_example_city().planted
        for check_id in plant.check_ids
        if check_id.startswith("MON-")
    }
    monitoring = [
        (f.check_id, f.device, f.subject)
        for f in store.list_findings()
        if f.check_id.startswith("MON-")
        and f.outcome is Outcome.FAIL
        and (f.check_id, f.device) not in planted
    ]
    assert monitoring == []

    # The interrupted run: incomplete, and it resolved nothing.
    assert store.get_run(interrupted_run).status == "incomplete"
    with sqlite3.connect(db) as connection:
        resolved_by_it = connection.execute(
            "SELECT count(*) FROM finding_events WHERE run_id = ? AND event_type = 'resolved'",
            (interrupted_run,),
        ).fetchone()[0]
    assert resolved_by_it == 0
    store.close()

    verify = _cli(env, "verify", "--db", str(db))
    assert verify.returncode == 0, verify.stdout + verify.stderr

    # One line per run with counts and duration; no secret of the lab anywhere in stderr.
    for run in events(daemon, "run"):
        assert {"kind", "run_id", "status", "devices", "errors", "findings", "duration_s"} <= set(
            run
        )
        float(run["duration_s"])
    assert leaked_secrets(output, lab_secrets(daemon_lab)) == []

    # `auditor status` after the stop: not running, last runs and open findings by severity.
    status = _cli(env, "status", "--format", "json")
    state = json.loads(status.stdout)
    assert state["daemon_running"] is False
    assert state["last_runs"]["poll"]["status"] == "incomplete"
    assert state["last_runs"]["audit"]["status"] == "partial"
    assert sum(state["open_findings"].values()) > 0
    table = _cli(env, "status")
    assert table.returncode == 0, table.stderr
    assert "not running" in table.stdout
    assert "open findings:" in table.stdout

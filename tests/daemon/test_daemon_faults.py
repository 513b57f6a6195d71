"""Faults while the real daemon runs: dead and babbling devices, a locked database, a full disk,
a PostgreSQL restart. Each test starts its own daemon on a small inventory taken from the lab."""

from __future__ import annotations

import contextlib
import errno
import glob
import os
import signal
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from auditor.lab.runner import LabState
from auditor.store.opening import open_store
from tests.daemon.harness import DaemonProcess, Paused, UdpResponder, daemon_env, events
from tests.daemon.labfiles import (
    EXAMPLE_LEDGER,
    EXAMPLE_POLICY,
    lab_devices,
    lab_secrets,
    leaked_secrets,
    pid_of,
    snmp_only,
    write_inventory,
)
from tests.postgres import SERVER_SCRIPT

FAST_SNMP = {"timeout": 1.0, "retries": 0}


def _v2c_devices(lab: LabState, count: int) -> list[dict[str, Any]]:
    chosen = [d for d in lab_devices(lab) if d.get("snmp", {}).get("version") == "v2c"]
    return [snmp_only(d, **FAST_SNMP) for d in chosen[:count]]


def _fake_device(template: dict[str, Any], name: str, port: int, **snmp: Any) -> dict[str, Any]:
    """A device at a test-owned UDP port, with a lab device's zones and community file."""
    device = {k: v for k, v in template.items() if k != "asset_id"}
    device["name"] = name
    device["snmp"] = {**template["snmp"], "port": port, **FAST_SNMP, **snmp}
    return device


def _start(
    tmp_path: Path, devices: list[dict[str, Any]], **settings: str
) -> tuple[DaemonProcess, dict[str, str]]:
    inventory = write_inventory(tmp_path / "inventory" / "devices.yaml", devices)
    env = daemon_env(
        tmp_path,
        EXAMPLE_POLICY,
        inventory,
        **{
            "AUDITOR_LEDGER": str(EXAMPLE_LEDGER),
            "AUDITOR_SNMP_INTERVAL_MINUTES": "0.02",
            **settings,
        },
    )
    return DaemonProcess(env), env


def _verify_cli(env: dict[str, str], db: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "auditor", "verify", "--db", db],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def _next_run_started(daemon: DaemonProcess, timeout: float = 30) -> int:
    before = len(events(daemon, "run-started"))
    assert daemon.wait_for(lambda: len(events(daemon, "run-started")) > before, timeout=timeout), (
        daemon.output()
    )
    return int(events(daemon, "run-started")[-1]["run_id"])


def _finding_devices(store: Any, check_id: str) -> set[str]:
    return {f.device for f in store.list_findings(check_id=check_id) if f.outcome == "error"}


def test_a_silent_device_and_a_babbling_one_get_collection_findings_and_the_daemon_goes_on(
    tmp_path: Path, daemon_lab: LabState
) -> None:
    lab_ones = _v2c_devices(daemon_lab, 2)
    with UdpResponder(garbage=True) as babbler:
        devices = [*lab_ones, _fake_device(lab_ones[0], "babbling-sw", babbler.port)]
        daemon, _env = _start(tmp_path, devices)
        try:
            assert daemon.wait_for(lambda: bool(events(daemon, "run", kind="poll"))), (
                daemon.output()
            )
            first = events(daemon, "run", kind="poll")[0]
            assert first["errors"] == "1" and first["devices"] == "2/3", first
            assert babbler.requests > 0
            # The lab's SNMP agent stops answering: every device now times out.
            with Paused(pid_of(daemon_lab, "snmp")):
                frozen = _next_run_started(daemon)
                assert daemon.wait_for(
                    lambda: bool(events(daemon, "run", run_id=str(frozen))), timeout=30
                ), daemon.output()
                assert events(daemon, "run", run_id=str(frozen))[0]["errors"] == "3"
            # The agent is back: the next run covers the lab devices again.
            thawed = _next_run_started(daemon)
            assert daemon.wait_for(
                lambda: bool(events(daemon, "run", run_id=str(thawed))), timeout=30
            ), daemon.output()
            assert events(daemon, "run", run_id=str(thawed))[0]["devices"] == "2/3"
            assert daemon.process.poll() is None
        finally:
            code = daemon.stop()
    assert code == 0, daemon.output()
    assert leaked_secrets(daemon.output(), lab_secrets(daemon_lab)) == []
    assert not daemon.saw("event=run-failed"), daemon.output()
    db = str(tmp_path / "state" / "auditor.db")
    store = open_store(db)
    timeouts = _finding_devices(store, "COL-001")
    assert {d["name"] for d in lab_ones} <= timeouts, timeouts
    # Random bytes are not SNMP: a malformed-response finding, not a timeout.
    assert _finding_devices(store, "COL-003") == {"babbling-sw"}
    # Every finding of the babbling device is a collection finding of its own.
    assert {f.check_id[:4] for f in store.list_findings(device="babbling-sw")} == {"COL-"}
    store.close()


def test_a_locked_database_delays_the_run_and_its_findings_are_written_when_it_frees(
    tmp_path: Path, daemon_lab: LabState
) -> None:
    """Why a lock and not a read-only file: the tests run as root, which ignores file modes, and
    `chattr +i` on the WAL's shared-memory file makes SQLite's mmap writes fault (SIGBUS kills the
    process). An exclusive transaction held by another connection makes every write of the
    daemon fail with SQLITE_BUSY, the same `StoreUnavailable` path a read-only database takes."""
    lab_one = _v2c_devices(daemon_lab, 1)
    with UdpResponder(garbage=False) as silent:
        # The silent device keeps each collection busy for about two seconds.
        devices = [*lab_one, _fake_device(lab_one[0], "silent-sw", silent.port, timeout=2.0)]
        daemon, _env = _start(
            tmp_path,
            devices,
            AUDITOR_DB_BUSY_TIMEOUT_MS="200",
            AUDITOR_STORE_RETRY_SECONDS="0.3",
            AUDITOR_SNMP_INTERVAL_MINUTES="0.05",
        )
        db = tmp_path / "state" / "auditor.db"
        try:
            assert daemon.wait_for(lambda: bool(events(daemon, "run"))), daemon.output()
            locked_run = _next_run_started(daemon)
            locker = sqlite3.connect(db, isolation_level=None, timeout=30)
            try:
                locker.execute("BEGIN EXCLUSIVE")
                assert daemon.wait_for(
                    lambda: len(events(daemon, "store-unavailable", operation="record_run")) >= 3,
                    timeout=30,
                ), daemon.output()
                status = locker.execute(
                    "SELECT status FROM runs WHERE id = ?", (locked_run,)
                ).fetchone()[0]
                assert status == "running"
                assert not events(daemon, "run", run_id=str(locked_run))
            finally:
                locker.execute("ROLLBACK")
                locker.close()
            assert daemon.wait_for(
                lambda: bool(events(daemon, "run", run_id=str(locked_run))), timeout=30
            ), daemon.output()
            logged = events(daemon, "run", run_id=str(locked_run))[0]
            assert daemon.process.poll() is None
        finally:
            code = daemon.stop()
    assert code == 0, daemon.output()
    assert leaked_secrets(daemon.output(), lab_secrets(daemon_lab)) == []
    store = open_store(str(db))
    run = store.get_run(locked_run)
    assert run.status == logged["status"] == "partial"
    seen_by_run = [f for f in store.list_findings() if f.last_run_id == locked_run]
    assert {f.device for f in seen_by_run if f.check_id == "COL-001"} == {"silent-sw"}
    assert store.verify().ok
    store.close()


@contextlib.contextmanager
def _tiny_tmpfs(where: Path, size: str) -> Iterator[Path]:
    where.mkdir(parents=True)
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size},mode=0700", "tmpfs", str(where)],
        capture_output=True,
        text=True,
    )
    if mounted.returncode != 0:
        reason = f"cannot mount a size-limited tmpfs here: {mounted.stderr.strip()}"
        if os.environ.get("CI") == "true" and os.geteuid() == 0:
            pytest.fail(reason + " (root under CI=true is expected to be able to)")
        pytest.skip(reason + " (needs root with CAP_SYS_ADMIN)")
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], check=False)


def _fill(folder: Path) -> Path:
    """Write until the file system says ENOSPC; the file can be deleted to free the space."""
    filler = folder / "filler"
    with filler.open("wb", buffering=0) as handle:
        for chunk in (65536, 4096, 512, 1):
            try:
                while True:
                    handle.write(b"\0" * chunk)
            except OSError as exc:
                assert exc.errno == errno.ENOSPC
    return filler


def test_a_full_disk_fails_runs_without_corrupting_what_was_stored_and_the_daemon_recovers(
    tmp_path: Path, daemon_lab: LabState
) -> None:
    lab_one = _v2c_devices(daemon_lab, 1)
    with (
        _tiny_tmpfs(tmp_path / "state", "3m") as state,
        UdpResponder(garbage=False) as silent,
    ):
        # The silent device keeps each collection busy for about two seconds, so the disk can be
        # filled between the start of a run and its recording.
        devices = [*lab_one, _fake_device(lab_one[0], "silent-sw", silent.port, timeout=2.0)]
        daemon, env = _start(
            tmp_path,
            devices,
            AUDITOR_STORE_RETRY_ATTEMPTS="3",
            AUDITOR_STORE_RETRY_SECONDS="0.3",
            AUDITOR_SNMP_INTERVAL_MINUTES="0.05",
        )
        db = state / "auditor.db"
        try:
            assert daemon.wait_for(
                lambda: len(events(daemon, "run", status="partial")) >= 2, timeout=30
            ), daemon.output()
            cut_run = _next_run_started(daemon)
            filler = _fill(state)
            assert daemon.wait_for(
                lambda: bool(events(daemon, "run-failed", run_id=str(cut_run))), timeout=30
            ), daemon.output()
            full = [e for e in events(daemon, "store-unavailable") if "full" in e.get("error", "")]
            assert full, daemon.output()
            assert daemon.process.poll() is None
            filler.unlink()
            assert daemon.wait_for(
                lambda: any(int(e["run_id"]) > cut_run for e in events(daemon, "run")),
                timeout=30,
            ), daemon.output()
        finally:
            code = daemon.stop()
        assert code == 0, daemon.output()
        assert leaked_secrets(daemon.output(), lab_secrets(daemon_lab)) == []
        with sqlite3.connect(db) as connection:
            assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            running = connection.execute("SELECT id FROM runs WHERE status = 'running'")
            assert running.fetchall() == [], daemon.output()
        verify = _verify_cli(env, str(db))
        assert verify.returncode == 0, verify.stdout + verify.stderr
        store = open_store(str(db))
        # The run cut by the full disk is closed as incomplete (right away, or before the next
        # run when even that write failed); the runs before and after it are recorded.
        assert store.get_run(cut_run).status == "incomplete"
        assert events(daemon, "run-marked-incomplete", run_id=str(cut_run)), daemon.output()
        recorded = [run.id for run in store.list_runs(limit=500) if run.status == "partial"]
        assert any(run_id < cut_run for run_id in recorded)
        assert any(run_id > cut_run for run_id in recorded)
        assert len(store.list_findings(device="silent-sw", check_id="COL-001")) == 1
        store.close()


def _postgres_data_dir(url: str) -> Path | None:
    port = make_url(url).port
    found = sorted(glob.glob(f"/tmp/kyojin-pg-{port}-*/PG_VERSION"))
    return Path(found[0]).parent if found else None


def _admin(server_url: str, statement: str) -> None:
    """One statement on a connection of its own (a pooled one would not survive the restart)."""
    engine = create_engine(
        make_url(server_url).set(database="postgres"), isolation_level="AUTOCOMMIT"
    )
    try:
        with engine.connect() as connection:
            connection.execute(text(statement))
    finally:
        engine.dispose()


@contextlib.contextmanager
def _own_database(server_url: str) -> Iterator[str]:
    name = f"t_daemon_{os.getpid()}_{os.urandom(4).hex()}"
    _admin(server_url, f'CREATE DATABASE "{name}"')
    try:
        yield make_url(server_url).set(database=name).render_as_string(hide_password=False)
    finally:
        _admin(server_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _pg_ctl(data_dir: Path, *args: str) -> None:
    binary = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))[-1]
    prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    subprocess.run([*prefix, binary, "-D", str(data_dir), *args], check=True, capture_output=True)


def test_a_postgresql_restart_in_the_middle_of_a_run_delays_it_and_the_run_is_recorded(
    tmp_path: Path, daemon_lab: LabState, postgres_server_url: str
) -> None:
    data_dir = _postgres_data_dir(postgres_server_url)
    if data_dir is None:
        pytest.skip("the PostgreSQL server was given by KYOJIN_PG_URL; this test restarts its own")
    port = str(make_url(postgres_server_url).port)
    lab_one = _v2c_devices(daemon_lab, 1)
    with (
        _own_database(postgres_server_url) as url,
        UdpResponder(garbage=False) as silent,
    ):
        devices = [*lab_one, _fake_device(lab_one[0], "silent-sw", silent.port, timeout=3.0)]
        daemon, env = _start(
            tmp_path,
            devices,
            AUDITOR_DB_URL=url,
            AUDITOR_STORE_RETRY_SECONDS="0.5",
            AUDITOR_SNMP_INTERVAL_MINUTES="0.05",
        )
        try:
            assert daemon.wait_for(lambda: bool(events(daemon, "run")), timeout=30), daemon.output()
            cut_run = _next_run_started(daemon)
            stopped = False
            try:
                _pg_ctl(data_dir, "-m", "fast", "-w", "stop")
                stopped = True
                assert daemon.wait_for(
                    lambda: bool(events(daemon, "store-unavailable")), timeout=30
                ), daemon.output()
            finally:
                if stopped:
                    subprocess.run(
                        [str(SERVER_SCRIPT), "start"],
                        env={**os.environ, "KYOJIN_PG_PORT": port, "KYOJIN_PG_DIR": str(data_dir)},
                        check=True,
                        capture_output=True,
                        timeout=120,
                    )
            assert daemon.wait_for(
                lambda: bool(events(daemon, "run", run_id=str(cut_run))), timeout=30
            ), daemon.output()
            assert daemon.process.poll() is None
        finally:
            code = daemon.stop()
        assert code == 0, daemon.output()
        assert leaked_secrets(daemon.output(), lab_secrets(daemon_lab)) == []
        assert not daemon.saw("event=run-failed"), daemon.output()
        store = open_store(url)
        assert store.get_run(cut_run).status == "partial"
        assert any(f.last_run_id == cut_run for f in store.list_findings(check_id="COL-001"))
        assert store.verify().ok
        store.close()
        verify = _verify_cli(env, url)
        assert verify.returncode == 0, verify.stdout + verify.stderr


def test_sigterm_past_the_stop_deadline_closes_the_run_as_incomplete_and_exits_0(
    tmp_path: Path, daemon_lab: LabState
) -> None:
    lab_one = _v2c_devices(daemon_lab, 1)
    with UdpResponder(garbage=False) as silent:
        # One silent device that waits 20 s: far longer than the 1 s stop deadline.
        devices = [*lab_one, _fake_device(lab_one[0], "silent-sw", silent.port, timeout=20.0)]
        daemon, env = _start(tmp_path, devices, AUDITOR_STOP_DEADLINE_SECONDS="1")
        try:
            cut_run = _next_run_started(daemon)
            daemon.signal(signal.SIGTERM)
            code = daemon.process.wait(timeout=15)
        finally:
            code = daemon.stop()
    assert code == 0, daemon.output()
    assert leaked_secrets(daemon.output(), lab_secrets(daemon_lab)) == []
    assert daemon.saw("event=stop-deadline-reached"), daemon.output()
    assert events(daemon, "run-marked-incomplete", run_id=str(cut_run)), daemon.output()
    assert not events(daemon, "run", run_id=str(cut_run))
    db = str(tmp_path / "state" / "auditor.db")
    store = open_store(db)
    run = store.get_run(cut_run)
    assert run.status == "incomplete"
    assert run.note and "SIGTERM" in run.note
    store.close()
    verify = _verify_cli(env, db)
    assert verify.returncode == 0, verify.stdout + verify.stderr

"""Runs: statuses, one-shot recording, listing, and a clear error when the database is busy."""

from __future__ import annotations

import socket
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, event, text

from auditor.store import RunAlreadyRecorded, RunNotFound, RunStatus, Store, StoreUnavailable
from tests.postgres import fresh_postgres_schema
from tests.store.helpers import EMPTY_POLICY, TOOL_VERSION, day, finding, run_once


def test_recording_the_same_run_twice_is_refused(store: Store) -> None:
    telnet = finding()
    run_id = store.begin_run("audit", "full", ["core-sw1"], TOOL_VERSION, None, None, day(0))
    arguments = {
        "snapshots": {},
        "findings": [telnet],
        "covered_devices": {"core-sw1"},
        "evaluated_checks": {"HRD-001"},
        "policy": EMPTY_POLICY,
        "now": day(0),
        "complete": True,
    }
    store.record_run(run_id, **arguments)  # type: ignore[arg-type]
    with pytest.raises(RunAlreadyRecorded):
        store.record_run(run_id, **arguments)  # type: ignore[arg-type]
    _, events = store.get_finding(telnet.fingerprint)
    assert len(events) == 1
    with pytest.raises(RunNotFound):
        store.record_run(run_id + 100, **arguments)  # type: ignore[arg-type]


def test_a_run_records_its_end_status_and_counts(store: Store) -> None:
    summary = run_once(
        store, [finding(subject="a"), finding(subject="b")], at=day(0), devices=["core-sw1", "x"]
    )
    run = store.get_run(summary.run_id)
    assert run.status is RunStatus.COMPLETE
    assert (run.started_at, run.finished_at) == (day(0), day(0))
    assert (run.devices_attempted, run.devices_collected) == (2, 2)
    assert run.finding_counts["new"] == 2
    assert run.finding_counts["by_severity"] == {"high": 2}
    assert (run.tool_version, run.rule_pack_hash, run.policy_hash) == (
        TOOL_VERSION,
        "rules-hash",
        "policy-hash",
    )
    failed = run_once(store, [], at=day(1), devices=["core-sw1"], covered=[])
    assert failed.status is RunStatus.FAILED


def test_runs_are_listed_newest_first_and_by_kind(store: Store) -> None:
    audit = run_once(store, [], at=day(0))
    poll = run_once(store, [], at=day(1), kind="snmp-poll")
    pending = store.begin_run("audit", "full", ["core-sw1"], TOOL_VERSION, None, None, day(2))
    assert [run.id for run in store.list_runs()] == [pending, poll.run_id, audit.run_id]
    assert [run.id for run in store.list_runs(kind="audit", limit=1)] == [pending]
    last = store.last_run("audit", statuses=["complete"])
    assert last is not None and last.id == audit.run_id
    assert store.last_run("ssh") is None


def test_a_run_marked_incomplete_cannot_be_recorded_afterwards(store: Store) -> None:
    run_id = store.begin_run("audit", "full", ["core-sw1"], TOOL_VERSION, None, None, day(0))
    store.mark_run_incomplete(run_id, "SIGTERM during SSH collection", now=day(0))
    run = store.get_run(run_id)
    assert (run.status, run.note) == (RunStatus.INCOMPLETE, "SIGTERM during SSH collection")
    with pytest.raises(RunAlreadyRecorded):
        run_once_id = run_id
        store.record_run(
            run_once_id,
            snapshots={},
            findings=[],
            covered_devices=set(),
            evaluated_checks=set(),
            policy=EMPTY_POLICY,
            now=day(0),
            complete=True,
        )


def test_runs_left_running_by_a_crash_are_closed_at_start(store: Store) -> None:
    first = store.begin_run("audit", "full", [], TOOL_VERSION, None, None, day(0))
    second = store.begin_run("snmp-poll", "full", [], TOOL_VERSION, None, None, day(0))
    assert store.mark_running_runs_incomplete("daemon restarted", now=day(1)) == [first, second]
    assert store.get_run(first).status is RunStatus.INCOMPLETE


def test_naive_timestamps_are_refused(store: Store) -> None:
    with pytest.raises(ValueError, match="naive"):
        store.begin_run("audit", "full", [], TOOL_VERSION, None, None, day(0).replace(tzinfo=None))


def test_a_locked_sqlite_database_raises_store_unavailable(tmp_path: Path) -> None:
    path = tmp_path / "auditor.db"
    with Store(f"sqlite:///{path}", busy_timeout_ms=50) as store:
        store.upgrade()
        blocker = sqlite3.connect(path, isolation_level=None)
        blocker.execute("BEGIN EXCLUSIVE")
        try:
            with pytest.raises(StoreUnavailable, match="locked"):
                store.begin_run("audit", "full", [], TOOL_VERSION, None, None, day(0))
        finally:
            blocker.execute("ROLLBACK")
            blocker.close()
        assert store.begin_run("audit", "full", [], TOOL_VERSION, None, None, day(0)) == 1


def test_an_unreachable_postgresql_server_raises_store_unavailable() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    url = f"postgresql+psycopg://postgres@127.0.0.1:{port}/x"
    with Store(url, busy_timeout_ms=1000) as store, pytest.raises(StoreUnavailable):
        store.list_runs()


@pytest.mark.postgres
def test_a_postgresql_connection_lost_mid_transaction_raises_store_unavailable(
    postgres_server_url: str,
) -> None:
    with fresh_postgres_schema(postgres_server_url) as url, Store(url) as store:
        store.upgrade()
        admin = create_engine(postgres_server_url, isolation_level="AUTOCOMMIT")

        def _kill_own_backend(connection: Any, *_args: Any) -> None:
            pid = connection.exec_driver_sql("SELECT pg_backend_pid()").scalar()
            with admin.connect() as other:
                other.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})

        event.listen(store.engine, "begin", _kill_own_backend)
        try:
            with pytest.raises(StoreUnavailable, match="unavailable"):
                store.list_runs()
        finally:
            event.remove(store.engine, "begin", _kill_own_backend)
            admin.dispose()
        assert store.list_runs() == []  # the pool replaces the dead connection

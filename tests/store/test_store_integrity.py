"""``verify()`` proves the findings and runs tables from the chain, and anchors the chain's head."""

from __future__ import annotations

import subprocess
import sys

import pytest
from sqlalchemy import text

import auditor.store.repository as repository
from auditor.store import RunStatus, Store
from tests.store.helpers import day, exception_policy, finding, run_once


def _history(store: Store) -> list[str]:
    """Three runs (one resolves, one reopens), a suppression by policy and an ack."""
    items = [finding(subject=f"port {n}") for n in range(4)]
    run_once(store, items, at=day(0))
    run_once(store, items[:3], at=day(1))
    run_once(store, items, at=day(2), policy=exception_policy("HRD-001", subject="port 1"))
    store.ack(items[0].fingerprint, "sato", "確認済み", now=day(2))
    return [item.fingerprint for item in items]


def _sql(store: Store, statement: str, **params: object) -> None:
    with store.engine.begin() as connection:
        connection.execute(text(statement), params)


def test_an_untouched_store_proves_every_finding_and_run(store: Store) -> None:
    _history(store)
    result = store.verify()
    assert result.ok, result.mismatches
    assert (result.findings_checked, result.runs_checked) == (4, 3)
    assert (result.mismatch_count, result.unprovable_findings, result.unprovable_runs) == (0, 0, 0)


TAMPERING = [
    ("UPDATE findings SET status = 'resolved' WHERE subject = 'port 2'", "status"),
    ("UPDATE findings SET severity = 'info' WHERE subject = 'port 2'", "severity"),
    ("DELETE FROM findings WHERE subject = 'port 3'", "row was deleted"),
    ("UPDATE findings SET exception_id = NULL WHERE subject = 'port 1'", "exception_id"),
    ("UPDATE findings SET acknowledged_by = 'mallory' WHERE subject = 'port 0'", "acknowledged_by"),
    ("UPDATE findings SET message_en = 'fixed' WHERE subject = 'port 2'", "content"),
    ("UPDATE findings SET outcome = 'pass' WHERE subject = 'port 2'", "content"),
    ("UPDATE findings SET device = 'other-sw' WHERE subject = 'port 2'", "device"),
    ("UPDATE findings SET check_id = 'HRD-002' WHERE subject = 'port 2'", "check_id"),
    ("UPDATE findings SET last_run_id = 1 WHERE subject = 'port 2'", "last_run_id"),
    ("UPDATE findings SET first_run_id = 2 WHERE subject = 'port 2'", "first_run_id"),
    ("UPDATE findings SET resolved_at = NULL, status = 'open' WHERE subject = 'port 3'", "status"),
    ("UPDATE runs SET status = 'failed' WHERE id = 2", "run 2: status"),
    ("UPDATE runs SET note = 'all good' WHERE id = 1", "run 1: note"),
]


@pytest.mark.parametrize(("statement", "named"), TAMPERING)
def test_verify_reports_a_row_that_differs_from_its_events(
    store: Store, statement: str, named: str
) -> None:
    _history(store)
    _sql(store, statement)
    result = store.verify()
    assert not result.ok
    assert result.first_broken_event_id is None  # the chain itself is intact
    assert result.mismatch_count >= 1
    assert any(named in line for line in result.mismatches), result.mismatches
    assert result.reason is not None and "differ" in result.reason


def test_verify_reports_last_seen_moved(store: Store) -> None:
    fingerprints = _history(store)
    _sql(
        store,
        "UPDATE findings SET last_seen = first_seen WHERE fingerprint = :fp",
        fp=fingerprints[0],
    )
    result = store.verify()
    assert not result.ok
    assert any("last_seen" in line for line in result.mismatches)


def test_verify_reports_a_finding_inserted_outside_the_store(store: Store) -> None:
    _history(store)
    _sql(
        store,
        "INSERT INTO findings (fingerprint, check_id, device, subject, zone, severity, outcome, "
        'message_en, message_ja, "references", evidence, status, first_seen, last_seen) '
        "SELECT :fp, check_id, device, 'port 9', zone, severity, outcome, message_en, "
        'message_ja, "references", evidence, status, first_seen, last_seen FROM findings '
        "WHERE subject = 'port 0'",
        fp="f" * 64,
    )
    result = store.verify()
    assert not result.ok
    assert any("no created event" in line for line in result.mismatches)


def test_the_expected_head_is_found_with_the_events_appended_since(store: Store) -> None:
    items = [finding(subject=f"port {n}") for n in range(2)]
    run_once(store, items, at=day(0))
    mailed = store.verify().head_hash
    assert mailed == store.chain_head().hash
    current = store.verify(expect_head=mailed)
    assert (current.ok, current.expected_head_found, current.events_after_expected) == (
        True,
        True,
        0,
    )
    run_once(store, items[:1], at=day(1))  # seen, resolved, run_finished
    later = store.verify(expect_head=mailed.upper())
    assert (later.ok, later.expected_head_found, later.events_after_expected) == (True, True, 3)


def test_deleting_the_last_events_and_rewriting_the_head_is_caught_by_the_expected_head(
    store: Store,
) -> None:
    items = [finding(subject=f"port {n}") for n in range(2)]
    run_once(store, items, at=day(0))
    before = store.chain_head()
    run_once(store, items[:1], at=day(1))
    mailed = store.chain_head().hash
    # The attacker drops the second run's events and winds the head back consistently.
    _sql(store, "DELETE FROM finding_events WHERE id > :last", last=before.event_id)
    _sql(
        store,
        "UPDATE event_chain SET last_event_id = :id, last_hash = :h, event_count = :id",
        id=before.event_id,
        h=before.hash,
    )
    _sql(
        store,
        "UPDATE findings SET status = 'open', resolved_at = NULL, last_run_id = 1, "
        "last_seen = first_seen WHERE subject = 'port 1'",
    )
    _sql(
        store,
        "UPDATE findings SET status = 'new', last_run_id = 1, last_seen = first_seen "
        "WHERE subject = 'port 0'",
    )
    _sql(store, "UPDATE findings SET status = 'new' WHERE subject = 'port 1'")
    _sql(store, "DELETE FROM run_matrices WHERE run_id = 2")
    _sql(store, "DELETE FROM runs WHERE id = 2")
    assert store.verify().ok  # without an anchor this cannot be seen (documented)
    anchored = store.verify(expect_head=mailed)
    assert not anchored.ok
    assert anchored.expected_head_found is False
    assert anchored.reason is not None and "expected head" in anchored.reason


def test_findings_of_an_older_version_are_counted_as_unprovable_not_broken(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    old = [finding(subject=f"old {n}") for n in range(3)]
    with monkeypatch.context() as patch:  # what versions before run_finished events recorded
        patch.setattr(repository, "_run_finished_event", lambda *args, **kwargs: None)
        run_once(store, old, at=day(0))
    run_once(store, [*old[:1], finding(subject="new")], at=day(1), checks={"NONE"})
    result = store.verify()
    assert result.ok, result.mismatches
    assert (result.unprovable_findings, result.unprovable_runs) == (2, 1)
    assert result.findings_checked == 4


def test_a_ghost_run_is_closed_as_incomplete_and_proven(store: Store) -> None:
    items = [finding()]
    run_once(store, items, at=day(0))
    ghost = store.begin_run("audit", "full", ["core-sw1"], "test", None, None, day(1))
    alive = store.begin_run("audit", "full", ["core-sw1"], "test", None, None, day(1))
    gone = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        check=True,
        capture_output=True,
        text=True,
    )
    _sql(store, "UPDATE runs SET pid = :pid WHERE id = :id", pid=int(gone.stdout), id=ghost)
    assert store.close_ghost_runs(now=day(1)) == [ghost]
    closed = store.get_run(ghost)
    assert closed.status == RunStatus.INCOMPLETE
    assert closed.note is not None and f"pid {int(gone.stdout)}" in closed.note
    assert store.get_run(alive).status == RunStatus.RUNNING  # this process is alive
    assert store.close_ghost_runs() == []
    record, _ = store.get_finding(items[0].fingerprint)
    assert record.status.value == "new"  # an incomplete run resolves nothing
    result = store.verify()
    assert result.ok, result.mismatches


def test_runs_without_a_pid_are_closed_only_when_asked(store: Store) -> None:
    legacy = store.begin_run("poll", "full", ["core-sw1"], "test", None, None, day(1))
    _sql(store, "UPDATE runs SET pid = NULL, host = NULL WHERE id = :id", id=legacy)
    assert store.close_ghost_runs() == []
    assert store.close_ghost_runs(include_unknown=True) == [legacy]
    assert store.get_run(legacy).status == RunStatus.INCOMPLETE
    assert store.verify().ok

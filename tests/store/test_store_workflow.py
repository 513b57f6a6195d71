"""The city's workflow on a finding: owner, comments, due date and 対応中, in the hash chain."""

from __future__ import annotations

from datetime import date

import pytest

from auditor.store import EventType, FindingStatus, Store
from auditor.store.workflow import (
    WorkflowError,
    assign_finding,
    comment_finding,
    set_due,
    set_progress,
)
from tests.store.helpers import day, exception_policy, finding, run_once, status_of


def test_owner_comment_due_and_progress_are_events_with_the_actor(store: Store) -> None:
    telnet = finding()
    run_once(store, [telnet], at=day(0))
    prefix = telnet.fingerprint[:12]
    assign_finding(store, prefix, owner="総務課", actor="yamada", now=day(1))
    comment_finding(store, prefix, text="機器更新の予算要求中", actor="yamada", now=day(1))
    set_due(store, prefix, due=date(2026, 12, 31), actor="sato", now=day(1))
    record = set_progress(store, prefix, in_progress=True, actor="sato", now=day(1))
    assert record.status is FindingStatus.IN_PROGRESS
    assert (record.owner, record.due) == ("総務課", date(2026, 12, 31))
    _, events = store.get_finding(prefix)
    workflow = [(e.event_type, e.actor) for e in events][1:]
    assert workflow == [
        (EventType.ASSIGNED, "yamada"),
        (EventType.COMMENTED, "yamada"),
        (EventType.DUE_SET, "sato"),
        (EventType.PROGRESS_STARTED, "sato"),
    ]
    assert events[2].payload["text"] == "機器更新の予算要求中"
    assert events[4].payload == {"from": "new", "to": "in_progress"}
    assert store.verify().ok
    back = set_progress(store, prefix, in_progress=False, actor="sato", now=day(2))
    assert back.status is FindingStatus.OPEN
    assert store.verify().ok


def test_in_progress_stays_while_seen_and_resolves_when_gone(store: Store) -> None:
    telnet = finding()
    run_once(store, [telnet], at=day(0))
    set_progress(store, telnet.fingerprint, in_progress=True, actor="sato", now=day(0))
    summary = run_once(store, [telnet], at=day(1))
    assert (summary.resolved, summary.reopened) == (0, 0)
    assert status_of(store, telnet) == "in_progress"
    # a run that did not collect the device must not resolve work in progress
    run_once(store, [], at=day(2), covered=[])
    assert status_of(store, telnet) == "in_progress"
    summary = run_once(store, [], at=day(3))
    assert summary.resolved == 1
    assert status_of(store, telnet) == "resolved"
    run_once(store, [telnet], at=day(4))
    record, _ = store.get_finding(telnet.fingerprint)
    assert record.status is FindingStatus.REOPENED
    assert record.owner is None  # never assigned in this test
    assert store.verify().ok


def test_an_exception_wins_over_progress_and_progress_is_refused_where_it_makes_no_sense(
    store: Store,
) -> None:
    telnet = finding()
    run_once(store, [telnet], at=day(0))
    set_progress(store, telnet.fingerprint, in_progress=True, actor="sato", now=day(0))
    run_once(store, [telnet], at=day(1), policy=exception_policy("HRD-001"))
    assert status_of(store, telnet) == "suppressed"
    with pytest.raises(WorkflowError):
        set_progress(store, telnet.fingerprint, in_progress=True, actor="sato", now=day(1))
    with pytest.raises(WorkflowError):
        set_progress(store, telnet.fingerprint, in_progress=False, actor="sato", now=day(1))
    with pytest.raises(WorkflowError):
        assign_finding(store, telnet.fingerprint, owner="  ", actor="sato")
    with pytest.raises(WorkflowError):
        comment_finding(store, telnet.fingerprint, text="x", actor=" ")
    _, events = store.get_finding(telnet.fingerprint)
    assert events[-1].event_type is EventType.SUPPRESSED  # refused changes appended nothing
    assert store.verify().ok


def test_list_events_replays_up_to_a_moment(store: Store) -> None:
    telnet = finding()
    run_once(store, [telnet], at=day(0))
    run_once(store, [], at=day(2))
    before = store.list_events(until=day(1))
    # The chain also holds one run_finished event per run (fingerprint ``run:<id>``).
    assert [e.event_type for e in before if not e.fingerprint.startswith("run:")] == [
        EventType.CREATED
    ]
    assert [e.event_type for e in before if e.fingerprint.startswith("run:")] == [
        EventType.RUN_FINISHED
    ]
    every = store.list_events(fingerprints=[telnet.fingerprint])
    assert [e.event_type for e in every] == [EventType.CREATED, EventType.RESOLVED]
    assert store.list_events(types=["assigned"]) == []


@pytest.mark.parametrize(
    ("statement", "field"),
    [
        ("UPDATE findings SET owner = '情報管理課'", "owner"),
        ("UPDATE findings SET due = '2027-03-31'", "due"),
        ("UPDATE findings SET status = 'open'", "status"),
    ],
)
def test_verify_catches_a_workflow_field_changed_outside_the_chain(
    store: Store, statement: str, field: str
) -> None:
    from sqlalchemy import text

    telnet = finding()
    run_once(store, [telnet], at=day(0))
    prefix = telnet.fingerprint[:12]
    assign_finding(store, prefix, owner="総務課", actor="yamada", now=day(1))
    set_due(store, prefix, due=date(2026, 12, 31), actor="sato", now=day(1))
    set_progress(store, prefix, in_progress=True, actor="sato", now=day(1))
    assert store.verify().ok
    with store.engine.begin() as connection:
        connection.execute(text(statement))
    result = store.verify()
    assert not result.ok
    assert any(f"{field} is" in line for line in result.mismatches)

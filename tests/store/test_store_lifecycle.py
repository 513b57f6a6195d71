"""The finding lifecycle: new → open → resolved → reopened, suppression, partial and incomplete runs."""

from __future__ import annotations

from datetime import date

import pytest

from auditor.model.findings import Outcome, Severity
from auditor.store import (
    AmbiguousFingerprint,
    EventType,
    FindingNotFound,
    FindingStatus,
    RunStatus,
    Store,
)
from tests.store.helpers import day, exception_policy, finding, run_once, status_of


def test_a_finding_goes_new_open_resolved_reopened_across_full_runs(store: Store) -> None:
    telnet = finding()
    run_once(store, [telnet], at=day(0))
    assert status_of(store, telnet) == "new"
    run_once(store, [telnet], at=day(1))
    assert status_of(store, telnet) == "open"
    summary = run_once(store, [], at=day(2))
    assert summary.resolved == 1
    record, _ = store.get_finding(telnet.fingerprint)
    assert record.status is FindingStatus.RESOLVED
    assert record.resolved_at == day(2)
    summary = run_once(store, [telnet], at=day(3))
    assert summary.reopened == 1
    record, events = store.get_finding(telnet.fingerprint)
    assert record.status is FindingStatus.REOPENED
    assert record.resolved_at is None
    assert (record.first_seen, record.last_seen) == (day(0), day(3))
    assert [event.event_type for event in events] == [
        EventType.CREATED,
        EventType.SEEN,
        EventType.RESOLVED,
        EventType.REOPENED,
    ]
    run_once(store, [telnet], at=day(4))
    assert status_of(store, telnet) == "open"


def test_a_matching_exception_suppresses_the_finding_with_its_id(store: Store) -> None:
    telnet = finding(subject="line vty 0 4")
    other = finding(subject="line con 0")
    policy = exception_policy("HRD-001", device="core-*", subject="line vty*")
    summary = run_once(store, [telnet, other], at=day(0), policy=policy)
    assert summary.suppressed == 1
    record, events = store.get_finding(telnet.fingerprint)
    assert record.status is FindingStatus.SUPPRESSED
    assert record.exception_id == "EX-7"
    assert [event.event_type for event in events] == [EventType.CREATED, EventType.SUPPRESSED]
    assert status_of(store, other) == "new"


def test_an_exception_for_another_check_or_device_does_not_suppress(store: Store) -> None:
    telnet = finding()
    run_once(store, [telnet], at=day(0), policy=exception_policy("HRD-002"))
    run_once(store, [telnet], at=day(1), policy=exception_policy("HRD-001", device="edge-*"))
    assert status_of(store, telnet) == "open"


def test_when_the_exception_expires_the_next_run_turns_the_finding_back_to_open(
    store: Store,
) -> None:
    telnet = finding()
    policy = exception_policy("HRD-001", expires=date(2026, 4, 2))
    run_once(store, [telnet], at=day(0), policy=policy)  # 2026-04-01
    run_once(store, [telnet], at=day(1), policy=policy)  # 2026-04-02: last valid day
    assert status_of(store, telnet) == "suppressed"
    summary = run_once(store, [telnet], at=day(2), policy=policy)  # 2026-04-03: expired
    assert summary.unsuppressed == 1
    record, events = store.get_finding(telnet.fingerprint)
    assert record.status is FindingStatus.OPEN
    assert record.exception_id is None
    assert events[-1].event_type is EventType.UNSUPPRESSED
    assert events[-1].payload["exception_id"] == "EX-7"


def test_a_partial_run_resolves_only_the_devices_and_checks_it_covered(store: Store) -> None:
    on_a = finding(device="sw-a")
    on_b = finding(device="sw-b")
    other_check_on_a = finding("HRD-009", device="sw-a")
    run_once(store, [on_a, on_b, other_check_on_a], at=day(0), devices=["sw-a", "sw-b"])
    summary = run_once(store, [], at=day(1), devices=["sw-a"], scope="partial", checks={"HRD-001"})
    assert summary.resolved == 1
    assert summary.status is RunStatus.COMPLETE
    assert status_of(store, on_a) == "resolved"
    assert status_of(store, on_b) == "new"
    assert status_of(store, other_check_on_a) == "new"


def test_a_device_that_failed_collection_keeps_its_findings_open(store: Store) -> None:
    on_a = finding(device="sw-a")
    on_b = finding(device="sw-b")
    run_once(store, [on_a, on_b], at=day(0), devices=["sw-a", "sw-b"])
    unreachable = finding("COL-001", device="sw-b", subject="collection", outcome=Outcome.ERROR)
    summary = run_once(store, [unreachable], at=day(1), devices=["sw-a", "sw-b"], covered=["sw-a"])
    assert summary.status is RunStatus.PARTIAL
    assert summary.errors == 1
    assert status_of(store, on_a) == "resolved"
    assert status_of(store, on_b) == "new"
    assert status_of(store, unreachable) == "new"
    assert store.collection_failures("sw-b") == [day(1)]
    assert store.collection_failures("sw-a") == []


def test_an_incomplete_run_resolves_nothing(store: Store) -> None:
    telnet = finding()
    network_wide = finding("SEG-001", device=None, subject="mynumber→internet")
    run_once(store, [telnet, network_wide], at=day(0))
    summary = run_once(store, [], at=day(1), complete=False, checks={"HRD-001", "SEG-001"})
    assert summary.status is RunStatus.INCOMPLETE
    assert summary.resolved == 0
    assert status_of(store, telnet) == "new"
    assert status_of(store, network_wide) == "new"
    run_once(store, [], at=day(2), checks={"HRD-001", "SEG-001"})
    assert status_of(store, network_wide) == "resolved"


def test_error_findings_follow_the_same_lifecycle(store: Store) -> None:
    crashed = finding("SEG-004", subject="check crashed", outcome=Outcome.ERROR)
    run_once(store, [crashed], at=day(0))
    run_once(store, [crashed], at=day(1))
    assert status_of(store, crashed) == "open"
    run_once(store, [], at=day(2), checks={"SEG-004"})
    assert status_of(store, crashed) == "resolved"


def test_a_severity_change_is_an_event_and_updates_the_finding(store: Store) -> None:
    run_once(store, [finding(severity=Severity.MEDIUM)], at=day(0))
    run_once(store, [finding(severity=Severity.CRITICAL)], at=day(1))
    record, events = store.get_finding(finding().fingerprint)
    assert record.severity is Severity.CRITICAL
    changed = [event for event in events if event.event_type is EventType.SEVERITY_CHANGED]
    assert [dict(event.payload) for event in changed] == [{"from": "medium", "to": "critical"}]


def test_ack_appends_an_event_and_keeps_the_status(store: Store) -> None:
    telnet = finding()
    run_once(store, [telnet], at=day(0))
    record = store.ack(telnet.fingerprint[:10], "yamada", "交換予定 (R8年度)", now=day(0))
    assert (record.status, record.acknowledged_by) == (FindingStatus.NEW, "yamada")
    _, events = store.get_finding(telnet.fingerprint[:8])
    assert events[-1].event_type is EventType.ACKED
    assert events[-1].actor == "yamada"
    assert events[-1].payload["note"] == "交換予定 (R8年度)"


def test_fingerprint_prefixes_must_be_long_unique_and_known(store: Store) -> None:
    first, second = finding(subject="a"), finding(subject="b")
    run_once(store, [first, second], at=day(0))
    with pytest.raises(ValueError, match="at least 8"):
        store.get_finding(first.fingerprint[:7])
    with pytest.raises(FindingNotFound):
        store.get_finding(
            "ffffffffffffffff" if not first.fingerprint.startswith("ff") else "00" * 8
        )
    common = 0
    while first.fingerprint[common] == second.fingerprint[common]:
        common += 1
    if common >= 8:  # pragma: no cover - astronomically unlikely with sha256
        with pytest.raises(AmbiguousFingerprint):
            store.get_finding(first.fingerprint[:common])


def test_list_findings_filters_by_status_severity_device_check_and_time(store: Store) -> None:
    critical = finding("SEG-001", device="sw-a", severity=Severity.CRITICAL)
    low = finding("HRD-005", device="sw-b", severity=Severity.LOW)
    run_once(store, [critical, low], at=day(0), devices=["sw-a", "sw-b"])
    run_once(store, [critical], at=day(1), devices=["sw-a", "sw-b"], checks={"SEG-001", "HRD-005"})
    everything = store.list_findings()
    assert [record.check_id for record in everything] == ["SEG-001", "HRD-005"]
    assert [r.check_id for r in store.list_findings(status=["open"])] == ["SEG-001"]
    assert [r.check_id for r in store.list_findings(status="resolved")] == ["HRD-005"]
    assert [r.check_id for r in store.list_findings(severity=["low"])] == ["HRD-005"]
    assert [r.check_id for r in store.list_findings(device="sw-a")] == ["SEG-001"]
    assert [r.check_id for r in store.list_findings(check_id="HRD-005")] == ["HRD-005"]
    assert [r.check_id for r in store.list_findings(since=day(1))] == ["SEG-001"]
    assert [r.check_id for r in store.list_findings(until=day(1))] == ["HRD-005"]
    resolved_on_day_1 = store.list_findings(since=day(1), time_field="resolved_at")
    assert [r.check_id for r in resolved_on_day_1] == ["HRD-005"]
    record = everything[0]
    assert record.references[0].key == "アクセス制御"
    assert record.message_ja.endswith("違反しています")
    assert record.first_seen.tzinfo is not None

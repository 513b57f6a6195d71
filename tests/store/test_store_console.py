"""The web console's store functions on SQLite and PostgreSQL: accounts, sessions, the paged
findings query and suppression requests (chained, approved by someone else, verified)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from auditor.model.findings import Severity
from auditor.store import EventType, FindingStatus, Store, console
from tests.store.helpers import day, finding, run_once


def test_accounts_and_sessions(store: Store) -> None:
    console.add_user(store, "sato", role="triager", password_hash="$argon2id$x")
    with pytest.raises(console.AccountError, match="already exists"):
        console.add_user(store, "sato", role="viewer", password_hash=None)
    with pytest.raises(console.AccountError, match="unknown role"):
        console.add_user(store, "kato", role="root", password_hash=None)
    found = console.get_user(store, "sato")
    assert found is not None and found[0].role == "triager" and found[1] == "$argon2id$x"
    now = datetime.now(UTC)
    console.create_session(
        store, "a" * 64, username="sato", csrf_token="t", expires_at=now + timedelta(hours=1)
    )
    live = console.get_session(store, "a" * 64)
    assert live is not None and live.username == "sato" and live.csrf_token == "t"
    assert console.get_session(store, "a" * 64, now=now + timedelta(hours=2)) is None
    later = now + timedelta(minutes=30)
    assert console.get_session(store, "a" * 64, idle=timedelta(minutes=20), now=later) is None
    assert console.get_session(store, "a" * 64, idle=timedelta(minutes=40), now=later)  # touches
    even_later = later + timedelta(minutes=25)  # 25 minutes after the last use
    assert console.get_session(store, "a" * 64, idle=timedelta(minutes=20), now=even_later) is None
    assert console.get_session(store, "a" * 64, idle=timedelta(minutes=30), now=even_later)
    console.update_user(store, "sato", disabled=True)  # ends the user's sessions
    assert console.get_session(store, "a" * 64) is None
    assert [u.username for u in console.list_users(store)] == ["sato"]
    console.create_session(
        store, "b" * 64, username="sato", csrf_token="t", expires_at=now + timedelta(hours=1)
    )
    console.delete_session(store, "b" * 64)
    assert console.get_session(store, "b" * 64) is None


def test_the_paged_query_filters_and_counts(store: Store) -> None:
    items = [
        finding("HRD-001", f"sw{index:02d}", f"Gi0/{index}", severity=Severity.HIGH)
        for index in range(30)
    ] + [finding("SEG-005", "fw1", "rule#1 internet->lgwan", severity=Severity.CRITICAL)]
    run_once(store, items, at=day(0), devices=sorted({i.device or "" for i in items}))
    page, total = console.page_findings(store, console.FindingQuery(), limit=10)
    assert total == 31 and len(page) == 10
    rest, _ = console.page_findings(store, console.FindingQuery(), limit=10, offset=30)
    assert len(rest) == 1
    seen = {r.fingerprint for r in page}
    second, _ = console.page_findings(store, console.FindingQuery(), limit=10, offset=10)
    assert seen.isdisjoint(r.fingerprint for r in second)
    cell = console.CellFilter(
        permits=frozenset({("fw1", "rule#1 internet->lgwan")}),
        path_check="SEG-013",
        path_subject="path:internet->lgwan",
        traffic_prefix="TRF-",
        traffic_marker=":internet->lgwan:",
    )
    assert console.page_findings(store, console.FindingQuery(cell=cell), limit=10)[1] == 1
    other = console.CellFilter(frozenset({("fw2", "rule#1 internet->lgwan")}), *cell_rest(cell))
    assert console.page_findings(store, console.FindingQuery(cell=other), limit=10)[1] == 0
    text = console.FindingQuery(text="Gi0/1")  # Gi0/1 and Gi0/10…19
    assert console.page_findings(store, text, limit=50)[1] == 11
    percent = console.FindingQuery(text="%")  # a LIKE wildcard is searched for literally
    assert console.page_findings(store, percent, limit=50)[1] == 0
    critical = console.FindingQuery(severities=frozenset({"critical"}), check="SEG")
    assert console.page_findings(store, critical, limit=50)[1] == 1
    keys = console.grade_keys(store)
    assert ("SEG-005", "critical", "fail", "management") in keys
    by_key = console.FindingQuery(keys=frozenset({("SEG-005", "critical", "fail", "management")}))
    assert console.page_findings(store, by_key, limit=50)[1] == 1
    nothing = console.FindingQuery(keys=frozenset())
    assert console.page_findings(store, nothing, limit=50)[1] == 0
    assert len(console.matching_fingerprints(store, console.FindingQuery(device="sw03"))) == 1
    assert "fw1" in console.distinct_values(store, "device")


def test_a_suppression_request_needs_another_person_and_verifies(store: Store) -> None:
    telnet = finding()
    run_once(store, [telnet], at=day(0))
    prefix = telnet.fingerprint[:12]
    with pytest.raises(ValueError, match="required"):
        console.request_suppression(
            store, prefix, actor="sato", reason=" ", approver="CISO",
            approval_number="R8-1", expires=date(2026, 12, 31),
        )  # fmt: skip
    with pytest.raises(ValueError, match="no suppression request"):
        console.approve_suppression(store, prefix, actor="suzuki")
    console.request_suppression(
        store, prefix, actor="sato", reason="更新まで", approver="CISO",
        approval_number="R8-1", expires=date(2026, 12, 31),
    )  # fmt: skip
    pending = console.pending_request(store, telnet.fingerprint)
    assert pending is not None and pending.requested_by == "sato"
    with pytest.raises(PermissionError):
        console.approve_suppression(store, prefix, actor="sato")
    record = console.approve_suppression(store, prefix, actor="suzuki")
    assert record.status is FindingStatus.SUPPRESSED
    assert record.exception_id == "manual:R8-1"
    assert console.pending_request(store, telnet.fingerprint) is None
    _, events = store.get_finding(prefix)
    assert [e.event_type for e in events][-2:] == [
        EventType.SUPPRESSION_REQUESTED,
        EventType.SUPPRESSED,
    ]
    assert events[-1].actor == "suzuki" and events[-1].payload["requested_by"] == "sato"
    assert store.verify().ok
    # The next run keeps it suppressed: the store re-applies manual suppressions itself.
    run_once(store, [telnet], at=day(1))
    assert store.get_finding(prefix)[0].status is FindingStatus.SUPPRESSED
    assert [e.id for e in store.manual_exceptions()] == ["manual:R8-1"]


def cell_rest(cell: console.CellFilter) -> tuple[str, str, str, str]:
    return cell.path_check, cell.path_subject, cell.traffic_prefix, cell.traffic_marker

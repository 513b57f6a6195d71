"""The store re-applies manual suppressions itself: a caller that forgets them cannot undo them."""

from __future__ import annotations

from datetime import date

from auditor.store import Store
from auditor.store.manual import suppress_finding
from tests.store.helpers import EMPTY_POLICY, day, finding, run_once, status_of


def test_a_run_recorded_with_the_bare_policy_keeps_a_manual_suppression(store: Store) -> None:
    telnet = finding()
    run_once(store, [telnet], at=day(0))
    suppress_finding(
        store,
        telnet.fingerprint[:12],
        actor="yamada",
        reason="更新予定の旧端末 / legacy terminal until replacement",
        approver="情報政策課長",
        approval_number="R8-0042",
        expires=date(2026, 12, 31),
        now=day(0),
    )

    summary = run_once(store, [telnet], at=day(1), policy=EMPTY_POLICY)  # nothing merged

    assert status_of(store, telnet) == "suppressed"
    assert summary.unsuppressed == 0 and summary.by_severity == {}
    record, events = store.get_finding(telnet.fingerprint)
    assert record.exception_id == "manual:R8-0042"
    assert [e.event_type for e in events].count("unsuppressed") == 0
    assert EMPTY_POLICY.exceptions == []  # the caller's policy is not modified
    assert store.verify().ok


def test_a_manual_suppression_ends_at_its_expiry_like_a_policy_exception(store: Store) -> None:
    telnet = finding()
    run_once(store, [telnet], at=day(0))
    suppress_finding(
        store,
        telnet.fingerprint[:12],
        actor="yamada",
        reason="一時的 / temporary",
        approver="情報政策課長",
        approval_number="R8-0043",
        expires=day(2).date(),
        now=day(0),
    )
    run_once(store, [telnet], at=day(1))
    assert status_of(store, telnet) == "suppressed"

    summary = run_once(store, [telnet], at=day(10))

    assert status_of(store, telnet) == "open"
    assert summary.unsuppressed == 1

"""Retention of the hand-over tables (distributed reports, the bundle register, web sessions).

Runs on SQLite and PostgreSQL (the ``store`` fixture). A dispatch still being reported keeps all
its rows, each collector keeps the register entry that refuses a replay, another city's rows are
never touched, and ``verify`` still proves the chain afterwards.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from auditor.store import Store
from auditor.store.console import create_session
from auditor.store.handover import (
    BundleClaim,
    DeviceReport,
    claim_bundles,
    find_bundle,
    last_sequence,
    report_collection,
    reports,
)
from auditor.store.models import WebSessionRow
from tests.store.helpers import day, finding, run_once


def _report(device: str, n: int) -> DeviceReport:
    return DeviceReport(device, "mynumber", "celery@w1", None, "[]", "[]", day(n))


def _claim(collector: str, sequence: int) -> BundleClaim:
    return BundleClaim(f"{collector}-{sequence:04d}", collector, sequence, "0" * 64, day(0))


def _sessions(store: Store) -> int:
    with store._transaction(write=False) as session:
        return int(session.scalar(select(func.count(WebSessionRow.token_hash))) or 0)


def _write_hand_over(store: Store) -> None:
    for device in ("sw1", "sw2"):
        report_collection(store, "old", _report(device, 0))
    report_collection(store, "straddling", _report("sw1", 1))
    report_collection(store, "straddling", _report("sw2", 4))  # reported after the cut-off
    report_collection(store, "recent", _report("sw1", 5))
    for sequence, n in ((1, 0), (2, 1), (3, 2)):
        claim_bundles(store, [_claim("tier-a", sequence)], now=day(n))
    claim_bundles(store, [_claim("tier-b", 7)], now=day(0))
    for token, expires in ((store.tenant + "-a", day(1)), (store.tenant + "-b", day(10))):
        create_session(
            store, token, username="kanri", csrf_token="c" * 32, expires_at=expires, now=day(0)
        )


def test_prune_drops_old_hand_over_rows_but_keeps_what_runs_and_replays_need(
    store: Store,
) -> None:
    run_once(store, [finding()], at=day(0), devices=["core-sw1"])
    run_once(store, [finding()], at=day(5), devices=["core-sw1"])
    _write_hand_over(store)
    other = store.for_tenant("other-city")
    try:
        _write_hand_over(other)

        removed = store.prune(before=day(3))

        assert removed == 2 + 2 + 1  # the old dispatch, two register entries, one session
        assert reports(store, "old") == []
        assert [r.device for r in reports(store, "straddling")] == ["sw1", "sw2"]
        assert [r.device for r in reports(store, "recent")] == ["sw1"]
        # The register still refuses a replay of a pruned bundle: its sequence is not above the
        # collector's newest, which stays (and so does a lone old entry of another collector).
        assert find_bundle(store, "tier-a-0001") is None
        assert last_sequence(store, "tier-a") == 3
        assert find_bundle(store, "tier-a-0003") is not None
        assert last_sequence(store, "tier-b") == 7
        assert _sessions(store) == 1
        assert store.verify().ok
        assert store.prune(before=day(3)) == 0

        # Another city's rows are untouched until its own retention runs.
        assert len(reports(other, "old")) == 2
        assert find_bundle(other, "tier-a-0001") is not None
        assert _sessions(other) == 2
        assert other.prune(before=day(3)) == 5
    finally:
        other.close()


def test_a_dispatch_being_reported_now_is_never_pruned(store: Store) -> None:
    report_collection(store, "running", _report("sw1", 0))
    report_collection(store, "running", _report("sw2", 9))
    assert store.prune(before=day(9) - timedelta(seconds=1)) == 0
    assert len(reports(store, "running")) == 2
    assert store.prune(before=day(9) + timedelta(seconds=1)) == 2

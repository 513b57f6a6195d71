"""Every result of a run is stored: the cells of the control matrix."""

from __future__ import annotations

from auditor.store import Store
from auditor.store.records import CheckResult, ResultOutcome
from tests.store.helpers import day, finding, run_once

PASS = ResultOutcome.PASS


def test_results_are_stored_per_run_and_read_back_in_order(store: Store) -> None:
    first = run_once(
        store,
        [finding()],
        at=day(0),
        results=[
            CheckResult("HRD-002", "core-sw1", PASS),
            CheckResult("HRD-001", "core-sw1", ResultOutcome.FAIL, "1 finding(s)", "指摘 1 件"),
            CheckResult("WIFI-001", "network", ResultOutcome.NOT_APPLICABLE, "no AP", "AP なし"),
        ],
    )
    second = run_once(store, [], at=day(1), results=[CheckResult("HRD-001", "core-sw1", PASS)])
    assert first.results_stored == 3
    rows = store.run_results(first.run_id)
    assert [(r.check_id, r.target, r.outcome) for r in rows] == [
        ("HRD-001", "core-sw1", ResultOutcome.FAIL),
        ("HRD-002", "core-sw1", PASS),
        ("WIFI-001", "network", ResultOutcome.NOT_APPLICABLE),
    ]
    assert rows[2].reason_ja == "AP なし"
    assert [r.outcome for r in store.run_results(second.run_id)] == [PASS]
    newest = store.results_run()
    assert newest is not None and newest.id == second.run_id
    older = store.results_run(before=day(0))
    assert older is not None and older.id == first.run_id


def test_one_cell_per_check_and_target(store: Store) -> None:
    summary = run_once(
        store,
        [],
        at=day(0),
        results=[
            CheckResult("HRD-001", "core-sw1", PASS),
            CheckResult("HRD-001", "core-sw1", ResultOutcome.FAIL),
        ],
    )
    assert summary.results_stored == 1
    assert [r.outcome for r in store.run_results(summary.run_id)] == [ResultOutcome.FAIL]


def test_a_run_without_results_is_not_a_results_run(store: Store) -> None:
    summary = run_once(store, [], at=day(0))
    assert store.results_run() is None
    assert store.run_results(summary.run_id) == []

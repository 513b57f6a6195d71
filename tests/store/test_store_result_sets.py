"""Results are stored once per distinct set: an unchanged poll links the sets of the previous
run instead of copying every (check, target) cell again (issue 20's soak)."""

from __future__ import annotations

from collections.abc import Sequence

import pytest
from sqlalchemy import Table, insert, text
from sqlalchemy.exc import IntegrityError

from auditor.store import Store, upgrade
from auditor.store.models import RunRow
from auditor.store.records import CheckResult, ResultOutcome, ResultRecord
from tests.store.helpers import day, run_once

PASS, FAIL, NA = ResultOutcome.PASS, ResultOutcome.FAIL, ResultOutcome.NOT_APPLICABLE
DEVICES = [f"sw-{n:02d}" for n in range(12)]
CHECKS = ["HRD-001", "HRD-002", "NET-010", "WIFI-001"]


def matrix(changed: str | None = None) -> list[CheckResult]:
    """Every check on every device; ``changed`` fails HRD-002 instead of passing it."""
    results = []
    for check in CHECKS:
        for device in DEVICES:
            if check == "WIFI-001":
                results.append(CheckResult(check, device, NA, "no AP", "AP なし"))
            elif check == "HRD-002" and device == changed:
                results.append(CheckResult(check, device, FAIL, "1 finding(s)", "指摘 1 件"))
            else:
                results.append(CheckResult(check, device, PASS))
    return results


def expected(run_id: int, results: Sequence[CheckResult]) -> list[ResultRecord]:
    """What the old per-run table returned: one cell per (check, target), the last result
    wins, by check then target."""
    cells = {(r.check_id, r.target): r for r in results}
    return [
        ResultRecord(run_id, r.check_id, r.target, r.outcome, r.reason_en, r.reason_ja)
        for _, r in sorted(cells.items())
    ]


def counts(store: Store, tenant: str = "default") -> tuple[int, int, int]:
    """(sets, cells, links) of ``tenant``, counted in the database itself."""
    with store.engine.connect() as connection:
        return tuple(  # type: ignore[return-value]
            connection.execute(
                text(f"SELECT COUNT(*) FROM {table} WHERE tenant = :tenant"), {"tenant": tenant}
            ).scalar_one()
            for table in ("result_sets", "result_set_rows", "run_result_sets")
        )


def test_an_identical_run_adds_no_result_rows(store: Store) -> None:
    first = run_once(store, [], at=day(0), devices=DEVICES, results=matrix())
    after_first = counts(store)
    assert after_first == (len(CHECKS), len(CHECKS) * len(DEVICES), len(CHECKS))
    second = run_once(store, [], at=day(1), devices=DEVICES, results=matrix())
    assert counts(store) == (len(CHECKS), len(CHECKS) * len(DEVICES), 2 * len(CHECKS))
    assert first.results_stored == second.results_stored == len(CHECKS) * len(DEVICES)
    assert store.run_results(first.run_id) == expected(first.run_id, matrix())
    assert store.run_results(second.run_id) == expected(second.run_id, matrix())


def test_one_changed_result_adds_one_set_for_that_check_only(store: Store) -> None:
    runs = [
        (run_once(store, [], at=day(n), devices=DEVICES, results=results).run_id, results)
        for n, results in enumerate([matrix(), matrix(changed="sw-03"), matrix()])
    ]
    sets, cells, links = counts(store)
    assert (sets, cells, links) == (len(CHECKS) + 1, (len(CHECKS) + 1) * len(DEVICES), 12)
    with store.engine.connect() as connection:
        per_check = dict(
            connection.execute(
                text("SELECT check_id, COUNT(*) FROM result_sets GROUP BY check_id")
            ).all()
        )
    assert per_check == {"HRD-001": 1, "HRD-002": 2, "NET-010": 1, "WIFI-001": 1}
    for run_id, results in runs:
        assert store.run_results(run_id) == expected(run_id, results)
    newest = store.results_run()
    assert newest is not None and newest.id == runs[-1][0]


def test_duplicate_and_long_targets_keep_the_old_reading(store: Store) -> None:
    long_target = "x" * 300
    results = [
        CheckResult("HRD-001", "b", PASS),
        CheckResult("HRD-001", "a", FAIL, "why", "理由"),
        CheckResult("HRD-001", "a", PASS),
        CheckResult("HRD-000", long_target, NA, None, "理由のみ"),
    ]
    summary = run_once(store, [], at=day(0), results=results)
    assert summary.results_stored == 3
    rows = store.run_results(summary.run_id)
    assert [(r.check_id, r.target, r.outcome, r.reason_ja) for r in rows] == [
        ("HRD-000", long_target[:255], NA, "理由のみ"),
        ("HRD-001", "a", PASS, None),
        ("HRD-001", "b", PASS, None),
    ]


def test_cities_never_share_a_set(store: Store) -> None:
    north_run = run_once(store, [], at=day(0), devices=DEVICES, results=matrix())
    with store.for_tenant("south") as south:
        assert south.results_run() is None
        south_run = run_once(south, [], at=day(0), devices=DEVICES, results=matrix())
        assert counts(store, "south") == counts(store, "default")
        assert south.run_results(north_run.run_id) == []
        assert south.run_results(south_run.run_id) == expected(south_run.run_id, matrix())
        south.prune(day(100))
    assert store.run_results(south_run.run_id) == []
    assert store.run_results(north_run.run_id) == expected(north_run.run_id, matrix())
    with store.engine.connect() as connection:
        mixed = connection.execute(
            text(
                "SELECT COUNT(*) FROM run_result_sets l JOIN result_sets s ON s.id = l.set_id "
                "WHERE s.tenant <> l.tenant"
            )
        ).scalar_one()
    assert mixed == 0
    # The database itself refuses a link from one city to another's set.
    with pytest.raises(IntegrityError), store.engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO run_result_sets (run_id, set_id, tenant) "
                "SELECT :run, id, 'south' FROM result_sets WHERE tenant = 'default' LIMIT 1"
            ),
            {"run": south_run.run_id},
        )


def test_prune_removes_sets_no_run_links(store: Store) -> None:
    first = run_once(store, [], at=day(0), devices=DEVICES, results=matrix(changed="sw-01"))
    second = run_once(store, [], at=day(1), devices=DEVICES, results=matrix())
    assert store.prune(day(100)) == 0  # every set is linked
    with store.engine.begin() as connection:  # the first run's links gone (as if pruned)
        connection.execute(
            text("DELETE FROM run_result_sets WHERE run_id = :r"), {"r": first.run_id}
        )
    removed = store.prune(day(100))
    assert removed == 1 + len(DEVICES)  # its HRD-002 set and cells; the shared ones stay
    assert counts(store) == (len(CHECKS), len(CHECKS) * len(DEVICES), len(CHECKS))
    assert store.run_results(second.run_id) == expected(second.run_id, matrix())
    assert store.verify().ok


def test_a_store_at_0015_with_results_upgrades_into_sets(store_url: str) -> None:
    """Results of runs written before 0016 move into sets: identical ones shared, different ones
    not, each city its own; a run recorded afterwards reuses the moved sets."""
    upgrade(store_url, "0015_tenants")
    with Store(store_url) as store:
        engine = store.engine
        runs: Table = RunRow.__table__  # type: ignore[assignment]
        with engine.begin() as connection:
            ids = {}
            for n, tenant in ((1, "default"), (2, "default"), (3, "south")):
                ids[n] = connection.execute(
                    insert(runs)
                    .returning(runs.c.id)
                    .values(
                        tenant=tenant,
                        kind="audit",
                        scope="full",
                        status="complete",
                        started_at=day(n),
                        finished_at=day(n),
                        devices=DEVICES,
                        devices_attempted=len(DEVICES),
                        devices_collected=len(DEVICES),
                        finding_counts={},
                        tool_version="0.1.0-test",
                    )
                ).scalar_one()
            old = {ids[1]: matrix(), ids[2]: matrix(changed="sw-05"), ids[3]: matrix()}
            for run_id, results in old.items():
                for result in results:
                    connection.execute(
                        text(
                            "INSERT INTO run_results (run_id, check_id, target, outcome, "
                            "reason_en, reason_ja, tenant) VALUES (:run, :check, :target, "
                            ":outcome, :en, :ja, :tenant)"
                        ),
                        {
                            "run": run_id,
                            "check": result.check_id,
                            "target": result.target,
                            "outcome": result.outcome.value,
                            "en": result.reason_en,
                            "ja": result.reason_ja,
                            "tenant": "south" if run_id == ids[3] else "default",
                        },
                    )
        store.upgrade()
        assert store.schema_is_current()
        assert counts(store) == (len(CHECKS) + 1, (len(CHECKS) + 1) * len(DEVICES), 8)
        assert counts(store, "south") == (len(CHECKS), len(CHECKS) * len(DEVICES), 4)
        for run_id in (ids[1], ids[2]):
            assert store.run_results(run_id) == expected(run_id, old[run_id])
        with store.for_tenant("south") as south:
            assert south.run_results(ids[3]) == expected(ids[3], old[ids[3]])
        newest = store.results_run()
        assert newest is not None and newest.id == ids[2]
        later = run_once(store, [], at=day(9), devices=DEVICES, results=matrix())
        assert counts(store)[:2] == (len(CHECKS) + 1, (len(CHECKS) + 1) * len(DEVICES))
        assert store.run_results(later.run_id) == expected(later.run_id, matrix())
        assert store.verify().ok

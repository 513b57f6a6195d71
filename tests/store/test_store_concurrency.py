"""Writers in parallel (daemon job + a CLI ``auditor check``) never fork the event chain."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from auditor.store import Store
from tests.store.helpers import day, finding, run_once

WRITERS = 4
RUNS_EACH = 3


def _writer(url: str, number: int) -> int:
    device = f"sw-{number}"
    events = 0
    with Store(url) as store:
        for run in range(RUNS_EACH):
            items = [finding(device=device, subject=f"port {n}") for n in range(20 - 5 * run)]
            summary = run_once(store, items, at=day(run), devices=[device], scope="partial")
            store.ack(items[0].fingerprint, f"operator-{number}", None, now=day(run))
            events += summary.events_appended + 1
    return events


def test_parallel_writers_keep_one_contiguous_verifiable_chain(store: Store) -> None:
    with ThreadPoolExecutor(WRITERS) as pool:
        appended = sum(pool.map(_writer, [store.url] * WRITERS, range(WRITERS)))
    result = store.verify()
    assert result.ok, result.reason
    assert result.events_checked == appended
    assert len(store.list_runs(limit=100)) == WRITERS * RUNS_EACH
    assert len(store.list_findings(status=["resolved"])) == WRITERS * 10

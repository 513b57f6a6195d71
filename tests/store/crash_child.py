"""Child process of the crash test: records a big run and blocks inside its transaction.

Usage: ``python crash_child.py URL RUN_ID FINDINGS [CACHE_KIB]``. When the first
``finding_events`` INSERT is about to run (every finding row of the run has already been written
inside the transaction), it prints ``inside-transaction`` on stdout and sleeps until the parent
SIGKILLs it. ``CACHE_KIB`` shrinks SQLite's page cache (default 2 MB), so uncommitted pages spill
into the WAL after that much of a transaction: a smaller run then spills as much.
"""

from __future__ import annotations

import sys
import time
from typing import Any

from sqlalchemy import event

from auditor.policy.models import Policy
from auditor.store import Store
from tests.store.helpers import day, finding


def main() -> None:
    url, run_id, count = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    store = Store(url)
    if len(sys.argv) > 4 and store.engine.dialect.name == "sqlite":
        cache = f"PRAGMA cache_size = -{int(sys.argv[4])}"

        @event.listens_for(store.engine, "connect")
        def _small_page_cache(dbapi_connection: Any, _record: Any) -> None:
            dbapi_connection.execute(cache)

        store.engine.dispose()  # a connection opened before would keep the default cache

    @event.listens_for(store.engine, "before_cursor_execute")
    def _block_inside_the_transaction(
        _conn: Any, _cursor: Any, statement: str, *_args: Any
    ) -> None:
        if statement.lstrip().upper().startswith("INSERT INTO FINDING_EVENTS"):
            print("inside-transaction", flush=True)
            time.sleep(600)

    findings = [finding(device=f"sw-{n % 50}", subject=f"port {n}") for n in range(count)]
    store.record_run(
        run_id,
        snapshots={},
        findings=findings,
        covered_devices={f"sw-{n}" for n in range(50)},
        evaluated_checks={"HRD-001"},
        policy=Policy(),
        now=day(1),
        complete=True,
    )
    print("recorded", flush=True)  # never reached when the parent kills us in time


if __name__ == "__main__":
    main()

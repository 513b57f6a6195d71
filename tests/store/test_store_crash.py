"""A writer SIGKILLed in the middle of ``record_run`` leaves the previous state, intact."""

from __future__ import annotations

import os
import select
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

from sqlalchemy import func
from sqlalchemy import select as sql_select

from auditor.store import FindingStatus, RunStatus, Store
from auditor.store.models import FindingEventRow, FindingRow
from auditor.store.url import sqlite_path
from tests.store.helpers import TOOL_VERSION, day, finding, run_once

REPO = Path(__file__).resolve().parents[2]
CHILD = Path(__file__).with_name("crash_child.py")
# The writer's uncommitted pages must outgrow its SQLite page cache and spill into the WAL, over
# 1 MB of them. With the default 2 MB cache that took 6,000 findings (2 MB spilled, 1.1 s of the
# child's CPU); the child runs with a 256 KiB cache instead, so 2,000 findings spill 1.2 MB: the
# same situation for recovery (uncommitted frames in the WAL), a third of the writing.
BIG_RUN = 2_000
CACHE_KIB = 256


def _wait_for_line(process: subprocess.Popen[str], timeout: float) -> str:
    assert process.stdout is not None
    ready, _, _ = select.select([process.stdout], [], [], timeout)
    assert ready, "child never reached the transaction"
    return process.stdout.readline().strip()


def test_a_run_killed_mid_transaction_leaves_no_half_written_findings(store: Store) -> None:
    devices = [f"sw-{n}" for n in range(50)]
    before = [finding(device=f"sw-{n % 50}", subject=f"old {n}") for n in range(100)]
    run_once(store, before, at=day(0), devices=devices)
    killed_run = store.begin_run("audit", "full", devices, TOOL_VERSION, None, None, day(1))
    events_before = store.verify().events_checked

    path = sqlite_path(store.url)
    wal = None if path is None else path.with_name(path.name + "-wal")
    committed = 0 if wal is None else wal.stat().st_size  # every run before is committed
    child = subprocess.Popen(
        [sys.executable, str(CHILD), store.url, str(killed_run), str(BIG_RUN), str(CACHE_KIB)],
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert _wait_for_line(child, timeout=120) == "inside-transaction"
        if wal is not None:
            # The writer has already spilled uncommitted pages into the WAL (all it added since:
            # it commits nothing before): recovery must drop them.
            assert wal.stat().st_size - committed > 1_000_000
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
    assert child.returncode == -signal.SIGKILL

    if path is not None:
        with sqlite3.connect(path) as raw:
            assert raw.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    with Store(store.url) as reopened:
        with reopened.engine.connect() as connection:
            touched_by_killed_run = connection.scalar(
                sql_select(func.count())
                .select_from(FindingRow)
                .where(FindingRow.last_run_id == killed_run)
            )
            total = connection.scalar(sql_select(func.count()).select_from(FindingRow))
            events = connection.scalar(sql_select(func.count()).select_from(FindingEventRow))
        assert (touched_by_killed_run, total, events) == (0, len(before), events_before)
        assert {r.status for r in reopened.list_findings()} == {FindingStatus.NEW}
        assert reopened.get_run(killed_run).status is RunStatus.RUNNING
        result = reopened.verify()
        assert result.ok, result.reason
        assert reopened.mark_running_runs_incomplete("writer was killed", now=day(2)) == [
            killed_run
        ]
        # The store keeps working after the crash: the next run records normally.
        summary = run_once(reopened, before[:10], at=day(3), devices=devices)
        assert (summary.resolved, reopened.verify().ok) == (90, True)

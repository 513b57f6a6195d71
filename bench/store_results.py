"""Bytes one run's control matrix adds to a SQLite store: first run, unchanged run, one change.

    .venv/bin/python bench/store_results.py --devices 200 --checks 25 [--checks 60]

Records the same synthetic results (every check on every device, some N/A with a reason) in
three consecutive runs of a fresh store: the first, an identical one (an unchanged poll) and one
where a single device's result of one check changed. Prints the bytes each run added (used
pages after a WAL checkpoint, so the figure is the data and its indexes, not preallocation) and
the CPU seconds of ``record_run``; writes JSON to bench/results/.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from auditor.policy.models import Policy  # noqa: E402
from auditor.store import Store  # noqa: E402
from auditor.store.records import CheckResult, ResultOutcome  # noqa: E402


def matrix(devices: int, checks: int, changed: str | None = None) -> list[CheckResult]:
    results = []
    for c in range(checks):
        for d in range(devices):
            target = f"sw-{d:03d}"
            if (c + d) % 7 == 0:
                results.append(
                    CheckResult(
                        f"CHK-{c:03d}",
                        target,
                        ResultOutcome.NOT_APPLICABLE,
                        "the device has no such feature",
                        "該当する機能がない",
                    )
                )
            elif target == changed and c == 1:
                results.append(
                    CheckResult(
                        f"CHK-{c:03d}", target, ResultOutcome.FAIL, "1 finding(s)", "指摘 1 件"
                    )
                )
            else:
                results.append(CheckResult(f"CHK-{c:03d}", target, ResultOutcome.PASS))
    return results


def used_bytes(path: Path) -> int:
    connection = sqlite3.connect(path)
    try:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        pages, free, size = (
            connection.execute(f"PRAGMA {name}").fetchone()[0]
            for name in ("page_count", "freelist_count", "page_size")
        )
    finally:
        connection.close()
    return int((pages - free) * size)


def measure(devices: int, checks: int) -> dict[str, object]:
    database = Path(tempfile.mkdtemp()) / "auditor.db"
    names = [f"sw-{d:03d}" for d in range(devices)]
    start_at = datetime(2027, 1, 1, tzinfo=UTC)
    sizes: list[int] = []
    cpu: list[float] = []
    with Store(f"sqlite:///{database}") as store:
        store.upgrade()
        sizes.append(used_bytes(database))
        for n, changed in enumerate([None, None, "sw-005"]):
            at = start_at + timedelta(minutes=n)
            run_id = store.begin_run("snmp_poll", "full", names, "bench", "r", "p", at)
            results = matrix(devices, checks, changed)
            before = time.process_time()
            store.record_run(
                run_id,
                snapshots={},
                findings=[],
                covered_devices=set(names),
                evaluated_checks=set(),
                policy=Policy(),
                now=at,
                complete=True,
                results=results,
            )
            cpu.append(round(time.process_time() - before, 3))
            sizes.append(used_bytes(database))
            assert len(store.run_results(run_id)) == devices * checks
    added = [after - before for before, after in pairwise(sizes)]
    return {
        "devices": devices,
        "checks": checks,
        "cells": devices * checks,
        "bytes_first_run": added[0],
        "bytes_unchanged_run": added[1],
        "bytes_one_change": added[2],
        "record_run_cpu_s": cpu,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--devices", type=int, default=200)
    parser.add_argument("--checks", type=int, action="append")
    args = parser.parse_args()
    figures = [measure(args.devices, checks) for checks in args.checks or [25]]
    for row in figures:
        print(
            f"{row['cells']:>6} cells ({row['devices']} devices × {row['checks']} checks): "
            f"first run +{row['bytes_first_run']:,} B, unchanged run "
            f"+{row['bytes_unchanged_run']:,} B, one change +{row['bytes_one_change']:,} B; "
            f"record_run CPU {row['record_run_cpu_s']} s"
        )
    out = REPO / "bench" / "results"
    out.mkdir(exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    (out / f"store_results-{stamp}.json").write_text(json.dumps(figures, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

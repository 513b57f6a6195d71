"""Time and peak memory of the nightly report and every export at N findings.

    .venv/bin/python bench/report_scale.py --findings 100000

Builds a SQLite store through the Store API (two runs: the second resolves 2% and adds 5%), then
runs each step in a fresh child process so each peak RSS is that step's own (ru_maxrss, which
includes the interpreter and the store read every step starts with: see the ``load`` row).
Exports read each finding's history (``with_history``: one ``list_events`` read of the chain),
as ``auditor export`` does. ``--repeat`` runs the steps that many times, interleaved (csv, xlsx,
..., csv, xlsx, ...), and prints min/median/max; the reference is the figure of issue 20 (main
before this change, 105,000 findings), printed beside ours. The last line reads
``xlsx_s=N csv_s=N json_s=N sarif_s=N pdf_peak_mib=N`` (medians, each including its store load).
Each step also reports its CPU time (``time.process_time`` of the child): on a shared machine
the wall time is inflated by other jobs, the CPU time much less. The ``load`` row and the first
step after a run re-hash the event chain from its checkpoint (``Store.chain_status``).
Writes dated JSON to bench/results/ (bench/common.py).
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

STEPS = ("load", "html", "text", "md", "csv", "csv-cp932", "xlsx", "json", "sarif", "bundle", "pdf")
ZONES = ("mynumber", "lgwan", "internet", "sanitizer", "management", "education", "public-wifi")
CHECKS = (
    ("SEG-001", "critical", ("guideline", "通信回線及び通信回線装置の管理"), "4-1-2"),
    ("HRD-001", "high", ("guideline", "ID及びパスワード等の管理"), "4-1-4"),
    ("HRD-006", "medium", ("guideline", "アクセス制御"), "4-1-4"),
    ("MON-001", "medium", ("guideline", "ログの取得等"), "4-2-2"),
    ("LED-002", "low", ("guideline", "情報資産の分類と管理"), "4-1-5"),
    ("HRD-010", "info", ("guideline", "コンピュータ及びネットワークの管理"), "4-1-4"),
)


def _findings(count: int, offset: int = 0) -> list:  # type: ignore[type-arg]
    from auditor.model.findings import Finding, Reference, Severity

    per_device = 50
    result = []
    for index in range(offset, offset + count):
        device_index, port = divmod(index, per_device)
        check_id, severity, (kind, title), plan = CHECKS[index % len(CHECKS)]
        zone = ZONES[device_index % len(ZONES)]
        device = f"sw{device_index:05d}"
        result.append(
            Finding(
                check_id=check_id,
                severity=Severity(severity),
                device=device,
                subject=f"Gi1/0/{port}",
                zone=zone,
                message_en=f"{device} Gi1/0/{port}: description 'office {port}' violates {check_id}",
                message_ja=f"{device} の Gi1/0/{port} (説明: 事務室 {port}) は {check_id} に違反しています",
                references=[Reference(kind=kind, key=title), Reference(kind="plan", key=plan)],  # type: ignore[arg-type]
            )
        )
    return result


def populate(db: str, count: int) -> dict[str, float]:
    from auditor.policy.loader import load_policy
    from auditor.store import Store

    policy = load_policy(REPO / "policies" / "example-city").policy
    first = _findings(count)
    resolved = count // 50
    second = first[resolved:] + _findings(count // 20, offset=count)
    devices = sorted({f.device for f in first + second if f.device})
    now = datetime.now(UTC)
    timings = {}
    with Store(db) as store:
        store.upgrade()
        for label, findings, at in (
            ("run1", first, now - timedelta(days=1)),
            ("run2", second, now),
        ):
            started = time.perf_counter()
            run_id = store.begin_run("audit", "full", devices, "bench", "bench-pack", "bench", at)
            store.record_run(
                run_id,
                snapshots={},
                findings=findings,
                covered_devices=set(devices),
                evaluated_checks={c[0] for c in CHECKS},
                policy=policy,
                now=at,
                complete=True,
            )
            timings[f"store_{label}_s"] = round(time.perf_counter() - started, 2)
    return timings


def _vm(field: str) -> int:
    """A ``/proc/self/status`` memory figure in KiB (Linux)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def _reset_peak() -> None:
    """Reset VmHWM so the step's own peak RSS can be read afterwards (Linux >= 4.0)."""
    Path("/proc/self/clear_refs").write_text("5")


def step(db: str, name: str, out_dir: Path) -> dict[str, float | int | str]:
    """One step in this (child) process: read the store, then produce one output."""
    from auditor.report.render import render_report
    from auditor.report.service import (
        ROW_FORMATS,
        ReportInputs,
        build_report,
        load_inputs,
        run_export,
    )
    from auditor.store import Store

    inputs = load_inputs(REPO / "policies" / "example-city", None)
    started = time.perf_counter()
    cpu_started = time.process_time()
    with Store(db) as store:
        # As `auditor export` reads it: a row export needs no summary section and no matrix.
        row_export = name in ROW_FORMATS or name == "csv-cp932"
        data = build_report(
            store, inputs, with_history=True, with_matrix=not row_export, sections=not row_export
        )
        load_s = time.perf_counter() - started
        load_cpu_s = time.process_time() - cpu_started
        load_peak = _vm("VmHWM")
        _reset_peak()
        started = time.perf_counter()
        cpu_started = time.process_time()
        out = out_dir / f"out-{name}"
        if name in {"html", "text", "md"}:
            out.write_text(render_report(data, name, "ja"), encoding="utf-8")  # type: ignore[arg-type]
        elif name == "csv-cp932":
            run_export("csv", out, data, encoding="cp932")
        elif name != "load":
            run_export(
                name,
                out,
                data,
                store=store,
                inputs=ReportInputs(policy_path=inputs.policy_path),
                titles={},
            )  # type: ignore[arg-type]
        step_s = time.perf_counter() - started
        step_cpu_s = time.process_time() - cpu_started
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {
        "step": name,
        "findings": len(data.findings),
        "load_s": round(load_s, 2),
        "step_s": round(step_s if name != "load" else 0.0, 2),
        "load_cpu_s": round(load_cpu_s, 2),
        "step_cpu_s": round(step_cpu_s if name != "load" else 0.0, 2),
        "load_peak_rss_mib": round(load_peak / 1024, 1),
        "step_peak_rss_mib": round(_vm("VmHWM") / 1024, 1) if name != "load" else 0.0,
        "peak_rss_mib": round(peak_kib / 1024, 1),
        "output_bytes": out.stat().st_size if name != "load" and out.exists() else 0,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--findings", type=int, default=100_000)
    parser.add_argument("--steps", default=",".join(STEPS))
    parser.add_argument("--pdf-timeout", type=float, default=900.0)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--reuse-db",
        help="a store populated by an earlier run (SQLite file): skip populating; its chain "
        "checkpoint is cleared so the first step walks the chain as after a fresh populate",
    )
    parser.add_argument("--step", help=argparse.SUPPRESS)
    parser.add_argument("--db", help=argparse.SUPPRESS)
    parser.add_argument("--out-dir", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.step:
        print(json.dumps(step(args.db, args.step, Path(args.out_dir))))
        return

    with tempfile.TemporaryDirectory(prefix="report-bench-") as scratch:
        db = f"sqlite:///{scratch}/bench.db"
        if args.reuse_db:
            db = f"sqlite:///{Path(args.reuse_db).resolve()}"
            print(f"reusing {args.reuse_db} (checkpoint cleared)", flush=True)
            populated: dict[str, object] = {"reused": args.reuse_db}
            _clear_checkpoint(db)
        else:
            print(f"populating {args.findings} findings ...", flush=True)
            populated = populate(db, args.findings)  # type: ignore[assignment]
        results: dict[str, object] = {
            "findings": args.findings,
            "python": platform.python_version(),
            "machine": platform.machine(),
            "when": datetime.now(UTC).isoformat(timespec="seconds"),
            "populate": populated,
            "steps": [],
        }
        print(json.dumps(results["populate"]), flush=True)
        print(
            f"{'step':<10} {'findings':>8} {'load s':>7} {'step s':>7} {'load cpu':>8} "
            f"{'step cpu':>8} {'cpu s':>7} {'load MiB':>9} {'step MiB':>9} {'bytes':>12}"
        )
        for _ in range(args.repeat):
            for name in args.steps.split(","):
                row = _child(name, db, scratch, args.pdf_timeout)
                results["steps"].append(row)  # type: ignore[attr-defined]
    print(_summary(results["steps"]))  # type: ignore[arg-type]
    from bench.common import write_results

    print(f"written {write_results(f'report_scale-{args.findings}', results)}")
    print(_acceptance(results["steps"]))  # type: ignore[arg-type]


def _clear_checkpoint(db: str) -> None:
    from sqlalchemy import text

    from auditor.store import Store

    with Store(db) as store:
        store.upgrade()
        with store.engine.begin() as connection:
            connection.execute(text("DELETE FROM chain_checkpoint"))


# Issue 20 (main before this change, 105,000 findings): the reference each figure is set beside.
REFERENCE = {"load": 23.0, "xlsx": 45.5, "pdf": 21.5, "pdf_peak_mib": 837.0}
# Main before the "exports under 5 s" part (docs/performance.md, third part; the PDF from the
# second part), 105,000 findings: CPU s, load included.
REFERENCE_CPU = {
    "load": 4.13,
    "csv": 6.19,
    "xlsx": 9.80,
    "json": 5.87,
    "sarif": 5.73,
    "pdf": 17.11,
}


def _child(name: str, db: str, scratch: str, timeout: float) -> dict[str, object]:
    command = [sys.executable, __file__, "--step", name, "--db", db, "--out-dir", scratch]
    try:
        done = subprocess.run(
            command,
            capture_output=True,
            text=True,
            check=True,
            timeout=timeout if name == "pdf" else None,
        )
    except subprocess.TimeoutExpired:
        print(f"{name:<10} timed out after {timeout:.0f} s", flush=True)
        return {"step": name, "timeout_s": timeout}
    row: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    row["total_s"] = round(float(row["load_s"]) + float(row["step_s"]), 2)  # type: ignore[arg-type]
    row["total_cpu_s"] = round(float(row["load_cpu_s"]) + float(row["step_cpu_s"]), 2)  # type: ignore[arg-type]
    print(
        f"{name:<10} {row['findings']:>8} {row['load_s']:>7} {row['step_s']:>7} "
        f"{row['load_cpu_s']:>8} {row['step_cpu_s']:>8} {row['total_cpu_s']:>7} "
        f"{row['load_peak_rss_mib']:>9} {row['step_peak_rss_mib']:>9} "
        f"{row['output_bytes']:>12}",
        flush=True,
    )
    return row


def _per_step(rows: list[dict[str, object]], field: str) -> dict[str, list[float]]:
    figures: dict[str, list[float]] = {}
    for row in rows:
        if field in row:
            figures.setdefault(str(row["step"]), []).append(float(row[field]))  # type: ignore[arg-type]
    return figures


def _summary(rows: list[dict[str, object]]) -> str:
    from bench.common import show

    lines = ["total (load + step) per step, and the reference of issue 20 where it has one:"]
    for name, values in _per_step(rows, "total_s").items():
        reference = REFERENCE.get(name)
        beside = f"   (issue 20: {reference} s)" if reference else ""
        lines.append(show(f"  {name:<10}", values, " s", 2) + beside)
    lines.append("CPU time of the same (load + step; what the machine's load does not inflate):")
    for name, values in _per_step(rows, "total_cpu_s").items():
        reference = REFERENCE_CPU.get(name)
        beside = f"   (before: {reference} s)" if reference else ""
        lines.append(show(f"  {name:<10} cpu", values, " s", 2) + beside)
    lines.append("CPU time of the step alone (after the load):")
    for name, values in _per_step(rows, "step_cpu_s").items():
        lines.append(show(f"  {name:<10} step cpu", values, " s", 2))
    for name, values in _per_step(rows, "peak_rss_mib").items():
        beside = f"   (issue 20: {REFERENCE['pdf_peak_mib']} MiB)" if name == "pdf" else ""
        lines.append(show(f"  {name:<10} peak", values, " MiB", 1) + beside)
    return "\n".join(lines)


def _acceptance(rows: list[dict[str, object]]) -> str:
    import statistics

    totals = _per_step(rows, "total_s")
    peaks = _per_step(rows, "peak_rss_mib")

    def median(values: list[float] | None) -> str:
        return f"{statistics.median(values):.1f}" if values else "n/a"

    return (
        f"xlsx_s={median(totals.get('xlsx'))} csv_s={median(totals.get('csv'))} "
        f"json_s={median(totals.get('json'))} sarif_s={median(totals.get('sarif'))} "
        f"pdf_peak_mib={median(peaks.get('pdf'))}"
    )


if __name__ == "__main__":
    main()

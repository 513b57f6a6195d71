"""Time and peak memory of the nightly report and every export at N findings.

    .venv/bin/python bench/report_scale.py --findings 100000

Builds a SQLite store through the Store API (two runs: the second resolves 2% and adds 5%), then
runs each step in a fresh child process so each peak RSS is that step's own (ru_maxrss, which
includes the interpreter and the store read every step starts with: see the ``load`` row).
Writes JSON to bench/results/report_scale-<N>.json.
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
    from auditor.report.service import ReportInputs, build_report, load_inputs, run_export
    from auditor.store import Store

    inputs = load_inputs(REPO / "policies" / "example-city", None)
    started = time.perf_counter()
    with Store(db) as store:
        data = build_report(store, inputs)
        load_s = time.perf_counter() - started
        load_peak = _vm("VmHWM")
        _reset_peak()
        started = time.perf_counter()
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
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {
        "step": name,
        "findings": len(data.findings),
        "load_s": round(load_s, 2),
        "step_s": round(step_s if name != "load" else 0.0, 2),
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
    parser.add_argument("--step", help=argparse.SUPPRESS)
    parser.add_argument("--db", help=argparse.SUPPRESS)
    parser.add_argument("--out-dir", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.step:
        print(json.dumps(step(args.db, args.step, Path(args.out_dir))))
        return

    with tempfile.TemporaryDirectory(prefix="report-bench-") as scratch:
        db = f"sqlite:///{scratch}/bench.db"
        print(f"populating {args.findings} findings ...", flush=True)
        results: dict[str, object] = {
            "findings": args.findings,
            "python": platform.python_version(),
            "machine": platform.machine(),
            "when": datetime.now(UTC).isoformat(timespec="seconds"),
            "populate": populate(db, args.findings),
            "steps": [],
        }
        print(json.dumps(results["populate"]), flush=True)
        print(
            f"{'step':<10} {'findings':>8} {'load s':>7} {'step s':>7} {'load MiB':>9} "
            f"{'step MiB':>9} {'bytes':>12}"
        )
        for name in args.steps.split(","):
            command = [sys.executable, __file__, "--step", name, "--db", db, "--out-dir", scratch]
            try:
                done = subprocess.run(
                    command,
                    capture_output=True,
                    text=True,
                    check=True,
                    timeout=args.pdf_timeout if name == "pdf" else None,
                )
            except subprocess.TimeoutExpired:
                row: dict[str, object] = {"step": name, "timeout_s": args.pdf_timeout}
                print(f"{name:<10} timed out after {args.pdf_timeout:.0f} s", flush=True)
                results["steps"].append(row)  # type: ignore[attr-defined]
                continue
            row = json.loads(done.stdout.strip().splitlines()[-1])
            results["steps"].append(row)  # type: ignore[attr-defined]
            print(
                f"{name:<10} {row['findings']:>8} {row['load_s']:>7} {row['step_s']:>7} "
                f"{row['load_peak_rss_mib']:>9} {row['step_peak_rss_mib']:>9} "
                f"{row['output_bytes']:>12}",
                flush=True,
            )
    target = REPO / "bench" / "results" / f"report_scale-{args.findings}.json"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(results, indent=2), encoding="utf-8")
    print(f"written {target}")


if __name__ == "__main__":
    main()

"""Soak the daemon: a real `auditor daemon` polling an N-device lab every minute for a while.

    .venv/bin/python bench/soak.py --minutes 60 --devices 200 [--every-poll]

Starts a synthetic lab (`lab_up`, SNMP on every device, SSH on `--ssh-devices`), writes a settings
file (`snmp_interval_minutes = 1`, the full audit every `--audit-minutes`, no jitter, report and
retention out of the way), runs the daemon as a subprocess and samples its resident memory, open
descriptors, threads and the database size every 5 minutes (every poll with `--every-poll`).
After the warm-up it fits a line through the samples and prints the slopes per hour. At the end
it stops the daemon with SIGTERM, checks that no run is left `running` and that `verify` is
intact, and writes everything to bench/results/soak-<date>.json.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from auditor.lab.runner import lab_down, lab_up  # noqa: E402
from auditor.store.repository import Store  # noqa: E402

POLICY = REPO / "policies" / "example-city"


def proc_figures(pid: int) -> tuple[float, int, int]:
    """Resident MiB, open descriptors and threads of ``pid`` (Linux /proc)."""
    status = Path(f"/proc/{pid}/status").read_text(encoding="utf-8")
    values = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
    rss_kib = int(values["VmRSS"].split()[0])
    threads = int(values["Threads"])
    fds = len(os.listdir(f"/proc/{pid}/fd"))
    return rss_kib / 1024, fds, threads


def db_mib(db: Path) -> float:
    size = sum(p.stat().st_size for p in db.parent.glob(db.name + "*") if p.is_file())
    return size / 2**20


def slope_per_hour(points: list[tuple[float, float]]) -> float | None:
    """Least-squares slope of (seconds, value) points, per hour."""
    if len(points) < 2:
        return None
    n = len(points)
    mean_t = sum(t for t, _ in points) / n
    mean_v = sum(v for _, v in points) / n
    var = sum((t - mean_t) ** 2 for t, _ in points)
    if var == 0:
        return None
    cov = sum((t - mean_t) * (v - mean_v) for t, v in points)
    return cov / var * 3600


def between_audits(
    samples: list[dict[str, float]], audit_minutes: float
) -> dict[str, float | None]:
    """Slopes within each interval between two audits, averaged: the polls' own trend, without
    the step each audit adds (its snapshots, findings and a larger transient peak)."""
    segments: dict[int, list[dict[str, float]]] = {}
    for sample in samples:
        # A sample taken in the minute an audit starts still shows the polls only.
        segment = int((sample["minute"] - 0.5) // audit_minutes)
        segments.setdefault(segment, []).append(sample)
    result: dict[str, float | None] = {}
    for name in ("rss_mib", "fds", "threads", "db_mib"):
        values = [
            slope
            for segment in segments.values()
            if len(segment) >= 3
            and (slope := slope_per_hour([(s["minute"] * 60, s[name]) for s in segment]))
            is not None
        ]
        result[name] = round(sum(values) / len(values), 2) if values else None
    return result


def write_settings(path: Path, *, policy: Path, inventory: str, state: Path, audit: float) -> None:
    path.write_text(
        "\n".join(
            [
                f'policy = "{policy}"',
                f'inventory = "{inventory}"',
                f'state_dir = "{state}"',
                "snmp_interval_minutes = 1",
                f"audit_interval_minutes = {audit}",
                'report_time = "23:59"',
                'retention_time = "23:58"',
                "jitter_seconds = 0",
                "stop_deadline_seconds = 60",
                'lang = "en"',
                "",
            ]
        ),
        encoding="utf-8",
    )


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--minutes", type=float, default=60)
    parser.add_argument("--devices", type=int, default=200)
    parser.add_argument("--ssh-devices", type=int, default=0)
    parser.add_argument("--audit-minutes", type=float, default=10)
    parser.add_argument("--warm-up-minutes", type=float, default=3)
    parser.add_argument("--sample-minutes", type=float, default=5)
    parser.add_argument("--every-poll", action="store_true", help="sample every minute")
    args = parser.parse_args()
    every = 60.0 if args.every_poll else args.sample_minutes * 60

    scratch = Path(tempfile.mkdtemp(prefix="kyojin-soak-"))
    lab_dir = scratch / "lab"
    state = scratch / "state"
    state.mkdir()
    print(f"lab of {args.devices} devices in {lab_dir} …", flush=True)
    lab = lab_up(None, lab_dir, devices=args.devices, ssh_devices=args.ssh_devices)
    settings = scratch / "auditor.toml"
    write_settings(
        settings,
        policy=POLICY,
        inventory=lab.inventory_file,
        state=state,
        audit=args.audit_minutes,
    )
    log = (scratch / "daemon.log").open("wb")
    env = {**os.environ, "AUDITOR_CONFIG": str(settings)}
    daemon = subprocess.Popen(
        [sys.executable, "-m", "auditor", "daemon", "--config", str(settings)],
        stdout=log,
        stderr=subprocess.STDOUT,
        env=env,
    )
    samples: list[dict[str, float]] = []
    started = time.monotonic()
    db = state / "auditor.db"
    print(
        f"{'min':>6} {'RSS MiB':>8} {'fds':>5} {'threads':>7} {'DB MiB':>7} {'runs':>5}", flush=True
    )
    try:
        next_sample = 0.0
        while (elapsed := time.monotonic() - started) < args.minutes * 60:
            if daemon.poll() is not None:
                raise SystemExit(f"the daemon exited with {daemon.returncode}; see {log.name}")
            if elapsed >= next_sample:
                rss, fds, threads = proc_figures(daemon.pid)
                runs = _count_runs(db)
                sample = {
                    "minute": round(elapsed / 60, 2),
                    "rss_mib": round(rss, 1),
                    "fds": fds,
                    "threads": threads,
                    "db_mib": round(db_mib(db), 2) if db.exists() else 0.0,
                    "runs": runs,
                }
                samples.append(sample)
                print(
                    f"{sample['minute']:6.1f} {sample['rss_mib']:8.1f} {fds:5d} {threads:7d} "
                    f"{sample['db_mib']:7.2f} {runs:5d}",
                    flush=True,
                )
                next_sample += every
            time.sleep(1)
    finally:
        daemon.send_signal(signal.SIGTERM)
        try:
            code = daemon.wait(timeout=120)
        except subprocess.TimeoutExpired:
            daemon.kill()
            code = daemon.wait()
        log.close()
        lab_down(lab_dir)

    warm = [s for s in samples if s["minute"] >= args.warm_up_minutes]
    slopes = {
        name: slope_per_hour([(s["minute"] * 60, s[name]) for s in warm])
        for name in ("rss_mib", "fds", "threads", "db_mib")
    }
    between = between_audits(warm, args.audit_minutes)
    with Store(f"sqlite:///{db}") as store:
        runs = store.list_runs(limit=100_000)
        running = [r.id for r in runs if r.status.value == "running"]
        by_status: dict[str, int] = {}
        for run in runs:
            key = f"{run.kind}:{run.status.value}"
            by_status[key] = by_status.get(key, 0) + 1
        verified = store.verify()
    result = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "devices": args.devices,
        "ssh_devices": args.ssh_devices,
        "minutes": args.minutes,
        "audit_minutes": args.audit_minutes,
        "warm_up_minutes": args.warm_up_minutes,
        "daemon_exit_code": code,
        "samples": samples,
        "slopes_per_hour": slopes,
        "slopes_per_hour_between_audits": between,
        "runs_by_kind_and_status": by_status,
        "left_running": running,
        "verify_ok": verified.ok,
        "verify_events": verified.events_checked,
    }
    print(
        f"slopes per hour after {args.warm_up_minutes} min warm-up: "
        + ", ".join(
            f"{name} {value:+.2f}" if value is not None else f"{name} n/a"
            for name, value in slopes.items()
        )
    )
    print(f"between audits (polls only): {between}")
    print(f"runs: {by_status}; left running: {running or 'none'}; verify ok: {verified.ok}")
    out_dir = REPO / "bench" / "results"
    out_dir.mkdir(parents=True, exist_ok=True)
    out = out_dir / f"soak-{datetime.now(UTC):%Y%m%d-%H%M}.json"
    out.write_text(json.dumps(result, indent=1), encoding="utf-8")
    print(f"results: {out}")
    return 0 if not running and verified.ok and code == 0 else 1


def _count_runs(db: Path) -> int:
    if not db.exists():
        return 0
    import sqlite3

    connection = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5)
    try:
        return int(connection.execute("SELECT count(*) FROM runs").fetchone()[0])
    except sqlite3.Error:
        return 0
    finally:
        connection.close()


if __name__ == "__main__":
    raise SystemExit(main())

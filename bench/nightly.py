"""One nightly cycle end to end on a synthetic lab: run, report and bundle, SQLite and PostgreSQL.

    .venv/bin/python bench/nightly.py --devices 100 [--ssh-share 0.2] [--repetitions 3]

Brings up a synthetic city of N devices (``auditor lab scale``'s generator: SNMP on every device,
SSH on ``--ssh-share`` of them), starts a throwaway PostgreSQL (``scripts/postgres-test-server.sh``
on its own port and directory), then, ``--repetitions`` times interleaved (SQLite, PostgreSQL,
SQLite, …), runs the real CLI as child processes:

* ``auditor run`` (collect every device, every check, store the run),
* ``auditor report`` (the HTML nightly report),
* ``auditor export --format bundle`` (the auditor's evidence bundle).

Prints wall time per phase (min/median/max), each phase's peak RSS (``wait4``), the database's
growth per run and the run's time per device, and writes ``bench/results/nightly-<N>-<UTC>.json``.
There is no external reference tool for a whole audit: the figures are the product's own, for
comparing releases. The lab and the database server are stopped in ``finally``.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from common import show, spread, write_results  # noqa: E402

from auditor.lab.runner import bound_ports, lab_down, lab_up  # noqa: E402

POLICY = REPO / "policies" / "example-city"
PG_SCRIPT = REPO / "scripts" / "postgres-test-server.sh"
PHASES = ("run", "report", "bundle")


def timed(command: list[str], env: dict[str, str], log: Path) -> dict[str, float]:
    """Wall seconds and peak RSS (MiB) of one child process; its output goes to ``log``."""
    started = time.perf_counter()
    with log.open("ab") as out:
        child = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, env=env)
        _, status, usage = os.wait4(child.pid, 0)
    code = os.waitstatus_to_exitcode(status)
    seconds = time.perf_counter() - started
    # auditor run exits 1 when findings at or above --fail-on remain, 3 when some devices could
    # not be collected (a partial run, e.g. timeouts on an overloaded machine): results, not
    # faults; the exit code is recorded.
    if code not in (0, 1, 3):
        tail = log.read_text(encoding="utf-8", errors="replace").splitlines()[-30:]
        print("\n".join(tail), file=sys.stderr)
        raise SystemExit(f"{' '.join(command[:4])} … exited {code}; log tail above")
    return {"seconds": seconds, "peak_rss_mib": usage.ru_maxrss / 1024, "exit_code": float(code)}


def sqlite_mib(path: Path) -> float:
    return sum(p.stat().st_size for p in path.parent.glob(path.name + "*") if p.is_file()) / 2**20


def postgres_mib(url: str) -> float:
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            size = connection.execute(text("select pg_database_size(current_database())"))
            return float(size.scalar_one()) / 2**20
    finally:
        engine.dispose()


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--devices", type=int, default=100)
    parser.add_argument("--ssh-share", type=float, default=0.2, help="share of devices with SSH")
    parser.add_argument("--repetitions", type=int, default=3)
    parser.add_argument("--pg-port", type=int, default=55491)
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument(
        "--ready-timeout",
        type=float,
        default=None,
        help="seconds the lab may take to answer (default: the lab's own, 60 s + 0.1 s/device)",
    )
    args = parser.parse_args()
    if args.repetitions < 1:
        raise SystemExit("at least 1 repetition")
    if args.repetitions < 3:
        # 2,000 devices take ~10 minutes per run on the shared machine: fewer repetitions are
        # allowed for the large sizes, and said so.
        print(f"note: {args.repetitions} repetition(s), fewer than the usual 3", flush=True)
    scratch = Path(tempfile.mkdtemp(prefix="kyojin-nightly-"))
    lab_dir = scratch / "lab"
    # The server runs as "postgres", which cannot enter the private scratch directory: the
    # script's own /tmp/kyojin-pg-PORT is used (and deleted by "stop").
    pg_env = {**os.environ, "KYOJIN_PG_PORT": str(args.pg_port)}
    ssh_devices = round(args.devices * args.ssh_share)
    figures: dict[str, Any] = {"devices": args.devices, "ssh_devices": ssh_devices}
    samples: dict[str, dict[str, list[dict[str, float]]]] = {}
    pg_started = False
    try:
        started = time.perf_counter()
        lab = lab_up(
            None,
            lab_dir,
            devices=args.devices,
            ssh_devices=ssh_devices,
            ready_timeout=args.ready_timeout,
        )
        figures["lab_up_seconds"] = round(time.perf_counter() - started, 2)
        databases: dict[str, str] = {"sqlite": f"sqlite:///{scratch / 'kyojin.db'}"}
        if not args.no_postgres:
            subprocess.run(["bash", str(PG_SCRIPT), "start"], env=pg_env, check=True)
            pg_started = True
            url = subprocess.run(
                ["bash", str(PG_SCRIPT), "url"], env=pg_env, check=True, capture_output=True,
                text=True,
            ).stdout.strip()  # fmt: skip
            databases["postgres"] = url
        samples = {name: {phase: [] for phase in PHASES} for name in databases}
        growth: dict[str, list[float]] = {name: [] for name in databases}

        def size(name: str) -> float:
            if name == "sqlite":
                return sqlite_mib(scratch / "kyojin.db")
            return postgres_mib(databases[name])

        auditor = [sys.executable, "-m", "auditor"]
        for name, db in databases.items():
            # The schema first, so that every run's growth (the first one's too) is the run's.
            subprocess.run(
                [*auditor, "db", "upgrade", "--db", db],
                env={**os.environ, "AUDITOR_STATE_DIR": str(scratch / f"state-{name}")},
                check=True,
                capture_output=True,
            )
        for repetition in range(args.repetitions):
            for name, db in databases.items():
                env = {**os.environ, "AUDITOR_STATE_DIR": str(scratch / f"state-{name}")}
                common = ["--db", db, "--policy", str(POLICY), "--inventory", lab.inventory_file]
                log = scratch / f"{name}.log"
                before = size(name)
                samples[name]["run"].append(timed([*auditor, "run", *common, "--fail-on", "never"], env, log))  # fmt: skip
                growth[name].append(size(name) - before)
                run = samples[name]["run"][-1]
                print(
                    f"{name} run {repetition + 1}: {run['seconds']:.1f} s, peak "
                    f"{run['peak_rss_mib']:.0f} MiB, exit {run['exit_code']:.0f}, "
                    f"DB +{growth[name][-1]:.2f} MiB",
                    flush=True,
                )
                report = scratch / f"report-{name}.html"
                samples[name]["report"].append(
                    timed([*auditor, "report", *common, "--out", str(report)], env, log)
                )
                bundle = scratch / f"bundle-{name}.zip"
                samples[name]["bundle"].append(
                    timed(
                        [*auditor, "export", "--format", "bundle", "--out", str(bundle), *common],
                        env,
                        log,
                    )
                )
            done = ", ".join(
                f"{name} {phase} {samples[name][phase][-1]['seconds']:.1f} s"
                for name in databases
                for phase in PHASES
            )
            print(f"repetition {repetition + 1}/{args.repetitions} done: {done}", flush=True)
        for name in databases:
            per_phase = {
                phase: {
                    "seconds": spread([s["seconds"] for s in samples[name][phase]]),
                    "peak_rss_mib": spread([s["peak_rss_mib"] for s in samples[name][phase]]),
                }
                for phase in PHASES
            }
            runs = [s["seconds"] for s in samples[name]["run"]]
            figures[name] = {
                **per_phase,
                "db_growth_per_run_mib": spread(growth[name]) if growth[name] else None,
                "db_size_mib": round(size(name), 2),
                "run_seconds_per_device": spread([s / args.devices for s in runs]),
            }
            print(f"--- {name} ({args.devices} devices, {ssh_devices} with SSH)")
            for phase in PHASES:
                print(show(f"{phase} s", [s["seconds"] for s in samples[name][phase]], digits=1))
                print(show(f"{phase} peak RSS MiB", [s["peak_rss_mib"] for s in samples[name][phase]], digits=0))  # fmt: skip
            if growth[name]:
                print(show("database growth per run MiB", growth[name], digits=2))
            print(show("run s per device", [s / args.devices for s in runs], digits=3))
            codes = [int(s["exit_code"]) for s in samples[name]["run"]]
            figures[name]["run_exit_codes"] = codes
            if 3 in codes:
                print(f"run exit codes {codes}: 3 = partial (some devices not collected)")
    finally:
        stopped = lab_down(lab_dir)
        if pg_started:
            subprocess.run(["bash", str(PG_SCRIPT), "stop"], env=pg_env, check=False)
        if stopped is not None:
            left = bound_ports(stopped.udp_ports(), stopped.tcp_ports())
            figures["lab_ports_left_bound"] = len(left)
        shutil.rmtree(scratch, ignore_errors=True)
    figures["samples"] = samples
    out = write_results(f"nightly-{args.devices}", figures)
    print(f"wrote {out.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

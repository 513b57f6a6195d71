"""Distributed collection throughput: the synthetic lab collected by 1, 2 and 4 Celery workers.

Starts the lab (SNMP only, ``--devices`` devices across the tiers), a throwaway PostgreSQL
(``scripts/postgres-test-server.sh``, or ``$KYOJIN_PG_URL``) and a Redis server, then for each
worker count dispatches every device (one task per device, queue per tier), waits until all are
reported and prints devices/min, the scaling ratio against one worker, and the check that every
device was collected exactly once (one row per device in ``device_collections`` and one written
report per device in the workers' logs). Each worker is one process (``--pool threads``, ``--concurrency`` threads)
consuming every queue. It also prints what ``docs/scale.md`` projects from: worker CPU seconds per device,
bytes stored per device and the PostgreSQL write rate; ``--audit`` then evaluates the last
collection through the audit service (a full run).

    .venv/bin/python bench/distributed.py --devices 1000 --workers 1 2 4 [--warm]

Tasks go out in batches of ``dispatch``'s default size (ten devices of one queue per task).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from auditor.audit.inputs import load_bundle  # noqa: E402
from auditor.distributed.celery_app import make_app  # noqa: E402
from auditor.distributed.dispatch import dispatch, gather, wait_for_reports  # noqa: E402
from auditor.distributed.routing import queue_for  # noqa: E402
from auditor.lab.runner import lab_down, lab_up  # noqa: E402
from auditor.rules import discover  # noqa: E402
from auditor.store.handover import reports  # noqa: E402
from auditor.store.repository import Store  # noqa: E402
from bench.common import free_port, write_results  # noqa: E402

POLICY = REPO / "policies" / "example-city"
PG_SCRIPT = REPO / "scripts" / "postgres-test-server.sh"
DONE = re.compile(r"collect_device done run_key=(\w+) device=(\S+) written=True")


def _cpu_seconds(pid: int) -> float:
    """utime + stime of ``pid`` and its reaped children, from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = sum(int(fields[i]) for i in (11, 12, 13, 14))
    return ticks / os.sysconf("SC_CLK_TCK")


def _wait(condition: Any, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise SystemExit(f"timed out waiting for {what}")
        time.sleep(0.05)


def _table_bytes(url: str) -> dict[str, int]:
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                text(
                    "select relname, pg_total_relation_size(c.oid) from pg_class c "
                    "join pg_namespace n on n.oid = c.relnamespace "
                    "where n.nspname = current_schema() and c.relkind = 'r'"
                )
            )
            sizes = {str(name): int(size) for name, size in rows}
            sizes["__database__"] = int(
                connection.execute(text("select pg_database_size(current_database())")).scalar_one()
            )
            sizes["__wal__"] = int(
                connection.execute(
                    text("select pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0')")
                ).scalar_one()
            )
            return sizes
    finally:
        engine.dispose()


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--devices", type=int, default=1000)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument("--pg-port", type=int, default=55493)
    parser.add_argument("--audit", action="store_true", help="audit the last collection")
    parser.add_argument("--deadline", type=float, default=3600.0)
    parser.add_argument(
        "--warm",
        action="store_true",
        help="collect every device once, unmeasured, before the first measured run (snmpsim "
        "indexes a device's data on its first walk: a fresh lab makes the first run slower)",
    )
    parser.add_argument(
        "--concurrency",
        type=int,
        default=8,
        help="threads per worker process (SNMP collection mostly waits on the network)",
    )
    args = parser.parse_args()
    redis_binary = shutil.which("redis-server")
    if redis_binary is None:
        raise SystemExit("redis-server is not installed (scripts/install-system-deps.sh)")
    scratch = Path(tempfile.mkdtemp(prefix="kyojin-distributed-"))
    pg_env = {**os.environ, "KYOJIN_PG_PORT": str(args.pg_port)}
    figures: dict[str, Any] = {"devices": args.devices, "runs": []}
    processes: list[subprocess.Popen[bytes]] = []
    pg_started = False
    redis_port = free_port()
    broker = f"redis://127.0.0.1:{redis_port}/0"
    try:
        started = time.perf_counter()
        lab = lab_up(None, scratch / "lab", devices=args.devices, ssh_devices=0, ready_timeout=1200)
        figures["lab_up_seconds"] = round(time.perf_counter() - started, 2)
        url = os.environ.get("KYOJIN_PG_URL")
        if not url:
            subprocess.run(["bash", str(PG_SCRIPT), "start"], env=pg_env, check=True)
            pg_started = True
            url = subprocess.run(
                ["bash", str(PG_SCRIPT), "url"], env=pg_env, check=True, capture_output=True,
                text=True,
            ).stdout.strip()  # fmt: skip
        with Store(url) as store:
            store.upgrade()
        redis_process = subprocess.Popen(
            [redis_binary, "--port", str(redis_port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(scratch)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        processes.append(redis_process)
        import redis

        client = redis.Redis(port=redis_port)

        def pong() -> bool:
            try:
                return bool(client.ping())
            except redis.ConnectionError:
                return False

        _wait(pong, 60, "redis")
        inputs = load_bundle(POLICY, Path(lab.inventory_file), None, discover())
        devices = inputs.inventory.devices
        queues = sorted({queue_for(d, inputs.policy) for d in devices})
        app = make_app(broker)
        baseline: float | None = None
        for count in args.workers:
            env = {
                **os.environ,
                "AUDITOR_BROKER_URL": broker,
                "AUDITOR_DB_URL": url,
                "AUDITOR_POLICY": str(POLICY),
                "AUDITOR_INVENTORY": lab.inventory_file,
                "AUDITOR_WORKER_QUEUES": ",".join(queues),
                "AUDITOR_REDACTION_SALT": "bench",
                "AUDITOR_STATE_DIR": str(scratch / "state"),
            }
            workers: list[tuple[subprocess.Popen[bytes], Path]] = []
            for index in range(count):
                log = scratch / f"w{count}-{index}.log"
                process = subprocess.Popen(
                    [sys.executable, "-m", "celery", "-A", "auditor.distributed.celery_app",
                     "worker", "-Q", ",".join(queues), "-n", f"bench{count}-{index}",
                     "--pool", "threads", "--concurrency", str(args.concurrency), "--loglevel", "INFO", "-f", str(log),
                     "--without-gossip", "--without-mingle"],
                    env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                    start_new_session=True,
                )  # fmt: skip
                workers.append((process, log))
                processes.append(process)
            names = [f"celery@bench{count}-{i}" for i in range(count)]

            def ready(names: list[str] = names) -> bool:
                replies = app.control.ping(destination=names, timeout=0.5) or []
                return len({k for reply in replies for k in reply}) == len(names)

            _wait(ready, 120, f"{count} workers")
            if args.warm and baseline is None:
                warm = dispatch(app, devices, inputs.policy)
                with Store(url) as store:
                    wait_for_reports(store, warm, args.deadline)
            cpu_before = sum(_cpu_seconds(p.pid) for p, _ in workers)
            size_before = _table_bytes(url)
            started = time.perf_counter()
            sent = dispatch(app, devices, inputs.policy)
            with Store(url) as store:
                reported = wait_for_reports(store, sent, args.deadline)
                elapsed = time.perf_counter() - started
                rows = reports(store, sent.run_key)
                collected = (
                    gather(store, sent) if args.audit and count == args.workers[-1] else None
                )
            cpu = sum(_cpu_seconds(p.pid) for p, _ in workers) - cpu_before
            size_after = _table_bytes(url)
            written: Counter[str] = Counter()
            for _, log in workers:
                for line in log.read_text(errors="replace").splitlines():
                    match = DONE.search(line)
                    if match and match.group(1) == sent.run_key:
                        written[match.group(2)] += 1
            exactly_once = (
                len(rows) == len(devices)
                and len({r.device for r in rows}) == len(devices)
                and set(written) == {d.name for d in devices}
                and set(written.values()) == {1}
            )
            per_minute = reported / elapsed * 60
            if baseline is None:
                baseline = per_minute
            stored = size_after["device_collections"] - size_before.get("device_collections", 0)
            wal = size_after["__wal__"] - size_before["__wal__"]
            run = {
                "workers": count,
                "reported": reported,
                "seconds": round(elapsed, 2),
                "devices_per_min": round(per_minute, 1),
                "scaling_vs_1": round(per_minute / baseline, 2),
                "exactly_once": exactly_once,
                "worker_cpu_s_per_device": round(cpu / max(1, len(devices)), 4),
                "stored_bytes_per_device": round(stored / max(1, len(devices))),
                "pg_wal_bytes_per_s": round(wal / elapsed),
                "pg_rows_per_s": round(len(rows) / elapsed, 1),
            }
            figures["runs"].append(run)
            print(
                f"{count} worker(s): {reported}/{len(devices)} devices in {elapsed:.1f} s = "
                f"{per_minute:.0f} devices/min (x{per_minute / baseline:.2f} vs 1 worker); "
                f"each device collected exactly once: {exactly_once}; worker CPU "
                f"{run['worker_cpu_s_per_device']} s/device; stored "
                f"{run['stored_bytes_per_device']} B/device; PostgreSQL WAL "
                f"{run['pg_wal_bytes_per_s'] / 1024:.0f} KiB/s, {run['pg_rows_per_s']} rows/s",
                flush=True,
            )
            if collected is not None:
                from auditor.audit.service import RunRequest
                from auditor.audit.service import run as audit_run

                audit_started = time.perf_counter()
                before = _table_bytes(url)
                with Store(url) as store:
                    outcome = audit_run(
                        inputs,
                        discover(),
                        store,
                        RunRequest(
                            scope="full",
                            devices=devices,
                            snapshots=collected.snapshots,
                            failures=collected.errors,
                            evidence=collected.evidence,
                        ),
                    )
                after = _table_bytes(url)
                figures["audit"] = {
                    "seconds": round(time.perf_counter() - audit_started, 2),
                    "status": outcome.status,
                    "findings": len(outcome.findings),
                    "stored_bytes_per_device": round(
                        (after["__database__"] - before["__database__"]) / len(devices)
                    ),
                }
                print(f"audit of the collection: {figures['audit']}", flush=True)
            for process, _ in workers:
                os.killpg(process.pid, signal.SIGTERM)
            for process, _ in workers:
                process.wait(timeout=60)
        figures["database_bytes"] = _table_bytes(url)["__database__"]
    finally:
        for process in processes:
            if process.poll() is None:
                process.terminate()
                process.wait(timeout=60)
        lab_down(scratch / "lab")
        if pg_started:
            subprocess.run(["bash", str(PG_SCRIPT), "stop"], env=pg_env, check=False)
        shutil.rmtree(scratch, ignore_errors=True)
    print(f"results: {write_results('distributed', figures)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Distributed collection on Celery at 1,000+ devices: real Redis, PostgreSQL, worker processes
and lab agents, all started by the test setup (issue 23's acceptance).

The module shares one lab of 1,020 small switches and routers across the three tiers (340 per
tier), one Redis and one PostgreSQL database. Three workers on three queues collect it for a full
``auditor run --distributed`` while one of them is SIGKILLed in the middle of a batch; then the
broker is restarted in the middle of another 1,020-device run; then two cities whose device
names overlap share the broker and the database with a queue per city and tier.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from auditor.audit.inputs import load_bundle
from auditor.audit.service import RunRequest, run
from auditor.cli.app import build_app
from auditor.distributed.dispatch import dispatch, gather, wait_for_reports
from auditor.distributed.routing import BATCH_TASK_NAME, queue_for
from auditor.model.collection import FailureKind
from auditor.rules import discover
from auditor.store.handover import reported_count, reports
from auditor.store.repository import Store

from .conftest import POLICY, TIER_DEVICES, TIERS, Cluster, Worker, wait_until

pytestmark = [pytest.mark.celery, pytest.mark.postgres, pytest.mark.lab]

DONE = re.compile(r"collect_device done run_key=(\w+) device=(\S+) written=True")
START = re.compile(r"collect_device start run_key=(\w+) device=(\S+)")
REFUSED = re.compile(r"collect_device refused run_key=(\w+) device=(\S+)")
RUN_SECONDS = 1500.0
"""Deadline of one 1,020-device run: generous, CI shares two cores (a run takes 2-4 minutes)."""


def make_app(broker: str) -> Any:
    """The Celery app (Celery is imported when these broker tests run, not at collection)."""
    from auditor.distributed.celery_app import make_app as celery_app

    return celery_app(broker)


def _written(workers: list[Worker], run_key: str) -> Counter[str]:
    """How many times each device's collection was written (must be exactly once)."""
    counts: Counter[str] = Counter()
    for worker in workers:
        for line in worker.lines():
            match = DONE.search(line)
            if match and match.group(1) == run_key:
                counts[match.group(2)] += 1
    return counts


def _in_flight(worker: Worker) -> tuple[str, list[str]]:
    """The run key and devices the worker started and has not finished (its current batch)."""
    started: list[tuple[str, str]] = []
    done: set[tuple[str, str]] = set()
    for line in worker.lines():
        if match := START.search(line):
            started.append((match.group(1), match.group(2)))
        if match := DONE.search(line):
            done.add((match.group(1), match.group(2)))
    pending = [item for item in started if item not in done]
    return (pending[0][0] if pending else "", [device for _, device in pending])


def _inputs(inventory: Path):
    return load_bundle(POLICY, inventory, None, discover())


def test_1000_devices_on_three_queues_full_audit_with_a_worker_sigkilled_mid_batch(
    fresh_tier_cluster: Cluster,
) -> None:
    cluster = fresh_tier_cluster
    workers = {tier: cluster.start_worker(f"full-{tier}", [tier]) for tier in TIERS}
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("AUDITOR_")},
        **{k: v for k, v in cluster.env([]).items() if k.startswith("AUDITOR_")},
        "COLUMNS": "250",
    }
    env.pop("AUDITOR_WORKER_QUEUES")
    command = [
        sys.executable,
        "-m",
        "auditor",
        "--lang",
        "en",
        "run",
        "--distributed",
        "--deadline",
        str(RUN_SECONDS),
        "--policy",
        str(POLICY),
        "--inventory",
        str(cluster.inventory),
        "--db",
        cluster.db_url,
        "--format",
        "json",
        "--fail-on",
        "never",
    ]
    dispatcher = subprocess.Popen(
        command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        victim = workers["mynumber"]
        # SIGKILL the My Number worker in the middle of a batch, after it has written a few.

        def mid_batch() -> bool:
            done = sum(1 for line in victim.lines() if DONE.search(line))
            return done >= 20 and bool(_in_flight(victim)[1])

        wait_until(
            mid_batch,
            RUN_SECONDS,
            "the My Number worker to be in the middle of a batch",
        )
        run_key, in_flight = _in_flight(victim)
        victim.kill()
        # Another worker of its queue (a supervisor's restart) takes the batch back after the
        # visibility timeout and collects what the victim had not written.
        replacement = cluster.start_worker("full-mynumber-2", ["mynumber"])
        out, err = dispatcher.communicate(timeout=RUN_SECONDS + 600)
    finally:
        if dispatcher.poll() is None:
            dispatcher.kill()
            dispatcher.wait()
    payload = json.loads(out[out.index("{") :]) if "{" in out else {}
    failures = Counter(
        f"{f.get('check_id')}:{f.get('device')}"
        for f in payload.get("findings", [])
        if str(f.get("check_id", "")).startswith("COL")
    )
    assert dispatcher.returncode == 0, (err[-3000:], payload.get("status"), failures)
    assert payload["status"] == "complete"
    assert len(payload["snapshots"]) == TIER_DEVICES
    assert f"collection key {run_key}" in err
    everyone = [*workers.values(), replacement]
    written = _written(everyone, run_key)
    assert set(written) == set(payload["snapshots"])
    assert set(written.values()) == {1}  # every device written exactly once
    inputs = _inputs(cluster.inventory)
    with Store(cluster.db_url) as store:
        rows = {r.device: r for r in reports(store, run_key)}
    assert len(rows) == TIER_DEVICES
    by_worker = {w.hostname: w for w in everyone}
    for row in rows.values():
        device = inputs.inventory.device(row.device)
        assert device is not None
        # Each device went to its tier's queue and only that queue's worker collected it.
        assert row.queue == queue_for(device, inputs.policy)
        assert by_worker[row.worker].queues == [row.queue]
    # The killed batch: whatever the victim had not committed was re-run by the replacement.
    assert in_flight
    rerun = [d for d in in_flight if rows[d].worker != victim.hostname]
    assert rerun, "the victim's batch was not re-run"
    assert all(rows[d].worker == replacement.hostname for d in rerun)
    # ``auditor workers`` sees the three queues, the living workers, the dead one and no backlog.
    shown = CliRunner().invoke(
        build_app("en"),
        [
            "workers",
            "--broker",
            cluster.redis.url,
            "--policy",
            str(POLICY),
            "--inventory",
            str(cluster.inventory),
            "--format",
            "json",
        ],
        env={"COLUMNS": "250"},
    )
    assert shown.exit_code == 0, shown.output
    status = json.loads(shown.output)
    queues = {q["queue"]: q for q in status["queues"]}
    assert set(TIERS) <= set(queues)
    for tier in TIERS:
        assert queues[tier]["backlog"] == 0
    assert replacement.hostname in queues["mynumber"]["workers"]
    answering = {w["name"]: w["answering"] for w in status["workers"]}
    assert answering[victim.hostname] is False
    assert answering[replacement.hostname] is True


def test_1000_devices_broker_restart_mid_run_completes_or_marks_the_run_incomplete(
    fresh_tier_cluster: Cluster,
) -> None:
    cluster = fresh_tier_cluster
    workers = [cluster.start_worker(f"restart-{tier}", [tier]) for tier in TIERS]
    inputs = _inputs(cluster.inventory)
    devices = inputs.inventory.devices
    assert len(devices) == TIER_DEVICES
    sent = dispatch(make_app(cluster.redis.url), devices, inputs.policy)
    with Store(cluster.db_url) as store:
        wait_until(lambda: reported_count(store, sent.run_key) >= 100, RUN_SECONDS, "first reports")
        cluster.redis.restart()
        wait_for_reports(store, sent, RUN_SECONDS)
        collected = gather(store, sent)
        rows = reports(store, sent.run_key)
        written = _written(workers, sent.run_key)
        assert set(written.values()) <= {1}  # nothing collected twice
        reported = {r.device for r in rows}
        missing = {f.device for f in collected.errors if f.kind is FailureKind.NOT_REPORTED}
        assert reported | missing == {d.name for d in devices}
        assert not reported & missing
        assert set(written) == reported
        if not missing:
            return  # complete: every device reported once (the audit path is the test above)
        # Never silently complete: the audit of an incomplete collection is partial, and each
        # silent device is a COL finding (evaluated only here: an audit of 1,020 devices costs).
        outcome = run(
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
    assert outcome.status == "partial"
    assert not missing & outcome.covered_devices
    col = {f.device for f in outcome.findings if f.check_id == "COL-000"}
    assert missing <= col


CITIES = ("kita", "minami")


def test_queues_per_city_keep_two_cities_with_the_same_device_names_apart(
    fresh_tier_cluster: Cluster, tmp_path: Path
) -> None:
    """Two cities, same device names (each city's inventory names the same 1,020 devices): a
    worker in city A's My Number tier consumes ``A.mynumber`` only, reads only A's inventory,
    writes only A's rows, and refuses a task of city B even when it is put on A's queue."""
    cluster = fresh_tier_cluster
    inventories: dict[str, Path] = {}
    for city in CITIES:
        # Each city has its own inventory directory and credentials file (a copy of the lab's).
        directory = tmp_path / city
        directory.mkdir()
        source = cluster.inventory.parent
        for item in source.iterdir():
            if item.is_file():
                (directory / item.name).write_bytes(item.read_bytes())
                (directory / item.name).chmod(item.stat().st_mode & 0o777)
        inventories[city] = directory / cluster.inventory.name
    # ``mynumber`` in the worker's list means its own city's queue.
    workers = {
        city: cluster.start_worker(
            f"{city}-mynumber",
            [f"{city}.mynumber"],
            env={
                "AUDITOR_TENANT": city,
                "AUDITOR_INVENTORY": str(inventories[city]),
                "AUDITOR_WORKER_QUEUES": "mynumber",
            },
        )
        for city in CITIES
    }
    inputs = _inputs(inventories["kita"])
    mine = [d for d in inputs.inventory.devices if queue_for(d, inputs.policy) == "mynumber"][:20]
    app = make_app(cluster.redis.url)
    sent = {city: dispatch(app, mine, inputs.policy, tenant=city) for city in CITIES}
    for city in CITIES:
        assert list(sent[city].queues) == [f"{city}.mynumber"]
    # A task of minami put on kita's queue (a wrong route or a forgery) is refused.
    forged = "f" * 32
    app.send_task(
        BATCH_TASK_NAME,
        args=[forged, [mine[0].name]],
        kwargs={"tenant": "minami"},
        queue="kita.mynumber",
        routing_key="kita.mynumber",
    )
    for city in CITIES:
        with Store(cluster.db_url, tenant=city) as store:
            assert wait_for_reports(store, sent[city], RUN_SECONDS) == len(mine)
            rows = reports(store, sent[city].run_key)
            other = next(c for c in CITIES if c != city)
            # The other city's run is invisible in this city's rows, though the names overlap.
            assert reports(store, sent[other].run_key) == []
        assert sorted(r.device for r in rows) == sorted(d.name for d in mine)
        assert {r.worker for r in rows} == {workers[city].hostname}
        assert {r.queue for r in rows} == {f"{city}.mynumber"}
    wait_until(
        lambda: any(
            (m := REFUSED.search(line)) and m.group(1) == forged for line in workers["kita"].lines()
        ),
        RUN_SECONDS,
        "kita's worker to refuse minami's task",
    )
    for city in CITIES:
        other = next(c for c in CITIES if c != city)
        text = "\n".join(workers[city].lines())
        assert sent[other].run_key not in text  # never received the other city's devices
        with Store(cluster.db_url, tenant=city) as store:
            assert reports(store, forged) == []
    # ``auditor workers`` shows the city queues and which city's worker serves each.
    shown = CliRunner().invoke(
        build_app("en"),
        [
            "--tenant",
            "kita",
            "workers",
            "--broker",
            cluster.redis.url,
            "--policy",
            str(POLICY),
            "--inventory",
            str(inventories["kita"]),
            "--format",
            "json",
        ],
        env={"COLUMNS": "250"},
    )
    assert shown.exit_code == 0, shown.output
    status = json.loads(shown.output)
    queues = {q["queue"]: q["workers"] for q in status["queues"]}
    assert queues["kita.mynumber"] == [workers["kita"].hostname]
    assert queues["minami.mynumber"] == [workers["minami"].hostname]
    assert "mynumber" not in queues or queues["mynumber"] == []

"""Distributed collection on Celery with real Redis, PostgreSQL, worker processes and lab agents.

Three workers on three queues collect the synthetic city (10 devices per tier); the dispatcher is
``auditor run --distributed``. Then a worker is SIGKILLed mid-task and the broker is restarted
mid-run: no device is lost, none is collected twice, and a run is complete only when every
device was reported.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pytest
from typer.testing import CliRunner

from auditor.audit.inputs import load_bundle
from auditor.audit.service import RunRequest, run
from auditor.cli.app import build_app
from auditor.distributed.celery_app import make_app
from auditor.distributed.dispatch import dispatch, gather, wait_for_reports
from auditor.distributed.routing import queue_for
from auditor.model.collection import FailureKind
from auditor.rules import discover
from auditor.store.handover import reported_count, reports
from auditor.store.repository import Store

from .conftest import DEVICES, POLICY, Cluster, Worker, wait_until

pytestmark = [pytest.mark.celery, pytest.mark.postgres, pytest.mark.lab]

TIERS = ["mynumber", "lgwan", "internet"]
DONE = re.compile(r"collect_device done run_key=(\w+) device=(\S+) written=True")
START = re.compile(r"collect_device start run_key=(\w+) device=(\S+)")


def _written(workers: list[Worker], run_key: str) -> Counter[str]:
    """How many times each device's collection was written (must be exactly once)."""
    counts: Counter[str] = Counter()
    for worker in workers:
        for line in worker.lines():
            match = DONE.search(line)
            if match and match.group(1) == run_key:
                counts[match.group(2)] += 1
    return counts


def _inputs(cluster: Cluster):
    return load_bundle(POLICY, cluster.inventory, None, discover())


def test_three_workers_collect_every_device_exactly_once(
    celery_cluster: Cluster, monkeypatch: pytest.MonkeyPatch
) -> None:
    cluster = celery_cluster
    workers = [cluster.start_worker(f"w-{tier}", [tier]) for tier in TIERS]
    for name, value in cluster.env([]).items():
        if name.startswith("AUDITOR_"):
            monkeypatch.setenv(name, value)
    result = CliRunner().invoke(
        build_app("en"),
        [
            "run",
            "--distributed",
            "--deadline",
            "300",
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
        ],
    )
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output[result.output.index("{") :])
    assert payload["status"] == "complete"
    assert len(payload["snapshots"]) == DEVICES
    run_key = re.search(r"collection key (\w+)", result.output)
    assert run_key is not None, result.output
    key = run_key.group(1)
    written = _written(workers, key)
    assert set(written) == set(payload["snapshots"])
    assert set(written.values()) == {1}
    inputs = _inputs(cluster)
    with Store(cluster.db_url) as store:
        rows = reports(store, key)
    assert len(rows) == DEVICES
    by_worker = {w.hostname: w for w in workers}
    for row in rows:
        device = inputs.inventory.device(row.device)
        assert device is not None
        # Each device went to its tier's queue and only that queue's worker collected it.
        assert row.queue == queue_for(device, inputs.policy)
        assert by_worker[row.worker].queues == [row.queue]
    # ``auditor workers`` sees the three queues, their workers and an empty backlog.
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
    )
    assert shown.exit_code == 0, shown.output
    status = json.loads(shown.output)
    queues = {q["queue"]: q for q in status["queues"]}
    for worker in workers:
        assert queues[worker.queues[0]]["workers"] == [worker.hostname]
        assert queues[worker.queues[0]]["backlog"] == 0
    assert all(w["last_heartbeat"] for w in status["workers"])
    table = CliRunner().invoke(
        build_app("ja"), ["workers", "--broker", cluster.redis.url, "--inventory", "missing"]
    )
    assert table.exit_code == 0, table.output
    assert "滞留" in table.output
    for worker in workers:
        assert worker.queues[0] in table.output


def test_a_sigkilled_worker_s_task_is_rerun_by_another_worker_of_its_queue(
    celery_cluster: Cluster,
) -> None:
    cluster = celery_cluster
    victim = cluster.start_worker("w-myn-a", ["mynumber"])
    survivor = cluster.start_worker("w-myn-b", ["mynumber"])
    others = [cluster.start_worker(f"w-{tier}", [tier]) for tier in TIERS[1:]]
    inputs = _inputs(cluster)
    app = make_app(cluster.redis.url)
    sent = dispatch(app, inputs.inventory.devices, inputs.policy)
    assert len(sent.queues["mynumber"]) == 10

    in_flight: list[str] = []

    def victim_mid_task() -> bool:
        started, done = [], set()
        for line in victim.lines():
            if (match := START.search(line)) and match.group(1) == sent.run_key:
                started.append(match.group(2))
            if (match := DONE.search(line)) and match.group(1) == sent.run_key:
                done.add(match.group(2))
        pending = [d for d in started if d not in done]
        if pending:
            in_flight[:] = pending
        return bool(pending)

    wait_until(victim_mid_task, 120, "the victim worker to be in the middle of a task")
    victim.kill()
    with Store(cluster.db_url) as store:
        wait_for_reports(store, sent, 240)
        collected = gather(store, sent)
        rows = {r.device: r for r in reports(store, sent.run_key)}
    assert not [f for f in collected.errors if f.kind is FailureKind.NOT_REPORTED]
    assert len(rows) == DEVICES
    for device in in_flight:  # killed mid-task: re-run by the other worker of the same queue
        assert rows[device].worker == survivor.hostname
    written = _written([victim, survivor, *others], sent.run_key)
    assert set(written) == set(rows)
    assert set(written.values()) == {1}


def test_a_broker_restart_mid_run_completes_or_marks_the_run_incomplete(
    celery_cluster: Cluster,
) -> None:
    cluster = celery_cluster
    workers = [cluster.start_worker(f"w-{tier}", [tier]) for tier in TIERS]
    inputs = _inputs(cluster)
    sent = dispatch(make_app(cluster.redis.url), inputs.inventory.devices, inputs.policy)
    with Store(cluster.db_url) as store:
        wait_until(lambda: reported_count(store, sent.run_key) >= 3, 120, "first reports")
        cluster.redis.restart()
        wait_for_reports(store, sent, 150)
        collected = gather(store, sent)
        rows = reports(store, sent.run_key)
        outcome = run(
            inputs,
            discover(),
            store,
            RunRequest(
                scope="full",
                devices=inputs.inventory.devices,
                snapshots=collected.snapshots,
                failures=collected.errors,
                evidence=collected.evidence,
            ),
        )
        recorded = store.get_run(outcome.run_id or 0)
    written = _written(workers, sent.run_key)
    assert set(written.values()) <= {1}  # nothing collected twice
    reported = {r.device for r in rows}
    missing = {f.device for f in collected.errors if f.kind is FailureKind.NOT_REPORTED}
    assert reported | missing == {d.name for d in inputs.inventory.devices}
    assert not reported & missing
    if missing:  # never silently complete: each silent device is a COL finding
        assert outcome.status == "partial"
        assert not missing & outcome.covered_devices
        col = {f.device for f in outcome.findings if f.check_id == "COL-000"}
        assert missing <= col
    else:
        assert outcome.status == "complete"
    assert recorded.status in {"complete", "partial"}
    assert Path(cluster.directory).exists()

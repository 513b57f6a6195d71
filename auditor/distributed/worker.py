"""What a Celery worker does for a ``collect_devices`` task (a batch of one queue's devices) or
a ``collect_device`` task (one device).

The worker reads its own policy, inventory and credential references (``AUDITOR_POLICY``,
``AUDITOR_INVENTORY``) of one city (``AUDITOR_TENANT``, ``default`` when unset) and serves only
``AUDITOR_WORKER_QUEUES`` (its city's queues: ``kita.mynumber`` for city ``kita``, see
``routing.city_queue``): it resolves a credential only
for a device whose queue it serves, so a message routed to the wrong queue (or forged) never
makes a My Number worker use, or an Internet worker learn, another tier's secrets. A refused
device is simply not reported; the dispatcher's deadline turns that into a COL finding. A task
names its city (never a credential); one for another city is refused the same way, and the
worker's store is opened for its city, so its reports land in that city's rows only.
"""

from __future__ import annotations

import base64
import json
import logging
import os
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from auditor.audit.engine import collect
from auditor.audit.inputs import Bundle, load_bundle
from auditor.collect.base import CollectionResult, Collector
from auditor.distributed.bundle import failure_to_json, redact_result
from auditor.distributed.routing import ShardBy, city_queue, queue_for
from auditor.inventory.models import Device
from auditor.model.collection import CollectionFailure, FailureKind
from auditor.rules import discover
from auditor.store.handover import DeviceReport, report_collections, reported_devices
from auditor.store.repository import Store
from auditor.store.tenancy import DEFAULT_TENANT, valid_tenant

log = logging.getLogger(__name__)


@dataclass
class WorkerContext:
    tenant: str
    inputs: Bundle
    store: Store
    queues: frozenset[str]
    shard_by: ShardBy
    collectors: list[Collector]
    inventory_dir: Path
    salt: bytes


_context: WorkerContext | None = None
_lock = threading.Lock()


def context() -> WorkerContext:
    """Loaded once per worker process from its environment."""
    global _context
    with _lock:
        if _context is None:
            from auditor.collect.plan import build_collectors
            from auditor.collect.ssh import default_salt

            policy = Path(os.environ.get("AUDITOR_POLICY", "policy.yaml"))
            inventory = Path(os.environ.get("AUDITOR_INVENTORY", "inventory"))
            inputs = load_bundle(policy, inventory, None, discover())
            url = os.environ.get("AUDITOR_DB_URL")
            if not url:
                raise RuntimeError("AUDITOR_DB_URL must name the shared (PostgreSQL) store")
            city = valid_tenant(os.environ.get("AUDITOR_TENANT", "").strip() or DEFAULT_TENANT)
            queues = worker_queues(os.environ.get("AUDITOR_WORKER_QUEUES", ""), city)
            if not queues:
                raise RuntimeError("AUDITOR_WORKER_QUEUES must list the queues this worker serves")
            by = os.environ.get("AUDITOR_SHARD_BY", "tier")
            base = inputs.inventory_path or inventory
            _context = WorkerContext(
                tenant=city,
                inputs=inputs,
                store=Store(url, tenant=city),
                queues=queues,
                shard_by="site" if by == "site" else "tier",
                collectors=build_collectors(None, inputs.policy),
                inventory_dir=base if base.is_dir() else base.parent,
                salt=default_salt(),
            )
    return _context


def worker_queues(text: str, tenant: str) -> frozenset[str]:
    """The queues a worker of city ``tenant`` serves: ``mynumber`` and ``kita.mynumber`` both
    mean ``kita.mynumber`` for city ``kita`` (a worker never serves another city's queue)."""
    return frozenset(city_queue(q.strip(), tenant) for q in text.split(",") if q.strip())


def collect_one(
    run_key: str,
    device_name: str,
    *,
    arrived_on: str,
    worker: str,
    tenant: str = DEFAULT_TENANT,
) -> str:
    """``collected``, ``duplicate`` (already reported: a re-delivery) or ``refused``.

    ``tenant`` is the city of the dispatcher that sent the task; a worker serves one city.
    """
    return collect_batch(
        run_key, [device_name], arrived_on=arrived_on, worker=worker, tenant=tenant
    )[0]


def _refuse(run_key: str, device: str, why: str) -> str:
    log.warning("collect_device refused run_key=%s device=%s %s", run_key, device, why)
    return "refused"


def collect_batch(
    run_key: str,
    device_names: Sequence[str],
    *,
    arrived_on: str,
    worker: str,
    tenant: str = DEFAULT_TENANT,
) -> list[str]:
    """Collect a batch of one queue's devices: one outcome per name, as :func:`collect_one`.

    Why batches: a task per device paid a fresh SNMP engine (pysnmp builds its MIB compiler per
    engine, for the community probe) and a serial probe timeout per device, and one commit per
    device. A batch polls its devices concurrently through one engine and the v2c fast path and
    writes them in one transaction. Idempotency stays per device: devices already reported are
    skipped, and the unique (run_key, device) keeps the first report of each.
    """
    ctx = context()
    outcomes: dict[str, str] = {}
    if tenant != ctx.tenant:
        why = f"tenant={tenant} serves tenant={ctx.tenant}"
        return [_refuse(run_key, name, why) for name in device_names]
    names = list(dict.fromkeys(device_names))
    for name in names:
        log.info("collect_device start run_key=%s device=%s worker=%s", run_key, name, worker)
    for name in reported_devices(ctx.store, run_key, names):
        log.info("collect_device duplicate run_key=%s device=%s", run_key, name)
        outcomes[name] = "duplicate"
    devices: list[Device] = []
    queue_of: dict[str, str] = {}
    serves = ",".join(sorted(ctx.queues))
    for name in names:
        if name in outcomes:
            continue
        device = ctx.inputs.inventory.device(name)
        queue = (
            queue_for(device, ctx.inputs.policy, ctx.shard_by, ctx.tenant)
            if device is not None
            else ""
        )
        if device is None or queue not in ctx.queues or (arrived_on and arrived_on != queue):
            why = f"queue={queue} arrived_on={arrived_on} serves={serves}"
            outcomes[name] = _refuse(run_key, name, why)
            continue
        devices.append(device)
        queue_of[name] = queue
    if devices:
        written = report_collections(
            ctx.store, run_key, _collect_reports(ctx, devices, queue_of, worker)
        )
        for device in devices:
            done = device.name in written
            log.info(
                "collect_device done run_key=%s device=%s written=%s", run_key, device.name, done
            )
            outcomes[device.name] = "collected" if done else "duplicate"
    return [outcomes[name] for name in device_names]


def _collect_reports(
    ctx: WorkerContext, devices: list[Device], queue_of: dict[str, str], worker: str
) -> list[DeviceReport]:
    from auditor.inventory.credentials import resolve_secret

    secrets: list[str] = []

    def resolve(reference: Any) -> str:
        secret = resolve_secret(reference, base_dir=ctx.inventory_dir)
        secrets.append(secret)
        return secret

    try:
        result = collect(ctx.collectors, devices, resolve)
    except Exception as exc:  # reported as a COL finding, never a lost device
        log.exception("collection of %s crashed", ",".join(d.name for d in devices))
        result = CollectionResult(
            errors=[
                CollectionFailure(
                    device=device.name,
                    kind=FailureKind.CRASHED,
                    subject="collector:worker",
                    detail=str(exc)[:500],
                    facts={"collector": "worker", "exception": type(exc).__name__},
                )
                for device in devices
            ]
        )
    redact_result(result, salt=ctx.salt, secrets=secrets)
    failures: dict[str, list[CollectionFailure]] = {}
    for failure in result.errors:
        failures.setdefault(failure.device, []).append(failure)
    now = datetime.now(UTC)
    batch: list[DeviceReport] = []
    for device in devices:
        snapshot = result.snapshots.get(device.name)
        evidence = [
            [label, base64.b64encode(data).decode("ascii")]
            for label, data in result.evidence.get(device.name, [])
        ]
        batch.append(
            DeviceReport(
                device=device.name,
                queue=queue_of[device.name],
                worker=worker,
                snapshot=snapshot.model_dump_json() if snapshot is not None else None,
                failures=json.dumps(
                    [failure_to_json(f) for f in failures.get(device.name, [])],
                    ensure_ascii=False,
                ),
                evidence=json.dumps(evidence),
                reported_at=now,
            )
        )
    return batch

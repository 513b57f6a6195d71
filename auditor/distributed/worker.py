"""What a Celery worker does for one ``collect_device`` task.

The worker reads its own policy, inventory and credential references (``AUDITOR_POLICY``,
``AUDITOR_INVENTORY``) of one city (``AUDITOR_TENANT``, ``default`` when unset) and serves only
``AUDITOR_WORKER_QUEUES``: it resolves a credential only
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
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from auditor.audit.engine import collect
from auditor.audit.inputs import Bundle, load_bundle
from auditor.collect.base import Collector
from auditor.distributed.bundle import failure_to_json, redact_result
from auditor.distributed.routing import ShardBy, queue_for
from auditor.model.collection import CollectionFailure, FailureKind
from auditor.rules import discover
from auditor.store.handover import DeviceReport, is_reported, report_collection
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
            queues = frozenset(
                q.strip()
                for q in os.environ.get("AUDITOR_WORKER_QUEUES", "").split(",")
                if q.strip()
            )
            if not queues:
                raise RuntimeError("AUDITOR_WORKER_QUEUES must list the queues this worker serves")
            by = os.environ.get("AUDITOR_SHARD_BY", "tier")
            city = valid_tenant(os.environ.get("AUDITOR_TENANT", "").strip() or DEFAULT_TENANT)
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
    ctx = context()
    if tenant != ctx.tenant:
        log.warning(
            "collect_device refused run_key=%s device=%s tenant=%s serves tenant=%s",
            run_key,
            device_name,
            tenant,
            ctx.tenant,
        )
        return "refused"
    log.info("collect_device start run_key=%s device=%s worker=%s", run_key, device_name, worker)
    if is_reported(ctx.store, run_key, device_name):
        log.info("collect_device duplicate run_key=%s device=%s", run_key, device_name)
        return "duplicate"
    device = ctx.inputs.inventory.device(device_name)
    queue = queue_for(device, ctx.inputs.policy, ctx.shard_by) if device is not None else ""
    if device is None or queue not in ctx.queues or (arrived_on and arrived_on != queue):
        log.warning(
            "collect_device refused run_key=%s device=%s queue=%s arrived_on=%s serves=%s",
            run_key,
            device_name,
            queue,
            arrived_on,
            ",".join(sorted(ctx.queues)),
        )
        return "refused"
    from auditor.inventory.credentials import resolve_secret

    secrets: list[str] = []

    def resolve(reference: Any) -> str:
        secret = resolve_secret(reference, base_dir=ctx.inventory_dir)
        secrets.append(secret)
        return secret

    try:
        result = collect(ctx.collectors, [device], resolve)
    except Exception as exc:  # reported as a COL finding, never a lost device
        log.exception("collection of %s crashed", device_name)
        from auditor.collect.base import CollectionResult

        result = CollectionResult(
            errors=[
                CollectionFailure(
                    device=device_name,
                    kind=FailureKind.CRASHED,
                    subject="collector:worker",
                    detail=str(exc)[:500],
                    facts={"collector": "worker", "exception": type(exc).__name__},
                )
            ]
        )
    redact_result(result, salt=ctx.salt, secrets=secrets)
    snapshot = result.snapshots.get(device_name)
    evidence = [
        [label, base64.b64encode(data).decode("ascii")]
        for label, data in result.evidence.get(device_name, [])
    ]
    report = DeviceReport(
        device=device_name,
        queue=queue,
        worker=worker,
        snapshot=snapshot.model_dump_json() if snapshot is not None else None,
        failures=json.dumps([failure_to_json(f) for f in result.errors], ensure_ascii=False),
        evidence=json.dumps(evidence),
        reported_at=datetime.now(UTC),
    )
    written = report_collection(ctx.store, run_key, report)
    log.info("collect_device done run_key=%s device=%s written=%s", run_key, device_name, written)
    return "collected" if written else "duplicate"

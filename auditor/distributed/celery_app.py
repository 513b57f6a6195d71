"""The Celery application of distributed collection and its tasks.

Start a worker inside a tier with its own inventory and credentials::

    AUDITOR_INVENTORY=… AUDITOR_POLICY=… AUDITOR_DB_URL=postgresql://… \
    AUDITOR_WORKER_QUEUES=mynumber celery -A auditor.distributed.celery_app worker -Q mynumber

In a multi-city deployment the worker of city ``kita`` sets ``AUDITOR_TENANT=kita`` and consumes
``-Q kita.mynumber`` (queue names carry the city; see ``routing.city_queue``).

The dispatcher sends ``collect_devices(run_key, [device…])`` (a batch of one queue's devices;
``collect_device`` stays for single devices and older dispatchers). Messages carry only the run
key, device names and the city: never a credential. Tasks are acknowledged late and
rejected when their worker dies, so a SIGKILLed worker's message goes back to its queue (after the
Redis visibility timeout) and another worker of the same queue runs it; the store's unique
(run_key, device) keeps a re-delivered task from writing twice.
"""

from __future__ import annotations

import os
from typing import Any

from celery import Celery

from auditor.distributed.routing import BATCH_TASK_NAME, TASK_NAME

DEFAULT_BROKER = "redis://127.0.0.1:6379/0"
DEFAULT_VISIBILITY_TIMEOUT = 1800
"""Seconds before Redis hands an unacknowledged message to another worker; must exceed the
longest collection of one device (SSH with slow devices: minutes)."""


def broker_url(given: str | None = None) -> str:
    return given or os.environ.get("AUDITOR_BROKER_URL") or DEFAULT_BROKER


def _int_env(name: str, default: int) -> int:
    text = os.environ.get(name, "").strip()
    return int(text) if text.isdigit() else default


def make_app(broker: str | None = None) -> Celery:
    app = Celery("kyojin_auditor", broker=broker_url(broker))
    visibility = _int_env("AUDITOR_VISIBILITY_TIMEOUT", DEFAULT_VISIBILITY_TIMEOUT)
    transport: dict[str, Any] = {"visibility_timeout": visibility}
    restore = _int_env("AUDITOR_UNACKED_RESTORE_INTERVAL", 0)
    if restore:
        transport.update(unacked_restore_interval=restore, unacked_restore_throttle=1)
    app.conf.update(
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        task_ignore_result=True,
        task_serializer="json",
        accept_content=["json"],
        task_default_queue="default",
        broker_transport_options=transport,
        broker_connection_retry_on_startup=True,
        worker_send_task_events=False,
        task_track_started=False,
    )
    return app


app = make_app()


@app.task(name=TASK_NAME, bind=True, acks_late=True, reject_on_worker_lost=True)  # type: ignore[untyped-decorator]
def collect_device(self: Any, run_key: str, device: str, tenant: str = "default") -> str:
    """Collect one device for ``run_key`` of city ``tenant`` and write it to the store
    (idempotent); messages from before tenants carry no city and mean ``default``."""
    from auditor.distributed.worker import collect_one

    delivery = getattr(self.request, "delivery_info", None) or {}
    queue = str(delivery.get("routing_key") or "")
    return collect_one(
        run_key, device, arrived_on=queue, worker=str(self.request.hostname), tenant=tenant
    )


@app.task(name=BATCH_TASK_NAME, bind=True, acks_late=True, reject_on_worker_lost=True)  # type: ignore[untyped-decorator]
def collect_devices(
    self: Any, run_key: str, devices: list[str], tenant: str = "default"
) -> list[str]:
    """Collect a batch of one queue's devices (what the dispatcher sends): idempotent per
    device, acknowledged late, so a SIGKILLed worker's batch is re-run by another worker of the
    queue and only its unreported devices are collected again."""
    from auditor.distributed.worker import collect_batch

    delivery = getattr(self.request, "delivery_info", None) or {}
    queue = str(delivery.get("routing_key") or "")
    return collect_batch(
        run_key,
        [str(name) for name in devices],
        arrived_on=queue,
        worker=str(self.request.hostname),
        tenant=tenant,
    )


HEARTBEAT_KEY = "kyojin:worker-heartbeats"
HEARTBEAT_SECONDS = 10.0


def _heartbeat_loop(sender: Any = None, **_: Any) -> None:
    """Write ``hostname → {at, queues}`` into a Redis hash every few seconds.

    ``auditor workers`` reads it, so a worker that died still shows when it was last alive
    (``celery inspect`` only sees the living ones).
    """
    import json
    import logging
    import threading
    from datetime import UTC, datetime

    hostname = str(getattr(sender, "hostname", "") or "worker")
    stop = threading.Event()

    def beat() -> None:
        while not stop.is_set():
            try:
                with app.connection_for_write() as connection:
                    client = connection.default_channel.client
                    queues = sorted(q.name for q in app.amqp.queues.consume_from.values())
                    client.hset(
                        HEARTBEAT_KEY,
                        hostname,
                        json.dumps({"at": datetime.now(UTC).isoformat(), "queues": queues}),
                    )
            except Exception:  # the broker is away: the next beat tries again
                logging.getLogger(__name__).debug("heartbeat not written", exc_info=True)
            stop.wait(HEARTBEAT_SECONDS)

    threading.Thread(target=beat, name="kyojin-heartbeat", daemon=True).start()


def _connect_signals() -> None:
    from celery.signals import worker_ready

    worker_ready.connect(_heartbeat_loop, weak=False)


_connect_signals()

"""``auditor workers``: queues, workers, last heartbeat and backlog.

Workers answer ``celery inspect`` (ping, active queues, active tasks); the backlog of a queue is
the length of its Redis list (messages not yet taken by any worker), or with RabbitMQ the
queue's ready messages. Heartbeats are kept in Redis only: with RabbitMQ a worker shows while it
answers the ping.
"""

from __future__ import annotations

import contextlib
import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

INSPECT_TIMEOUT = 2.0
RETRY_PAUSE = 0.25
"""Pause before the one retry of a failed broker connection (kombu's default is 2 s): enough for
a connection dropped in passing; a broker that is down is reported without a long wait."""


class BrokerUnreachableError(Exception):
    def __init__(self, broker: str, message: str) -> None:
        super().__init__(message)
        self.broker = broker


@dataclass
class WorkerState:
    name: str
    queues: list[str]
    active: int
    heartbeat: datetime | None
    answering: bool = True


@dataclass
class Status:
    broker: str
    backlog: dict[str, int] = field(default_factory=dict)
    workers: list[WorkerState] = field(default_factory=list)

    def queues(self) -> list[str]:
        names = set(self.backlog)
        for worker in self.workers:
            names.update(worker.queues)
        return sorted(names)

    def to_json(self) -> dict[str, Any]:
        return {
            "broker": self.broker,
            "queues": [
                {
                    "queue": queue,
                    "backlog": self.backlog.get(queue, 0),
                    "workers": [w.name for w in self.workers if queue in w.queues],
                }
                for queue in self.queues()
            ],
            "workers": [
                {
                    "name": w.name,
                    "queues": w.queues,
                    "active": w.active,
                    "last_heartbeat": w.heartbeat.isoformat() if w.heartbeat else None,
                    "answering": w.answering,
                }
                for w in self.workers
            ],
        }


def _redacted_url(url: str) -> str:
    from kombu.utils.url import maybe_sanitize_url

    return str(maybe_sanitize_url(url))


def _text(value: Any) -> str:
    return value.decode("utf-8") if isinstance(value, bytes) else str(value)


def _ready(connection: Any, queue: str) -> int:
    """Ready messages of an AMQP queue (a passive declare; 0 for a queue not declared yet)."""
    channel = connection.channel()
    try:
        return int(channel.queue_declare(queue=queue, passive=True).message_count)
    except connection.channel_errors:  # NOT_FOUND closes the channel: one channel per queue
        return 0
    finally:
        with contextlib.suppress(Exception):
            channel.close()


def gather_status(broker: str | None, expected_queues: list[str]) -> Status:
    from auditor.distributed.celery_app import HEARTBEAT_KEY, broker_url, make_app

    url = broker_url(broker)
    app = make_app(url)
    status = Status(broker=_redacted_url(url))
    try:
        with app.connection_for_write() as connection:
            connection.ensure_connection(max_retries=1, interval_start=RETRY_PAUSE)
            # Redis: heartbeats in a hash, backlogs as list lengths. Another broker (RabbitMQ)
            # keeps no heartbeat hash; its backlog is each queue's count of ready messages.
            client = getattr(connection.default_channel, "client", None)
            inspect = app.control.inspect(timeout=INSPECT_TIMEOUT, connection=connection)
            pings = inspect.ping() or {}
            queues = inspect.active_queues() or {}
            active = inspect.active() or {}
            stored = client.hgetall(HEARTBEAT_KEY).items() if client is not None else ()
            beats = {_text(k): json.loads(_text(v)) for k, v in stored}
            for name in sorted(set(pings) | set(beats)):
                beat = beats.get(name, {})
                served = sorted(q["name"] for q in queues.get(name, [])) or list(
                    beat.get("queues", [])
                )
                at = beat.get("at")
                status.workers.append(
                    WorkerState(
                        name=name,
                        queues=served,
                        active=len(active.get(name, [])),
                        heartbeat=datetime.fromisoformat(at) if at else None,
                        answering=name in pings,
                    )
                )
            names = set(expected_queues)
            for worker in status.workers:
                names.update(worker.queues)
            for queue in sorted(names):
                status.backlog[queue] = (
                    int(client.llen(queue)) if client is not None else _ready(connection, queue)
                )
    except Exception as exc:
        raise BrokerUnreachableError(status.broker, f"{type(exc).__name__}: {exc}") from exc
    return status

"""Queues per city and batch tasks, without a broker (the real-broker tests are test_celery.py).

A city's queues carry its name (``kita.mynumber``), a worker of city A never serves a queue of
city B whatever its configuration says, batches keep one queue's devices together, and the
store keeps each device's first report even when a batch races a re-delivered one.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from auditor.audit.inputs import Bundle
from auditor.distributed import worker as worker_module
from auditor.distributed.dispatch import dispatch
from auditor.distributed.routing import BATCH_TASK_NAME, city_queue, queue_for
from auditor.distributed.worker import WorkerContext, collect_batch, worker_queues
from auditor.inventory.models import Device
from auditor.store.handover import (
    DeviceReport,
    report_collection,
    report_collections,
    reported_devices,
    reports,
)
from auditor.store.repository import Store
from tests.distributed.example_inputs import example_city_bundle


@pytest.fixture(scope="module")
def inputs() -> Bundle:
    devices = [
        Device(name=f"myn-{n}", address=f"10.10.0.{n}", platform="cisco_ios", zones=["mynumber"])
        for n in range(1, 24)
    ] + [
        Device(name=f"lg-{n}", address=f"10.20.0.{n}", platform="cisco_ios", zones=["lgwan"])
        for n in range(1, 6)
    ]
    return example_city_bundle(devices)


class RecordingBroker:
    """Keeps what ``dispatch`` sends (the Celery app's two methods it uses), nothing else."""

    def __init__(self) -> None:
        self.sent: list[dict[str, Any]] = []

    @contextmanager
    def producer_or_acquire(self) -> Iterator[object]:
        yield object()

    def send_task(self, name: str, **message: Any) -> None:
        self.sent.append({"name": name, **message})


def test_the_default_city_keeps_bare_tier_queues_and_other_cities_get_their_prefix(
    inputs: Bundle,
) -> None:
    device = inputs.inventory.devices[0]
    assert queue_for(device, inputs.policy) == "mynumber"
    assert queue_for(device, inputs.policy, tenant="kita") == "kita.mynumber"
    assert city_queue("kita.mynumber", "kita") == "kita.mynumber"
    assert city_queue("mynumber", "default") == "mynumber"


def test_a_worker_of_one_city_never_serves_another_city_s_queue() -> None:
    assert worker_queues("mynumber, kita.lgwan", "kita") == {"kita.mynumber", "kita.lgwan"}
    # Whatever the configuration names, a kita worker's queues are kita's.
    assert worker_queues("minami.mynumber", "kita") == {"kita.minami.mynumber"}
    assert worker_queues("mynumber", "default") == {"mynumber"}
    assert worker_queues(" , ", "kita") == frozenset()


def test_dispatch_sends_batches_of_one_queue_s_devices_to_the_city_queue(inputs: Bundle) -> None:
    broker = RecordingBroker()
    sent = dispatch(broker, inputs.inventory.devices, inputs.policy, tenant="kita", batch=10)
    assert {q: len(n) for q, n in sent.queues.items()} == {"kita.mynumber": 23, "kita.lgwan": 5}
    sizes = {
        m["queue"]: [len(x["args"][1]) for x in broker.sent if x["queue"] == m["queue"]]
        for m in broker.sent
    }
    assert sizes == {"kita.mynumber": [10, 10, 3], "kita.lgwan": [5]}
    names = [name for m in broker.sent for name in m["args"][1]]
    assert sorted(names) == sorted(d.name for d in inputs.inventory.devices)  # each once
    for message in broker.sent:
        assert message["name"] == BATCH_TASK_NAME
        assert message["routing_key"] == message["queue"]
        assert message["kwargs"] == {"tenant": "kita"}
        assert message["args"][0] == sent.run_key
        # A batch holds only its queue's devices.
        for name in message["args"][1]:
            assert sent.queue_of()[name] == message["queue"]


def _report(device: str, worker: str) -> DeviceReport:
    return DeviceReport(
        device=device,
        queue="mynumber",
        worker=worker,
        snapshot=None,
        failures="[]",
        evidence="[]",
        reported_at=datetime.now(UTC),
    )


def test_a_batch_write_keeps_each_device_s_first_report(tmp_path: Path) -> None:
    with Store(str(tmp_path / "auditor.db")) as store:
        store.upgrade()
        assert report_collection(store, "k", _report("b", "celery@first"))
        written = report_collections(
            store, "k", [_report(name, "celery@second") for name in ("a", "b", "c")]
        )
        assert written == {"a", "c"}
        rows = {r.device: r.worker for r in reports(store, "k")}
        assert rows == {"a": "celery@second", "b": "celery@first", "c": "celery@second"}
        assert reported_devices(store, "k", ["a", "x", "c"]) == {"a", "c"}
        assert report_collections(store, "k", []) == set()


@pytest.fixture
def worker_context(
    inputs: Bundle, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[WorkerContext]:
    """A kita worker of the My Number queue with no collectors (no network: devices report an
    empty collection, which is enough to see routing, refusals and idempotency)."""
    with Store(str(tmp_path / "auditor.db"), tenant="kita") as store:
        store.upgrade()
        context = WorkerContext(
            tenant="kita",
            inputs=inputs,
            store=store,
            queues=worker_queues("mynumber", "kita"),
            shard_by="tier",
            collectors=[],
            inventory_dir=tmp_path,
            salt=b"salt",
        )
        monkeypatch.setattr(worker_module, "_context", context)
        yield context


def test_a_batch_collects_its_devices_once_and_refuses_what_is_not_its_own(
    worker_context: WorkerContext,
) -> None:
    names = ["myn-1", "myn-2", "lg-1", "unknown", "myn-1"]
    outcomes = collect_batch(
        "k1", names, arrived_on="kita.mynumber", worker="celery@kita", tenant="kita"
    )
    # lgwan's device and an unknown name are refused; a repeated name is one device.
    assert outcomes == ["collected", "collected", "refused", "refused", "collected"]
    again = collect_batch(
        "k1", ["myn-1", "myn-3"], arrived_on="kita.mynumber", worker="celery@b", tenant="kita"
    )
    assert again == ["duplicate", "collected"]  # a re-delivered batch: only the new device
    rows = {r.device: r for r in reports(worker_context.store, "k1")}
    assert set(rows) == {"myn-1", "myn-2", "myn-3"}
    assert rows["myn-1"].worker == "celery@kita"
    assert {r.queue for r in rows.values()} == {"kita.mynumber"}


def test_a_batch_of_another_city_or_from_another_queue_is_refused(
    worker_context: WorkerContext,
) -> None:
    assert collect_batch(
        "k2", ["myn-1"], arrived_on="minami.mynumber", worker="w", tenant="minami"
    ) == ["refused"]
    # The right city but the bare (default city's) queue name: not this worker's queue.
    assert collect_batch("k2", ["myn-1"], arrived_on="mynumber", worker="w", tenant="kita") == [
        "refused"
    ]
    assert reports(worker_context.store, "k2") == []
    with Store(worker_context.store.url, tenant="minami") as minami:
        assert reports(minami, "k2") == []

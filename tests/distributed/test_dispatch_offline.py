"""Distributed collection without a broker: routing, the idempotent store rows, the deadline.

The store is a real SQLite file; what a worker writes is what ``collect_one`` writes.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from auditor.audit.inputs import Bundle
from auditor.audit.service import RunRequest, run
from auditor.distributed.bundle import failure_to_json
from auditor.distributed.dispatch import Dispatched, gather, wait_for_reports
from auditor.distributed.routing import queue_for, shard, tier_of
from auditor.inventory.models import Device
from auditor.model.collection import CollectionFailure, FailureKind
from auditor.model.snapshot import DeviceSnapshot
from auditor.rules import discover
from auditor.store.handover import DeviceReport, report_collection, reports
from auditor.store.repository import Store
from tests.cli_tree import CliRunner, build_app
from tests.distributed.example_inputs import example_city_bundle

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def inputs() -> Bundle:
    devices = [
        Device(name="myn-sw", address="10.10.0.2", platform="cisco_ios", zones=["mynumber"]),
        Device(name="lg-sw", address="10.20.0.2", platform="cisco_ios", zones=["lgwan"]),
        # A firewall between tiers: its credentials stay with the most protected tier.
        Device(name="fw", address="10.99.0.1", platform="fortinet", zones=["internet", "mynumber"]),
        Device(
            name="pinned",
            address="10.30.0.2",
            platform="cisco_ios",
            zones=["internet"],
            site="annex",
            groups=["queue:annex-dmz"],
        ),
    ]
    return example_city_bundle(devices)


@pytest.fixture
def store(tmp_path: Path):
    with Store(str(tmp_path / "auditor.db")) as opened:
        opened.upgrade()
        yield opened


def _report(device: str, queue: str, *, snapshot: bool = True) -> DeviceReport:
    now = datetime.now(UTC)
    failures = (
        []
        if snapshot
        else [failure_to_json(CollectionFailure(device=device, kind=FailureKind.TIMEOUT))]
    )
    return DeviceReport(
        device=device,
        queue=queue,
        worker="celery@test",
        snapshot=DeviceSnapshot(device=device, collected_at=now).model_dump_json()
        if snapshot
        else None,
        failures=json.dumps(failures),
        evidence="[]",
        reported_at=now,
    )


def test_devices_are_routed_to_their_most_protected_tier(inputs: Bundle) -> None:
    policy = inputs.policy
    queues = {d.name: queue_for(d, policy) for d in inputs.inventory.devices}
    assert queues == {
        "myn-sw": "mynumber",
        "lg-sw": "lgwan",
        "fw": "mynumber",
        "pinned": "annex-dmz",
    }
    assert tier_of(inputs.inventory.devices[3], policy) == "internet"
    assert [d.name for d in shard(inputs.inventory.devices, policy, tier="mynumber")] == [
        "myn-sw",
        "fw",
    ]
    assert [d.name for d in shard(inputs.inventory.devices, policy, queues=["lgwan"])] == ["lg-sw"]


def test_a_redelivered_report_is_not_written_twice(store: Store) -> None:
    assert report_collection(store, "k1", _report("myn-sw", "mynumber"))
    assert not report_collection(store, "k1", _report("myn-sw", "mynumber"))
    assert report_collection(store, "k2", _report("myn-sw", "mynumber"))  # another run
    assert [r.device for r in reports(store, "k1")] == ["myn-sw"]


def test_silent_devices_are_col_findings_and_the_run_is_partial(
    store: Store, inputs: Bundle
) -> None:
    sent = Dispatched(
        run_key="k",
        queues={"mynumber": ["myn-sw", "fw"], "lgwan": ["lg-sw"], "annex-dmz": ["pinned"]},
    )
    report_collection(store, "k", _report("myn-sw", "mynumber"))
    report_collection(store, "k", _report("lg-sw", "lgwan", snapshot=False))
    report_collection(store, "k", _report("stranger", "mynumber"))  # not dispatched: ignored
    ticks = iter(range(100))
    count = wait_for_reports(store, sent, 3, clock=lambda: float(next(ticks)), pause=lambda _: None)
    assert count == 3  # the stray row counts for the wait, never for the result
    collected = gather(store, sent)
    assert set(collected.snapshots) == {"myn-sw"}
    silent = {f.device: f for f in collected.errors if f.kind is FailureKind.NOT_REPORTED}
    assert set(silent) == {"fw", "pinned"}
    assert silent["fw"].fact("queue") == "mynumber"
    outcome = run(
        inputs,
        discover(),
        store,
        RunRequest(
            scope="full",
            devices=inputs.inventory.devices,
            snapshots=collected.snapshots,
            failures=collected.errors,
        ),
    )
    assert outcome.status == "partial"
    assert "fw" not in outcome.covered_devices
    messages = [f.message_en for f in outcome.findings if f.check_id == "COL-000"]
    assert any("fw: not collected by a worker (queue mynumber)" in m for m in messages)
    assert store.get_run(outcome.run_id or 0).status == "partial"


def test_workers_says_when_the_broker_is_unreachable(tmp_path: Path) -> None:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    result = CliRunner().invoke(
        build_app("ja"),
        ["workers", "--broker", f"redis://127.0.0.1:{port}/0", "--inventory", str(tmp_path / "x")],
    )
    assert result.exit_code == 2
    assert "に接続できません" in result.output


MYN_SW = (
    "  - name: myn-sw\n"
    "    address: 127.0.0.1\n"
    "    platform: cisco_ios\n"
    "    zones: [mynumber]\n"
    "    snmp: {version: v2c, port: 9, community: {env: MYN_COMMUNITY_UNSET}}\n"
)
LG_SW = (
    "  - name: lg-sw\n"
    "    address: 127.0.0.1\n"
    "    platform: cisco_ios\n"
    "    zones: [lgwan]\n"
    "    snmp: {version: v2c, port: 9, community: {env: LGWAN_COMMUNITY}}\n"
)


def _worker_of_mynumber(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, devices: str, tenant: str | None = None
) -> tuple[Path, Path, list[object]]:
    """A worker serving the mynumber queue over a real store: (inventory, database, the
    credential references it resolved so far)."""
    from auditor.distributed import worker

    inventory = tmp_path / "devices.yaml"
    inventory.write_text("devices:\n" + devices)
    db = tmp_path / "auditor.db"
    with Store(str(db)) as opened:
        opened.upgrade()
    monkeypatch.setenv("AUDITOR_POLICY", str(REPO / "policies" / "example-city"))
    monkeypatch.setenv("AUDITOR_INVENTORY", str(inventory))
    monkeypatch.setenv("AUDITOR_DB_URL", str(db))
    monkeypatch.setenv("AUDITOR_WORKER_QUEUES", "mynumber")
    monkeypatch.setenv("AUDITOR_REDACTION_SALT", "worker-test")
    if tenant is not None:
        monkeypatch.setenv("AUDITOR_TENANT", tenant)
    monkeypatch.setattr(worker, "_context", None)
    resolved: list[object] = []
    import auditor.inventory.credentials as credentials

    real = credentials.resolve_secret

    def spy(reference: object, **kwargs: object) -> str:
        resolved.append(reference)
        return real(reference, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(credentials, "resolve_secret", spy)
    return inventory, db, resolved


def test_a_worker_never_collects_a_device_of_a_queue_it_does_not_serve(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The worker refuses before any credential is resolved: nothing is reported for it."""
    from auditor.distributed import worker

    _, db, resolved = _worker_of_mynumber(tmp_path, monkeypatch, LG_SW + MYN_SW)
    monkeypatch.setenv("LGWAN_COMMUNITY", "lgwan-secret")
    assert worker.collect_one("k", "lg-sw", arrived_on="lgwan", worker="w") == "refused"
    assert worker.collect_one("k", "lg-sw", arrived_on="mynumber", worker="w") == "refused"
    assert resolved == []
    # Its own device is collected (here: the unset credential is a COL failure, reported once).
    assert worker.collect_one("k", "myn-sw", arrived_on="mynumber", worker="w") == "collected"
    assert worker.collect_one("k", "myn-sw", arrived_on="mynumber", worker="w") == "duplicate"
    with Store(str(db)) as opened:
        rows = reports(opened, "k")
    assert [r.device for r in rows] == ["myn-sw"]
    assert json.loads(rows[0].failures)[0]["kind"] == "credential"
    worker._context = None


def test_a_worker_serves_one_city_and_its_reports_stay_in_that_city(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Tenants: a task names the dispatcher's city; a worker of another city refuses it before
    any credential is resolved, and its own city's reports are invisible to other cities."""
    from contextlib import nullcontext

    from auditor.distributed import worker
    from auditor.distributed.dispatch import dispatch

    inventory, db, resolved = _worker_of_mynumber(tmp_path, monkeypatch, MYN_SW, tenant="minami")
    assert worker.collect_one("k", "myn-sw", arrived_on="mynumber", worker="w") == "refused"
    assert (
        worker.collect_one("k", "myn-sw", arrived_on="mynumber", worker="w", tenant="kita")
        == "refused"
    )
    assert resolved == []
    assert (
        worker.collect_one("k", "myn-sw", arrived_on="minami.mynumber", worker="w", tenant="minami")
        == "collected"
    )
    with Store(str(db), tenant="minami") as minami, minami.for_tenant("kita") as kita:
        assert [r.device for r in reports(minami, "k")] == ["myn-sw"]
        assert reports(kita, "k") == []
    worker._context = None

    class App:
        def __init__(self) -> None:
            self.sent: list[dict[str, object]] = []

        def producer_or_acquire(self) -> object:
            return nullcontext(None)

        def send_task(self, name: str, **options: object) -> None:
            self.sent.append(options)

    app = App()
    loaded = worker.load_bundle(
        REPO / "policies" / "example-city", inventory, None, worker.discover()
    )
    dispatch(app, loaded.inventory.devices, loaded.policy, tenant="minami")
    assert [s["kwargs"] for s in app.sent] == [{"tenant": "minami"}]
    assert [s["queue"] for s in app.sent] == ["minami.mynumber"]  # the city's own queue
    assert all("MYN_COMMUNITY" not in json.dumps(s, default=str) for s in app.sent)

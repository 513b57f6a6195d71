"""The compact snapshot types keep the model behaviour callers rely on, in less memory."""

from __future__ import annotations

import pickle
from datetime import UTC, datetime

import pytest
from pydantic import ValidationError

from auditor.analysis.layer2 import InterfacesByDevice
from auditor.model.snapshot import DeviceSnapshot, FdbEntry, Interface, SystemInfo

NOW = datetime(2026, 12, 5, 9, 0, tzinfo=UTC)


def _snapshot() -> DeviceSnapshot:
    return DeviceSnapshot(
        device="sw1",
        collected_at=NOW,
        interfaces=[
            Interface(name="Gi1/0/1", mode="access", access_vlan=10),
            {"name": "Gi1/0/2", "mode": "trunk", "allowed_vlans": [10, 20]},
        ],
        fdb=[FdbEntry(mac="00:11:22:33:44:55", vlan=10, port="Gi1/0/1")],
        system=SystemInfo(name="sw1", uptime_seconds=5.0),
    )


def test_no_instance_dict() -> None:
    interface = Interface(name="Gi1/0/1")
    assert not hasattr(interface, "__dict__")
    assert not hasattr(_snapshot(), "__dict__")


def test_validation_is_unchanged() -> None:
    with pytest.raises(ValidationError):
        Interface(name="Gi1/0/1", unknown_field=1)  # type: ignore[call-arg]
    with pytest.raises(ValidationError):
        Interface(name="Gi1/0/1", mode="bogus")  # type: ignore[arg-type]
    assert _snapshot().interfaces[1].allowed_vlans == [10, 20]


def test_model_copy_updates_a_copy_only() -> None:
    interface = Interface(name="Gi1/0/1", oper_up=False)
    copied = interface.model_copy(update={"oper_up": True})
    assert (interface.oper_up, copied.oper_up) == (False, True)
    with pytest.raises(AttributeError):
        interface.model_copy(update={"no_such_field": 1})


def test_dump_round_trips_and_hash_ignores_clocks() -> None:
    snapshot = _snapshot()
    assert DeviceSnapshot.model_validate_json(snapshot.model_dump_json()) == snapshot
    assert DeviceSnapshot.model_validate(snapshot.model_dump(mode="json")) == snapshot
    assert pickle.loads(pickle.dumps(snapshot)) == snapshot
    assert list(snapshot.model_dump())[:3] == ["schema_version", "device", "collected_at"]
    later = snapshot.with_volatile_state({"uptime_seconds": 99.0})
    assert later.system.uptime_seconds == 99.0
    assert later.content_hash() == snapshot.content_hash()
    assert "alias" in Interface.model_fields


def test_repeated_names_are_shared() -> None:
    first = FdbEntry(mac="".join(["00:11:22:33:44:", "66"]), port="".join(["Gi1/0/", "7"]))
    second = FdbEntry(mac="".join(["00:11:22:33:44:", "66"]), port="".join(["Gi1/0/", "7"]))
    assert first.mac is second.mac
    assert first.port is second.port


def test_interfaces_by_device_builds_on_demand() -> None:
    snapshots = {f"sw{i}": _snapshot().model_copy(update={"device": f"sw{i}"}) for i in range(5)}
    by_device = InterfacesByDevice(snapshots, keep=2)
    assert list(by_device) == list(snapshots)
    assert len(by_device) == 5
    for name in snapshots:
        assert set(by_device[name]) == {"Gi1/0/1", "Gi1/0/2"}
    assert by_device.get("missing", {}) == {}
    assert "sw3" in by_device

"""Monitoring checks across audit runs stored in SQLite and PostgreSQL.

A scripted collector plays a small network whose state changes between runs (a reboot, a new
terminal, a link that bounces, a device that goes silent); the real engine records every run in a
real store and loads the history the monitoring checks compare with.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import timedelta
from typing import Any

from auditor.audit.engine import RunOutcome
from auditor.audit.service import run_audit
from auditor.collect.base import CollectionResult, ProgressCallback
from auditor.inventory.models import AssetLedger, Device, Inventory
from auditor.model.collection import CollectionFailure, FailureKind
from auditor.model.findings import Finding, Outcome
from auditor.model.snapshot import DeviceSnapshot, FdbEntry
from auditor.rules import Registry, discover
from auditor.store import Store
from auditor_checks.monitoring.device_rebooted import DeviceRebooted
from auditor_checks.monitoring.device_stopped_answering import DeviceStoppedAnswering
from auditor_checks.monitoring.interface_flapping import InterfaceFlapping
from auditor_checks.monitoring.new_mac_on_protected_port import NewMacOnProtectedPort
from tests.checks.hardening._support import AUDIT_TIME, policy, snapshot

DAY = timedelta(days=1)
# The COL- checks turn collection errors into the ERROR findings the store remembers.
REGISTRY = Registry(
    [check for check in discover() if check.id.startswith("COL-")]
    + [DeviceRebooted, InterfaceFlapping, NewMacOnProtectedPort, DeviceStoppedAnswering]
)
DEVICES = [
    Device.model_validate(
        {"name": name, "address": "127.0.0.1", "platform": "generic", "zones": zones, "snmp": {}}
    )
    for name, zones in (("myn-sw", ["mynumber", "management"]), ("lg-rt", ["lgwan"]))
]


class ScriptedNetwork:
    """A collector whose answers are set per run: the lab state of that night."""

    name = "snmp"

    def __init__(self) -> None:
        self.state: Callable[[], CollectionResult] = CollectionResult

    def collect(
        self,
        devices: Sequence[Device],
        resolve_secret: Callable[[Any], str],
        progress: ProgressCallback | None = None,
    ) -> CollectionResult:
        return self.state()


def switch(at: int, uptime_days: float, macs: list[str], link_age_hours: float) -> DeviceSnapshot:
    when = AUDIT_TIME + at * DAY
    return snapshot(
        "myn-sw",
        collected_at=when,
        system={"uptime_seconds": uptime_days * 86_400},
        interfaces=[
            {
                "name": "gi0/1",
                "mode": "access",
                "access_vlan": 10,
                "oper_up": True,
                "last_change_seconds": link_age_hours * 3600,
            },
        ],
        fdb=[FdbEntry(mac=mac, vlan=10, port="gi0/1") for mac in macs],
    )


def silent(device: str) -> CollectionFailure:
    return CollectionFailure(device=device, kind=FailureKind.TIMEOUT, subject="snmp")


def night(store: Store, network: ScriptedNetwork, at: int, result: CollectionResult) -> RunOutcome:
    network.state = lambda: result
    return run_audit(
        policy=policy(rules={"MON-004": {"parameters": {"max_changes": 1}}}),
        inventory=Inventory(devices=DEVICES),
        ledger=AssetLedger(),
        registry=REGISTRY,
        collectors=[network],
        devices=DEVICES,
        resolve_secret=lambda ref: "",
        store=store,
        scope="full",
        now=AUDIT_TIME + at * DAY,
    )


def failed(outcome: RunOutcome) -> list[tuple[str, str | None, str]]:
    return sorted(
        (f.check_id, f.device, f.subject) for f in outcome.findings if f.outcome is Outcome.FAIL
    )


def not_applicable(findings: list[Finding]) -> set[str]:
    return {f.check_id for f in findings if f.outcome is Outcome.NOT_APPLICABLE}


def test_reboot_new_mac_flap_and_silence_are_found_across_stored_runs(store: Store) -> None:
    network = ScriptedNetwork()
    pc, intruder = "00:00:5e:10:0a:01", "3c:22:fb:aa:bb:cc"
    lg = snapshot("lg-rt", collected_at=AUDIT_TIME, system={"uptime_seconds": 10 * 86_400})

    first = night(
        store,
        network,
        0,
        CollectionResult(snapshots={"myn-sw": switch(0, 40, [pc], 500), "lg-rt": lg}),
    )
    assert failed(first) == []
    assert {"MON-003", "MON-005"} <= not_applicable(first.findings)  # nothing to compare yet

    second = night(
        store,
        network,
        1,
        CollectionResult(
            snapshots={
                "myn-sw": switch(1, 41, [pc], 524),
                "lg-rt": snapshot(
                    "lg-rt",
                    collected_at=AUDIT_TIME + DAY,
                    system={"uptime_seconds": 11 * 86_400},
                ),
            }
        ),
    )
    assert failed(second) == []

    # Night 3: the switch rebooted two hours ago, a new terminal appeared, the link bounced, and
    # the router stopped answering.
    third = night(
        store,
        network,
        2,
        CollectionResult(
            snapshots={"myn-sw": switch(2, 2 / 24, [pc, intruder], 1)}, errors=[silent("lg-rt")]
        ),
    )
    assert ("MON-003", "myn-sw", "reboot") in failed(third)
    assert ("MON-005", "myn-sw", f"mac:{intruder}") in failed(third)
    assert ("MON-004", "myn-sw", "port:gi0/1") in failed(third)
    assert not any(f[0] == "MON-006" for f in failed(third))  # one silent night is COL-'s

    fourth = night(
        store,
        network,
        3,
        CollectionResult(
            snapshots={"myn-sw": switch(3, 1 + 2 / 24, [pc, intruder], 25)},
            errors=[silent("lg-rt")],
        ),
    )
    assert failed(fourth) == [("MON-006", "lg-rt", "unreachable")]
    message = next(f.message_en for f in fourth.findings if f.check_id == "MON-006")
    assert "2 consecutive runs since 2026-11-26" in message

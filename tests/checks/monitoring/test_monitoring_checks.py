"""MON-003 … MON-006: comparing this run with earlier ones."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from auditor.model.collection import CollectionFailure, FailureKind
from auditor.model.findings import Outcome, Severity
from auditor.model.snapshot import DeviceSnapshot, FdbEntry
from auditor.rules import History
from auditor_checks.monitoring.device_rebooted import DeviceRebooted
from auditor_checks.monitoring.device_stopped_answering import DeviceStoppedAnswering
from auditor_checks.monitoring.interface_flapping import InterfaceFlapping
from auditor_checks.monitoring.new_mac_on_protected_port import NewMacOnProtectedPort
from tests.checks.hardening._support import (
    AUDIT_TIME,
    context,
    device,
    failures,
    not_applicable,
    policy,
    run,
    snapshot,
)

HOUR = timedelta(hours=1)
DAY = timedelta(days=1)


def snap_at(hours_ago: float, uptime: float, **fields: Any) -> DeviceSnapshot:
    return snapshot(
        collected_at=AUDIT_TIME - hours_ago * HOUR, system={"uptime_seconds": uptime}, **fields
    )


def test_uptime_going_back_is_a_reboot_with_its_estimated_time() -> None:
    previous = snap_at(24, uptime=40 * 86_400)
    current = snap_at(0, uptime=2 * 3600)
    found = failures(
        DeviceRebooted(),
        context([current], history=History(previous_snapshots={"sw1": previous})),
    )
    assert [f.subject for f in found] == ["reboot"]
    assert "2026-11-24 07:00 UTC" in found[0].message_en


def test_uptime_that_grew_with_the_clock_or_wrapped_is_not_a_reboot() -> None:
    steady = History(previous_snapshots={"sw1": snap_at(24, uptime=1_000_000)})
    assert (
        run(DeviceRebooted(), context([snap_at(0, uptime=1_000_000 + 86_400)], history=steady))
        == []
    )
    wrap = 2**32 / 100
    before = History(previous_snapshots={"sw1": snap_at(1, uptime=wrap - 600)})
    assert run(DeviceRebooted(), context([snap_at(0, uptime=3000)], history=before)) == []


def test_without_a_previous_poll_reboot_detection_is_not_applicable() -> None:
    findings = run(DeviceRebooted(), context([snap_at(0, uptime=100)]))
    assert [f.outcome for f in findings] == [Outcome.NOT_APPLICABLE]


def _port(up: bool, changed_hours_ago: float) -> list[dict[str, Any]]:
    """One access port; ``last_change_seconds`` is the time since its last status change."""
    return [
        {
            "name": "Gi1/0/7",
            "mode": "access",
            "access_vlan": 20,
            "oper_up": up,
            "last_change_seconds": changed_hours_ago * 3600,
        }
    ]


def test_a_port_that_keeps_going_up_and_down_is_flapping() -> None:
    uptime = 1_000_000.0
    # (poll hours ago, state, last change hours ago): down at -7 h, up at -5 h, down+up by -3 h …
    history_snaps = [
        snap_at(8, uptime - 8 * 3600, interfaces=_port(True, 100)),
        snap_at(6, uptime - 6 * 3600, interfaces=_port(False, 1)),
        snap_at(4, uptime - 4 * 3600, interfaces=_port(True, 1)),
        snap_at(2, uptime - 2 * 3600, interfaces=_port(True, 1)),
    ]
    current = snap_at(0, uptime, interfaces=_port(False, 0.5))
    pol = policy(rules={"MON-004": {"parameters": {"max_changes": 3}}})
    ctx = context(
        [current], policy_obj=pol, history=History(snapshot_history={"sw1": history_snaps})
    )
    found = failures(InterfaceFlapping(), ctx)
    assert [f.subject for f in found] == ["port:Gi1/0/7"]
    assert "at least 5 times" in found[0].message_en


def test_a_stable_port_is_not_flapping_and_old_polls_fall_out_of_the_window() -> None:
    uptime = 1_000_000.0
    old = [snap_at(48, uptime - 48 * 3600, interfaces=_port(False, 5))]
    current = snap_at(0, uptime, interfaces=_port(True, 100))
    ctx = context([current], history=History(snapshot_history={"sw1": old}))
    assert [f.outcome for f in run(InterfaceFlapping(), ctx)] == [Outcome.NOT_APPLICABLE]
    recent = [snap_at(2, uptime - 7200, interfaces=_port(True, 98))]
    ctx = context([current], history=History(snapshot_history={"sw1": recent}))
    assert run(InterfaceFlapping(), ctx) == []


def _fdb(*macs: str) -> list[FdbEntry]:
    return [FdbEntry(mac=mac, vlan=10, port="Gi0/2") for mac in macs]


ACCESS_10 = [{"name": "Gi0/2", "mode": "access", "access_vlan": 10}]


def test_a_new_mac_on_a_my_number_access_port_is_reported() -> None:
    previous = snapshot(
        collected_at=AUDIT_TIME - DAY, interfaces=ACCESS_10, fdb=_fdb("00:00:5e:10:0a:01")
    )
    current = snapshot(interfaces=ACCESS_10, fdb=_fdb("00:00:5e:10:0a:01", "3C-22-FB-AA-BB-CC"))
    ctx = context([current], history=History(previous_snapshots={"sw1": previous}))
    found = failures(NewMacOnProtectedPort(), ctx)
    assert [(f.subject, f.severity) for f in found] == [("mac:3c:22:fb:aa:bb:cc", Severity.HIGH)]


def test_known_macs_and_unprotected_zones_are_quiet_and_no_history_is_not_applicable() -> None:
    internet = [{"name": "Gi0/2", "mode": "access", "access_vlan": 30}]
    current = snapshot(
        interfaces=internet, fdb=[FdbEntry(mac="3c:22:fb:aa:bb:cc", vlan=30, port="Gi0/2")]
    )
    prev = snapshot(collected_at=AUDIT_TIME - DAY, interfaces=internet, fdb=[])
    assert (
        run(
            NewMacOnProtectedPort(),
            context([current], history=History(previous_snapshots={"sw1": prev})),
        )
        == []
    )
    current = snapshot(interfaces=ACCESS_10, fdb=_fdb("00:00:5e:10:0a:01"))
    assert len(not_applicable(NewMacOnProtectedPort(), context([current]))) == 1
    prev = snapshot(
        collected_at=AUDIT_TIME - DAY, interfaces=ACCESS_10, fdb=_fdb("00:00:5e:10:0a:01")
    )
    assert (
        run(
            NewMacOnProtectedPort(),
            context([current], history=History(previous_snapshots={"sw1": prev})),
        )
        == []
    )


def _timeout(name: str) -> CollectionFailure:
    return CollectionFailure(device=name, kind=FailureKind.TIMEOUT, subject="snmp")


def test_a_device_silent_for_consecutive_runs_is_reported_with_the_first_failure() -> None:
    history = History(
        collection_failures={
            "rt1": [
                AUDIT_TIME - 2 * DAY,
                AUDIT_TIME - DAY,
                AUDIT_TIME - DAY + timedelta(seconds=20),
            ]
        },
        last_success={"rt1": AUDIT_TIME - 3 * DAY},
    )
    ctx = context([], devices=[device("rt1")], history=history, collection_errors=[_timeout("rt1")])
    found = failures(DeviceStoppedAnswering(), ctx)
    assert [f.subject for f in found] == ["unreachable"]
    assert "3 consecutive runs since 2026-11-22 09:00 UTC" in found[0].message_en


def test_one_failed_run_or_failures_before_the_last_success_are_not_reported() -> None:
    history = History(
        collection_failures={"rt1": [AUDIT_TIME - 5 * DAY]},
        last_success={"rt1": AUDIT_TIME - DAY},
    )
    ctx = context([], devices=[device("rt1")], history=history, collection_errors=[_timeout("rt1")])
    assert run(DeviceStoppedAnswering(), ctx) == []
    answered = context([snapshot("rt1")], history=history, collection_errors=[_timeout("rt1")])
    assert run(DeviceStoppedAnswering(), answered) == []

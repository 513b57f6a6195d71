"""Flapping is judged on the device's own clock, so polling delays do not look like flaps."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from auditor.model.snapshot import DeviceSnapshot, Interface, SystemInfo
from auditor_checks.monitoring.interface_flapping import transitions

T0 = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)


def _poll(collected_late_by: float, uptime: float, since_change: float) -> DeviceSnapshot:
    return DeviceSnapshot(
        device="sw",
        collected_at=T0 + timedelta(seconds=uptime - 1000 + collected_late_by),
        system=SystemInfo(uptime_seconds=uptime),
        interfaces=[Interface(name="gi0/1", oper_up=True, last_change_seconds=since_change)],
    )


def test_a_late_timestamp_without_an_iflastchange_move_is_not_a_flap() -> None:
    before = _poll(0, uptime=1000, since_change=400)
    after = _poll(7.5, uptime=1060, since_change=460)  # stamped 7.5 s late, link untouched
    assert transitions(before, after, "gi0/1") == 0


def test_an_iflastchange_that_moved_between_polls_counts_as_down_and_up() -> None:
    before = _poll(0, uptime=1000, since_change=400)
    after = _poll(0, uptime=1060, since_change=20)  # changed 20 s ago, state the same
    assert transitions(before, after, "gi0/1") == 2


def test_an_uptime_read_a_second_early_is_not_taken_for_a_reboot() -> None:
    before = _poll(0, uptime=1000, since_change=400)
    after = DeviceSnapshot(
        device="sw",
        collected_at=before.collected_at + timedelta(seconds=60),
        system=SystemInfo(uptime_seconds=999),  # agent restarted its clock 61 s back: not a boot
        interfaces=[Interface(name="gi0/1", oper_up=True, last_change_seconds=399)],
    )
    assert transitions(before, after, "gi0/1") == 0

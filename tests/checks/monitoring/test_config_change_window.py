"""MON-007: configuration changes outside the declared change window."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from auditor.model.findings import Outcome
from auditor.model.snapshot import DeviceSnapshot
from auditor.platforms.change_stamp import change_stamp
from auditor.rules import History
from auditor_checks.monitoring.config_changed_outside_window import (
    ConfigChangedOutsideWindow,
    change_time,
)
from tests.checks.hardening._support import AUDIT_TIME, context, policy, run, snapshot

# AUDIT_TIME is Tuesday 2026-11-24 09:00 UTC = 18:00 JST.
SATURDAY_NIGHT = {"days": ["sat"], "start": "22:00", "end": "06:00"}
WEEKDAY_EVENING = {"days": ["mon", "tue", "wed", "thu", "fri"], "start": "17:00", "end": "20:00"}


def config(text: str, *, hours_ago: float = 0) -> DeviceSnapshot:
    """A snapshot of ``text`` with the change stamp the platform parser reads from its header."""
    made = snapshot(
        config=text,
        config_hash=str(hash(text)),
        collected_at=AUDIT_TIME - timedelta(hours=hours_ago),
    )
    changed_at, changed_by = change_stamp(text)
    system = made.system.model_copy(
        update={"config_changed_at": changed_at, "config_changed_by": changed_by}
    )
    return made.model_copy(update={"system": system})


def ctx(previous: DeviceSnapshot, current: DeviceSnapshot, **parameters: Any) -> Any:
    pol = policy(rules={"MON-007": {"parameters": parameters}})
    return context([current], policy_obj=pol, history=History(previous_snapshots={"sw1": previous}))


HEADER = "! Last configuration change at 10:15:32 JST Tue Nov 24 2026 by admin\n"


def test_the_device_recorded_change_time_is_read_from_the_typed_field() -> None:
    assert change_time(config(HEADER)) == AUDIT_TIME.replace(hour=1, minute=15, second=32)


def test_a_change_at_a_recorded_time_outside_every_window_is_reported() -> None:
    previous = config("hostname sw1\n", hours_ago=24)
    current = config(HEADER + "hostname sw1\nvlan 30\n")
    findings = run(ConfigChangedOutsideWindow(), ctx(previous, current, windows=[SATURDAY_NIGHT]))
    assert [(f.subject, f.outcome) for f in findings] == [("config-change", Outcome.FAIL)]
    assert "2026-11-24 10:15 JST" in findings[0].message_en


def test_a_change_inside_a_window_or_an_approved_period_is_quiet() -> None:
    previous = config("hostname sw1\n", hours_ago=2)  # 16:00-18:00 JST Tuesday
    current = config("hostname sw1\nvlan 30\n")
    assert (
        run(
            ConfigChangedOutsideWindow(),
            ctx(previous, current, windows=[{"days": ["tue"], "start": "15:00", "end": "19:00"}]),
        )
        == []
    )
    period = {
        "start": "2026-11-24T15:00:00+09:00",
        "end": "2026-11-24T19:00:00+09:00",
        "devices": "sw*",
        "ticket": "CHG-1",
    }
    assert (
        run(ConfigChangedOutsideWindow(), ctx(previous, current, approved_periods=[period])) == []
    )


def test_an_unknown_change_time_spanning_a_window_is_not_applicable() -> None:
    previous = config("hostname sw1\n", hours_ago=24)
    current = config("hostname sw1\nvlan 30\n")
    findings = run(ConfigChangedOutsideWindow(), ctx(previous, current, windows=[WEEKDAY_EVENING]))
    assert [f.outcome for f in findings] == [Outcome.NOT_APPLICABLE]


def test_an_unknown_change_time_entirely_outside_the_windows_is_reported() -> None:
    previous = config("hostname sw1\n", hours_ago=6)  # 12:00-18:00 JST Tuesday
    current = config("hostname sw1\nvlan 30\n")
    findings = run(ConfigChangedOutsideWindow(), ctx(previous, current, windows=[SATURDAY_NIGHT]))
    assert [f.outcome for f in findings] == [Outcome.FAIL]
    assert "between" in findings[0].message_en


def test_no_change_is_quiet_and_no_declared_window_is_said_once() -> None:
    same = config("hostname sw1\n", hours_ago=24)
    assert run(ConfigChangedOutsideWindow(), ctx(same, config("hostname sw1\n"))) == []
    findings = run(ConfigChangedOutsideWindow(), ctx(same, config("hostname sw1\nvlan 9\n")))
    assert [(f.device, f.outcome) for f in findings] == [(None, Outcome.NOT_APPLICABLE)]

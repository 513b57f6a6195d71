"""Clock skew (SNMP hrSystemDate, IOS show clock) and IOS login/config-change logging facts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from auditor.model.snapshot import Source
from auditor.model.snmp_walk import DeviceWalk
from auditor.platforms import cisco_ios, snmp_columns
from auditor.platforms.ios_config import LOGGING_FACTS, MANAGEMENT_FACTS, interpret
from auditor.platforms.parts import SnapshotParts
from auditor.platforms.snmp_normalize import date_and_time, normalize_walk

JST = timezone(timedelta(hours=9))
COLLECTED = datetime(2026, 11, 24, 0, 0, 0, tzinfo=UTC)


def _date_and_time(when: datetime, *, offset: bool = True) -> bytes:
    head = when.year.to_bytes(2, "big") + bytes(
        [when.month, when.day, when.hour, when.minute, when.second, when.microsecond // 100_000]
    )
    if not offset:
        return head
    minutes = int(when.utcoffset().total_seconds() // 60)  # type: ignore[union-attr]
    sign = b"+" if minutes >= 0 else b"-"
    return head + sign + bytes([abs(minutes) // 60, abs(minutes) % 60])


def test_date_and_time_with_and_without_offset() -> None:
    local = datetime(2026, 11, 24, 9, 12, 40, 300_000, tzinfo=JST)
    assert date_and_time(_date_and_time(local)) == local
    assert date_and_time(_date_and_time(local, offset=False)) == local.replace(tzinfo=UTC)
    assert date_and_time(b"\x07\xea\x0d\x20\x00\x00\x00\x00") is None  # month 13
    assert date_and_time("2026-11-24") is None


def test_hr_system_date_becomes_the_skew_against_the_collection_time() -> None:
    walk = DeviceWalk(device="sw", platform="generic")
    ahead = (COLLECTED + timedelta(seconds=760)).astimezone(JST)
    walk.walks[snmp_columns.HR_SYSTEM_DATE] = [((0,), _date_and_time(ahead))]
    snapshot = normalize_walk(walk, collected_at=COLLECTED)
    assert snapshot.system.clock_skew_seconds == 760.0
    unmeasured = normalize_walk(DeviceWalk(device="sw", platform="generic"), collected_at=COLLECTED)
    assert unmeasured.system.clock_skew_seconds is None


def test_ios_show_clock_is_parsed_and_turned_into_skew_only_when_live() -> None:
    text = "*09:10:00.123 JST Tue Nov 24 2026\n"
    clock = cisco_ios.parse_clock(text)
    assert clock == datetime(2026, 11, 24, 9, 10, 0, 123_000, tzinfo=JST)
    assert cisco_ios.parse_clock("09:10:00.123 PST Tue Nov 24 2026") is None  # not guessed
    assert cisco_ios.parse_clock("% Invalid input detected") is None
    parts = SnapshotParts(device_clock=clock)
    live = parts.to_snapshot("sw", COLLECTED)
    assert live.system.clock_skew_seconds == 600.123
    offline = parts.to_snapshot("sw", COLLECTED, source=Source.FILE)
    assert offline.system.clock_skew_seconds is None
    assert "show clock" in cisco_ios.PROFILE.commands


def test_ios_login_and_archive_logging() -> None:
    declared = MANAGEMENT_FACTS | LOGGING_FACTS
    logged = interpret(
        "login on-failure log\nlogin on-success log every 1\n"
        "archive\n log config\n  logging enable\n  notify syslog contenttype plaintext\n",
        dialect="cisco_ios",
        salt=b"s",
        declared=declared,
    )
    assert logged.management.login_logging is True
    assert logged.management.config_change_logging is True
    assert not [line for line in logged.unparsed if "login" in line or "archive" in line]
    half = interpret(
        "login on-failure log\narchive\n path flash:cfg\n",
        dialect="cisco_ios",
        salt=b"s",
        declared=declared,
    )
    assert half.management.login_logging is False
    assert half.management.config_change_logging is False
    undeclared = interpret("login on-failure log\n", dialect="alaxala_ax", salt=b"s")
    assert undeclared.management.login_logging is None

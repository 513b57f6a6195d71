"""Rules, grades, quiet hours, digests and rate limits, through the real outbox."""

from __future__ import annotations

import tomllib
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

from auditor.daemon.settings import Settings, sample_config
from auditor.notify.channels.base import DeliveryError
from auditor.notify.dispatch import Dispatcher
from auditor.notify.events import Event, grade_of
from auditor.notify.routing import matches, quiet_until, route
from auditor.notify.settings import NotifyRule, NotifySettings
from auditor.store.outbox import Outbox
from tests.notify.helpers import NOW, finding_event, notifier


class Recorder:
    """A channel that records what it was given (the delivery logic under test is real)."""

    kind = "webhook"
    digest_capable = True

    def __init__(self, fail: DeliveryError | None = None) -> None:
        self.name = "hook"
        self.batches: list[list[Event]] = []
        self.fail = fail

    def send(self, events: list[Event], *, message_id: str) -> None:
        if self.fail is not None:
            raise self.fail
        self.batches.append(list(events))


def test_grade_comes_from_the_finding_else_from_the_severity() -> None:
    assert grade_of(SimpleNamespace(grade="軽微な不適合", severity="critical")) == "minor"
    assert grade_of(SimpleNamespace(severity=SimpleNamespace(value="high"))) == "major"
    assert grade_of(SimpleNamespace(severity="medium")) == "minor"
    assert grade_of(SimpleNamespace(severity="low")) == "observation"


def test_rules_filter_by_level_grade_zone_family_and_group() -> None:
    rule = NotifyRule(
        channels=["m"],
        min_severity="high",
        zones=["mynumber"],
        check_families=["SEG"],
        device_groups=["core"],
    )
    event = finding_event(groups=("core",))
    assert matches(rule, event)
    assert not matches(rule, finding_event(level="medium", groups=("core",)))
    assert not matches(rule, finding_event(zone="internet", groups=("core",)))
    assert not matches(rule, finding_event(check_id="HRD-001", groups=("core",)))
    assert not matches(rule, finding_event(groups=("edge",)))
    by_grade = NotifyRule(channels=["m"], min_grade="minor")
    assert matches(by_grade, finding_event(level="medium"))
    assert not matches(by_grade, finding_event(level="low"))


def test_quiet_hours_hold_all_but_critical_until_the_end_of_the_window() -> None:
    night = datetime(2026, 12, 1, 14, 0, tzinfo=UTC)  # 23:00 JST
    end = quiet_until("22:00-07:00", night, "Asia/Tokyo")
    assert end is not None and end.astimezone(UTC) == datetime(2026, 12, 1, 22, 0, tzinfo=UTC)
    assert quiet_until("22:00-07:00", NOW, "Asia/Tokyo") is None
    settings = NotifySettings.model_validate(
        {
            "channels": {
                "m": {"type": "webhook", "url": "http://127.0.0.1:9/", "quiet_hours": "22:00-07:00"}
            },
            "rules": [{"channels": ["m"], "min_severity": "low"}],
        }
    )
    [held, urgent] = route(
        [finding_event(level="high", key="a"), finding_event(level="critical", key="b")],
        settings,
        now=night,
        tz="Asia/Tokyo",
    )
    assert held.not_before == end and urgent.not_before == night


def test_digest_sends_one_message_and_nothing_is_repeated(outbox: Outbox) -> None:
    notes = notifier(
        outbox, {"hook": {"type": "webhook", "url": "http://127.0.0.1:9/", "digest": True}}
    )
    recorder = Recorder()
    notes.dispatcher = Dispatcher(
        outbox, notes.settings, tz="Asia/Tokyo", scrubber=notes.scrubber, senders={"hook": recorder}
    )
    events = [finding_event(key=f"finding:{n}:new") for n in range(5)]
    assert len(notes.emit(events, now=NOW)) == 5
    assert notes.emit(events, now=NOW) == []  # already queued: no repeat
    assert len(notes.deliver(NOW).sent) == 5
    assert [len(batch) for batch in recorder.batches] == [5]


def test_rate_limit_defers_instead_of_dropping(outbox: Outbox) -> None:
    notes = notifier(
        outbox, {"hook": {"type": "webhook", "url": "http://127.0.0.1:9/", "max_per_hour": 2}}
    )
    recorder = Recorder()
    notes.dispatcher = Dispatcher(
        outbox, notes.settings, tz="Asia/Tokyo", scrubber=notes.scrubber, senders={"hook": recorder}
    )
    notes.emit([finding_event(key=f"k{n}") for n in range(3)], now=NOW)
    first = notes.deliver(NOW)
    assert len(first.sent) == 2 and len(first.postponed) == 1
    assert len(notes.deliver(NOW + timedelta(hours=1, minutes=1)).sent) == 1


def test_retries_run_out_into_a_failure(outbox: Outbox) -> None:
    notes = notifier(
        outbox, {"hook": {"type": "webhook", "url": "http://127.0.0.1:9/", "max_attempts": 2}}
    )
    failing = Recorder(DeliveryError("HTTP 503", permanent=False))
    notes.dispatcher = Dispatcher(
        outbox, notes.settings, tz="Asia/Tokyo", scrubber=notes.scrubber, senders={"hook": failing}
    )
    notes.emit([finding_event()], now=NOW)
    assert notes.deliver(NOW).retried
    assert notes.deliver(NOW + timedelta(hours=1)).failed
    assert notes.channel_states()[0].failing


def test_the_sample_config_documents_notifications_and_parses() -> None:
    text = sample_config()
    assert "[notify.channels.mail-main]" in text and "capture_interface" in text
    tomllib.loads(text)
    assert Settings.model_fields["notify"].default_factory is not None

"""Rules and quiet hours: which channel gets which event, and from when.

Filters apply to the events that carry the attribute: the level (grade or severity) to findings
and device events, zones and device groups to events about a device or a zoned finding, check
families to findings. Run, report and pack events are routed by kind alone.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from auditor.notify.events import GRADE_ORDER, SEVERITY_ORDER, Event
from auditor.notify.settings import NotifyRule, NotifySettings
from auditor.store.outbox import OutboxItem

LEVELLED_KINDS = frozenset({"finding", "device_down", "device_up"})


def _level_passes(rule: NotifyRule, event: Event) -> bool:
    if event.kind not in LEVELLED_KINDS:
        return True
    if rule.min_grade is not None and event.kind == "finding":
        return GRADE_ORDER[event.effective_grade] >= GRADE_ORDER[rule.min_grade]
    return SEVERITY_ORDER.get(event.level, 0) >= SEVERITY_ORDER[rule.min_severity]


def matches(rule: NotifyRule, event: Event) -> bool:
    """Whether ``rule`` sends ``event`` (see the module docstring for which filter applies)."""
    if event.kind not in rule.events or not _level_passes(rule, event):
        return False
    if rule.zones and event.zone is not None and event.zone not in rule.zones:
        return False
    if rule.zones and event.zone is None and event.kind == "finding" and event.device:
        return False
    if rule.check_families and event.kind == "finding":
        family = (event.check_id or "").split("-", 1)[0]
        if family not in rule.check_families:
            return False
    return not (
        rule.device_groups
        and event.device is not None
        and not set(event.groups) & set(rule.device_groups)
    )


def quiet_until(window: str | None, now: datetime, tz: str) -> datetime | None:
    """End of the quiet window ``"HH:MM-HH:MM"`` when ``now`` lies inside it, else None."""
    if window is None:
        return None
    start_text, end_text = window.split("-")
    zone = ZoneInfo(tz)
    local = now.astimezone(zone)
    start = time.fromisoformat(start_text)
    end = time.fromisoformat(end_text)
    current = local.time().replace(second=0, microsecond=0)
    if start == end:
        return None
    inside = start <= current < end if start < end else current >= start or current < end
    if not inside:
        return None
    end_at = local.replace(hour=end.hour, minute=end.minute, second=0, microsecond=0)
    if end_at <= local:
        end_at += timedelta(days=1)
    return end_at


def route(
    events: Iterable[Event], settings: NotifySettings, *, now: datetime, tz: str
) -> list[OutboxItem]:
    """One outbox item per (channel, event) that some rule sends there."""
    items: list[OutboxItem] = []
    seen: set[tuple[str, str]] = set()
    for event in events:
        for rule in settings.rules:
            if not matches(rule, event):
                continue
            for name in rule.channels:
                if (name, event.key) in seen:
                    continue
                seen.add((name, event.key))
                items.append(item_for(name, event, settings, now=now, tz=tz))
    return items


def item_for(
    channel: str, event: Event, settings: NotifySettings, *, now: datetime, tz: str
) -> OutboxItem:
    config = settings.channels[channel]
    not_before = now
    if SEVERITY_ORDER.get(event.level, 0) < SEVERITY_ORDER[config.quiet_bypass]:
        not_before = quiet_until(config.quiet_hours, now, tz) or now
    return OutboxItem(
        channel=channel,
        kind=event.kind,
        dedupe_key=event.key,
        level=event.level,
        payload=event.to_payload(),
        not_before=not_before,
        subject=event.subject,
    )


def channels_for_kind(settings: NotifySettings, kind: str) -> Sequence[str]:
    """Channels some rule sends ``kind`` to (the scheduler skips work nobody receives)."""
    return sorted(
        {name for rule in settings.rules if kind in rule.events for name in rule.channels}
    )

"""MON-007: the running configuration changed outside the change window the policy declares."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from fnmatch import fnmatchcase
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, field_validator

from auditor.model.findings import EvidenceRef, Finding, Reference, Severity
from auditor.model.snapshot import DeviceSnapshot
from auditor.rules import AuditContext, Check, CheckParams

from ..hardening._common import not_applicable, primary_zone, snapshots_in_order

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass(frozen=True)
class Interval:
    start: datetime
    end: datetime


_CLOCK = r"^([01]?\d|2[0-4])(:[0-5]\d)?$"


class ChangeWindow(BaseModel):
    """A weekly change window; ``end`` before ``start`` runs past midnight."""

    # ``start: 22`` (a bare hour) reads as a number in YAML; it means 22:00.
    model_config = ConfigDict(extra="forbid", frozen=True, coerce_numbers_to_str=True)

    days: list[str] = Field(
        default_factory=lambda: list(DAYS), description="mon … sun (first three letters count)"
    )
    start: str = Field("00:00", pattern=_CLOCK, description="HH:MM local time")
    end: str = Field("24:00", pattern=_CLOCK, description="HH:MM local time")

    @field_validator("days")
    @classmethod
    def _known_days(cls, days: list[str]) -> list[str]:
        unknown = [day for day in days if day.lower()[:3] not in DAYS]
        if unknown:
            raise ValueError(f"unknown day {unknown[0]!r} (use {', '.join(DAYS)})")
        return days


class ApprovedPeriod(BaseModel):
    """A one-off approved maintenance period (ISO date-times, local unless they carry a zone)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    start: datetime
    end: datetime
    devices: str = Field("*", description="Device name glob")
    ticket: str | None = Field(None, description="Change ticket number")


def change_time(snapshot: DeviceSnapshot) -> datetime | None:
    """The device's own record of its last configuration change, when the platform parser found
    one (``SystemInfo.config_changed_at``, UTC)."""
    changed = snapshot.system.config_changed_at
    if changed is not None and changed.tzinfo is None:
        changed = changed.replace(tzinfo=UTC)  # stored snapshots may come back naive
    return changed


def _clock(text: str) -> time:
    hours, _, minutes = str(text).partition(":")
    return time(int(hours) % 24, int(minutes or 0))


def window_instances(
    windows: list[dict[str, Any]], zone: ZoneInfo, first: date, last: date
) -> list[Interval]:
    """Concrete UTC intervals of the weekly windows between two dates (overnight windows span)."""
    found: list[Interval] = []
    day = first - timedelta(days=1)
    while day <= last:
        for window in windows:
            days = [str(d).lower()[:3] for d in window.get("days", DAYS)]
            if DAYS[day.weekday()] not in days:
                continue
            start = datetime.combine(day, _clock(window.get("start", "00:00")), zone)
            end = datetime.combine(day, _clock(window.get("end", "24:00")), zone)
            if end <= start:
                end += timedelta(days=1)
            found.append(Interval(start.astimezone(UTC), end.astimezone(UTC)))
        day += timedelta(days=1)
    return found


def coverage(span: Interval, allowed: list[Interval]) -> str:
    """``inside`` if allowed intervals cover all of ``span``, ``outside`` if none of it, else
    ``partial``."""
    pieces = sorted(
        (max(a.start, span.start), min(a.end, span.end))
        for a in allowed
        if a.start < span.end and a.end > span.start
    )
    if not pieces:
        return "outside"
    cursor = span.start
    for start, end in pieces:
        if start > cursor:
            return "partial"
        cursor = max(cursor, end)
    return "inside" if cursor >= span.end else "partial"


class ConfigChangedOutsideWindow(Check):
    """A configuration change happened outside the declared change window.

    What it checks:
        Devices whose redacted running configuration hash differs from the previous run's
        (the same comparison as MON-001). The change time is the device's own record when the
        platform parser found one in the configuration header (Cisco ``! Last configuration
        change at …``, NEC IX ``! Last updated …``); otherwise it lies somewhere between the two
        collections. The policy declares weekly ``windows`` (days,
        start, end in ``timezone``, overnight allowed) and one-off ``approved_periods`` (start,
        end, optional ``devices`` glob, ``ticket``). A change wholly outside them is a finding
        (subject ``config-change``); a change whose time is unknown and only partly inside a
        window is reported not applicable. Without any window declared the check says so once.

    Why is this bad?:
        Change control (機器構成の変更の制限) lets changes happen only when they are planned,
        approved and watched. A change at 03:00 on a Tuesday, outside every window, is an
        emergency fix without a record or someone who should not be on the device.

    Example:
        ``windows: [{days: [sat], start: "22:00", end: "06:00"}]`` and a Cisco header "Last
        configuration change at 10:15:32 JST Tue Nov 24 2026": one finding.

    Remediation:
        Find the change record (変更管理票); if there is none, identify who changed the device
        (AAA accounting, device logs) and review the change. Declare one-off maintenance in
        ``approved_periods`` with the ticket number.

    Parameters:
        ``windows`` (list of ``{days, start, end}``, default empty); ``approved_periods`` (list of
        ``{start, end, devices, ticket}`` with ISO date-times, default empty); ``timezone``
        (default ``Asia/Tokyo``).
    """

    id = "MON-007"
    slug = "config-changed-outside-window"
    severity = Severity.MEDIUM
    title_ja = "変更時間帯外の設定変更"
    title_en = "Configuration changed outside the change window"
    scope = "history"

    class Params(CheckParams):
        windows: list[ChangeWindow] = Field(
            default_factory=list, description="Weekly change windows: {days, start, end}"
        )
        approved_periods: list[ApprovedPeriod] = Field(
            default_factory=list,
            description="One-off approved periods: {start, end, devices, ticket}",
        )
        timezone: str = Field("Asia/Tokyo", description="Time zone of the windows")

        @field_validator("timezone")
        @classmethod
        def _known_zone(cls, name: str) -> str:
            try:
                ZoneInfo(name)
            except (ZoneInfoNotFoundError, ValueError):
                raise ValueError(f"unknown time zone {name!r} (e.g. Asia/Tokyo)") from None
            return name

    references = (
        Reference(kind="guideline", key="機器構成の変更の制限"),
        Reference(kind="guideline", key="情報システムの監視"),
        Reference(kind="plan", key="4-2-2"),
        Reference(kind="plan", key="4-2-3"),
    )

    def evaluate(self, context: AuditContext) -> Iterator[Finding]:
        params = self.params(context)
        windows = [w.model_dump() for w in params.windows]
        periods = [p.model_dump(mode="json") for p in params.approved_periods]
        zone = ZoneInfo(params.timezone)
        changed: list[tuple[str, DeviceSnapshot, DeviceSnapshot]] = []
        for name, snapshot in snapshots_in_order(context):
            previous = context.history.previous_snapshots.get(name)
            if snapshot.config_hash is None or previous is None or previous.config_hash is None:
                continue  # MON-001 reports what it could not compare
            if previous.config_hash != snapshot.config_hash:
                changed.append((name, previous, snapshot))
        if not changed:
            return
        if not windows and not periods:
            yield not_applicable(
                self,
                context,
                device=None,
                fact="change-window",
                reason_en="the policy declares no change window (rules.MON-007.parameters)",
                reason_ja="ポリシーに変更作業時間帯 (rules.MON-007.parameters) が定義されていません",
            )
            return
        for name, previous, snapshot in changed:
            yield from self._judge(context, name, previous, snapshot, windows, periods, zone)

    def _judge(
        self,
        context: AuditContext,
        name: str,
        previous: DeviceSnapshot,
        snapshot: DeviceSnapshot,
        windows: list[dict[str, Any]],
        periods: list[dict[str, Any]],
        zone: ZoneInfo,
    ) -> Iterator[Finding]:
        recorded = change_time(snapshot)
        if recorded is not None and previous.collected_at <= recorded <= snapshot.collected_at:
            span = Interval(recorded, recorded + timedelta(seconds=1))
        else:
            recorded = None
            span = Interval(previous.collected_at, snapshot.collected_at)
        allowed = window_instances(windows, zone, span.start.date(), span.end.date())
        for period in periods:
            if fnmatchcase(name, str(period.get("devices", "*"))):
                start = datetime.fromisoformat(str(period["start"]))
                end = datetime.fromisoformat(str(period["end"]))
                allowed.append(
                    Interval(
                        start if start.tzinfo else start.replace(tzinfo=zone),
                        end if end.tzinfo else end.replace(tzinfo=zone),
                    )
                )
        verdict = coverage(span, allowed)
        if verdict == "inside":
            return
        local_start = span.start.astimezone(zone).strftime("%Y-%m-%d %H:%M %Z")
        local_end = span.end.astimezone(zone).strftime("%Y-%m-%d %H:%M %Z")
        if verdict == "partial":
            yield not_applicable(
                self,
                context,
                device=name,
                fact="change-time",
                zone=primary_zone(context, name),
                reason_en=f"the change happened between {local_start} and {local_end}, partly "
                "inside a change window",
                reason_ja=f"変更は {local_start} から {local_end} の間に行われ、一部が変更時間帯に"
                "重なります",
            )
            return
        when_en = f"at {local_start}" if recorded else f"between {local_start} and {local_end}"
        when_ja = f"{local_start} に" if recorded else f"{local_start} から {local_end} の間に"
        by = snapshot.system.config_changed_by
        if by:
            when_en += f" by {by}"
            when_ja = f"{by} により{when_ja}"
        yield self.finding(
            context,
            device=name,
            subject="config-change",
            zone=primary_zone(context, name),
            message_en=f"{name}: the configuration changed {when_en}, outside every declared "
            "change window.",
            message_ja=f"{name}: 設定が{when_ja}変更されました。宣言された変更作業時間帯の外です。",
            evidence=[
                EvidenceRef(
                    source="ssh",
                    detail=f"config hash {previous.config_hash} → {snapshot.config_hash}; "
                    f"{'device records the change time' if recorded else 'time from polls'}",
                )
            ],
        )

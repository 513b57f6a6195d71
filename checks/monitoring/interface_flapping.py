"""MON-004: an interface changed its link state too often within the window."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from datetime import timedelta

from pydantic import Field

from auditor.model.findings import EvidenceRef, Finding, Reference, Severity
from auditor.model.snapshot import DeviceSnapshot
from auditor.rules import AuditContext, Check, CheckParams

from ..hardening._common import not_applicable, primary_zone, snapshots_in_order
from .device_rebooted import boot_time_shift

REBOOT_TOLERANCE_SECONDS = 300


def _change_time(
    snapshot: DeviceSnapshot, interface: str, *, device_clock: bool = True
) -> float | None:
    """When the interface last changed state, in seconds on the device's own clock.

    ``last_change_seconds`` is the time since that change (``sysUpTime − ifLastChange``, as the
    SNMP normalizer stores it), so ``uptime − last_change`` is ifLastChange itself: exact between
    polls, whatever the delay between reading sysUpTime and stamping the snapshot. Across a
    reboot (``device_clock=False``) or without an uptime, the poll time stands in.
    """
    found = snapshot.interface(interface)
    if found is None or found.last_change_seconds is None:
        return None
    uptime = snapshot.system.uptime_seconds
    if device_clock and uptime is not None:
        return uptime - found.last_change_seconds
    return snapshot.collected_at.timestamp() - found.last_change_seconds


def transitions(before: DeviceSnapshot, after: DeviceSnapshot, interface: str) -> int:
    """Lower bound of oper-status changes between two polls of one interface."""
    old, new = before.interface(interface), after.interface(interface)
    if old is None or new is None or old.oper_up is None or new.oper_up is None:
        return 0
    if old.oper_up != new.oper_up:
        return 1
    # Rebooted as MON-003 judges it (boot time moved by more than its tolerance), so a clock
    # read a second early, or the 497-day wrap, is not taken for a reboot.
    shift = boot_time_shift(before, after)
    rebooted = shift is not None and shift > REBOOT_TOLERANCE_SECONDS
    # A reboot restarts the device clock: compare by wall clock then (the links did bounce).
    old_change = _change_time(before, interface, device_clock=not rebooted)
    new_change = _change_time(after, interface, device_clock=not rebooted)
    if old_change is not None and new_change is not None and abs(new_change - old_change) > 1:
        return 2  # same state but ifLastChange moved: it went down and came back (or vice versa)
    return 0


class InterfaceFlapping(Check):
    """An interface's link went up and down more than ``max_changes`` times in the window.

    What it checks:
        The device's snapshots within ``window_hours`` (default 24; earlier runs from the
        history plus this run), per interface: each change of oper status between consecutive
        polls counts 1; an unchanged status whose ifLastChange moved counts 2 (down and up
        again between polls). More than ``max_changes`` (default 3) is a finding (subject
        ``port:<name>``). With fewer than two snapshots in the window the check reports not
        applicable.

    Why is this bad?:
        A flapping port is a failing cable or transceiver, a loop, or someone repeatedly
        plugging devices into a socket (unauthorised equipment, 不正接続). It also floods the
        logs and spanning tree. Network monitoring should notice it (ネットワーク監視).

    Example:
        Port ``Gi1/0/7`` was up, down, up, down in four polls today: 3 changes; with
        ``max_changes: 2`` one finding.

    Remediation:
        Check the cabling and the attached device; look at the logs (Cisco ``show logging |
        include Gi1/0/7``; AW+ ``show log``; AlaxalA ``show logging``). Consider errdisable
        flap detection (Cisco ``link-flap`` / ``errdisable detect cause link-flap``).

    Parameters:
        ``window_hours`` (int, default 24); ``max_changes`` (int, default 3).
    """

    id = "MON-004"
    slug = "interface-flapping"
    severity = Severity.LOW
    title_ja = "インターフェースのリンクフラップ"
    title_en = "Interface flapping"
    scope = "history"
    needs = frozenset({"live"})

    class Params(CheckParams):
        window_hours: int = Field(24, gt=0, description="Look-back window in hours")
        max_changes: int = Field(3, ge=0, description="Link changes tolerated within the window")

    references = (
        Reference(kind="guideline", key="情報システムの監視"),
        Reference(kind="plan", key="4-2-2"),
    )

    def evaluate(self, context: AuditContext) -> Iterator[Finding]:
        params = self.params(context)
        window = timedelta(hours=params.window_hours)
        limit = params.max_changes
        for name, snapshot in snapshots_in_order(context):
            earlier = list(context.history.snapshot_history.get(name, []))
            previous = context.history.previous_snapshots.get(name)
            if previous is not None and all(
                s.collected_at != previous.collected_at for s in earlier
            ):
                earlier.append(previous)
            series = sorted(
                (s for s in earlier if snapshot.collected_at - s.collected_at <= window),
                key=lambda s: s.collected_at,
            )
            series = [s for s in series if s.collected_at < snapshot.collected_at] + [snapshot]
            if len(series) < 2:
                yield not_applicable(
                    self,
                    context,
                    device=name,
                    fact="interface-history",
                    zone=primary_zone(context, name),
                    reason_en="fewer than two polls fall within the window",
                    reason_ja="集計期間内の収集が2回未満です",
                )
                continue
            for interface in snapshot.interfaces:
                changes = sum(
                    transitions(a, b, interface.name) for a, b in itertools.pairwise(series)
                )
                if changes <= limit:
                    continue
                hours = params.window_hours
                yield self.finding(
                    context,
                    device=name,
                    subject=f"port:{interface.name}",
                    zone=primary_zone(context, name),
                    message_en=f"{name} {interface.name} changed link state at least {changes} "
                    f"times in {hours} h (limit {limit}).",
                    message_ja=f"{name} の {interface.name} のリンク状態が {hours} 時間で {changes} 回"
                    f"以上変化しました (上限 {limit} 回)。",
                    evidence=[
                        EvidenceRef(
                            source="snmp",
                            detail=f"ifOperStatus {interface.name} over {len(series)} polls since "
                            f"{series[0].collected_at.isoformat()}",
                        )
                    ],
                )

"""MON-003: the device rebooted since the last poll (sysUpTime went back)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

from pydantic import Field

from auditor.model.findings import EvidenceRef, Finding, Reference, Severity
from auditor.model.snapshot import DeviceSnapshot
from auditor.rules import AuditContext, Check, CheckParams

from ..hardening._common import not_applicable, primary_zone, snapshots_in_order

# sysUpTime is TimeTicks (1/100 s, 32 bits): it wraps after about 497 days.
UPTIME_WRAP_SECONDS = 2**32 / 100


def boot_time_shift(previous: DeviceSnapshot, current: DeviceSnapshot) -> float | None:
    """Seconds the boot time moved forward between two polls (≈0 when the device stayed up)."""
    before, now = previous.system.uptime_seconds, current.system.uptime_seconds
    if before is None or now is None:
        return None
    elapsed = (current.collected_at - previous.collected_at).total_seconds()
    expected = before + elapsed
    if expected >= UPTIME_WRAP_SECONDS and abs((expected % UPTIME_WRAP_SECONDS) - now) < 600:
        return 0.0  # the counter wrapped, the device did not reboot
    return expected - now


class DeviceRebooted(Check):
    """The device restarted since the previous poll.

    What it checks:
        For every device with a previous snapshot: boot time = collection time − sysUpTime. If
        the boot time moved forward by more than ``tolerance_seconds`` (default 300) between the
        two polls, the device rebooted (subject ``reboot``); the finding gives the estimated
        reboot time. The 497-day wrap of sysUpTime is not a reboot. Without a previous snapshot
        or uptime the check has nothing to compare and reports not applicable.

    Why is this bad?:
        An unplanned restart means a power cut, a crash (possibly an exploit), or someone
        reloading the device to load another configuration or firmware. The network monitoring
        plan asks that such events be noticed and explained (ネットワーク監視).

    Example:
        Last night sysUpTime was 40 days, this morning it is 2 hours: one finding "rebooted at
        about 07:00".

    Remediation:
        Find the cause: Cisco ``show version`` ("System returned to ROM by …"), AlaxalA
        ``show logging``, AW+ ``show reboot history``, Yamaha ``show log`` (``Restart by …``),
        FortiGate ``diagnose debug crashlog read``, NEC IX ``show logging``. Record planned
        reboots as changes; investigate others.

    Parameters:
        ``tolerance_seconds`` (int, default 300): boot-time jitter ignored.
    """

    id = "MON-003"
    slug = "device-rebooted"
    severity = Severity.MEDIUM
    title_ja = "前回収集以降の機器再起動"
    title_en = "Device rebooted since the last poll"
    scope = "history"
    needs = frozenset({"live"})

    class Params(CheckParams):
        tolerance_seconds: float = Field(
            300, ge=0, description="Boot-time jitter to ignore, seconds"
        )

    references = (
        Reference(kind="guideline", key="情報システムの監視"),
        Reference(kind="plan", key="4-2-2"),
    )

    def evaluate(self, context: AuditContext) -> Iterator[Finding]:
        tolerance = self.params(context).tolerance_seconds
        for name, snapshot in snapshots_in_order(context):
            previous = context.history.previous_snapshots.get(name)
            shift = boot_time_shift(previous, snapshot) if previous is not None else None
            if previous is None or shift is None:
                yield not_applicable(
                    self,
                    context,
                    device=name,
                    fact="uptime-history",
                    zone=primary_zone(context, name),
                    reason_en="there is no earlier uptime to compare with",
                    reason_ja="比較できる前回の稼働時間がありません",
                )
                continue
            if shift <= tolerance:
                continue
            uptime = snapshot.system.uptime_seconds or 0.0
            booted = snapshot.collected_at - timedelta(seconds=uptime)
            at = booted.strftime("%Y-%m-%d %H:%M UTC")
            yield self.finding(
                context,
                device=name,
                subject="reboot",
                zone=primary_zone(context, name),
                message_en=f"{name} rebooted at about {at} (uptime "
                f"{previous.system.uptime_seconds:.0f}s at the previous poll, {uptime:.0f}s now).",
                message_ja=f"{name} は {at} 頃に再起動しました (前回の稼働時間 "
                f"{previous.system.uptime_seconds:.0f} 秒、今回 {uptime:.0f} 秒)。",
                evidence=[
                    EvidenceRef(
                        source="snmp",
                        detail=f"sysUpTime {previous.system.uptime_seconds:.0f}s @ "
                        f"{previous.collected_at.isoformat()} → {uptime:.0f}s @ "
                        f"{snapshot.collected_at.isoformat()}",
                    )
                ],
            )

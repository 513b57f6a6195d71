"""MON-009: the device's clock differs from the collector's by more than allowed."""

from __future__ import annotations

from collections.abc import Iterator

from pydantic import Field

from auditor.model.findings import EvidenceRef, Finding, Reference, Severity
from auditor.rules import AuditContext, Check, CheckParams

from ..hardening._common import evidence_source, primary_zone, snapshots_in_order


class ClockSkew(Check):
    """The device's clock is off: its log timestamps cannot be trusted as evidence.

    What it checks:
        ``system.clock_skew_seconds``: the device clock minus the collector's clock, measured at
        collection (SNMP ``hrSystemDate``, Cisco IOS ``show clock``). A skew larger than
        ``max_skew_seconds`` either way is a finding, subject ``clock``. Devices whose clock was
        not read are left out (not every platform reports it); offline audits skip the check.

    Why is this bad?:
        Configured NTP (HRD-007) is not proof of synchronised time: an unreachable server or a
        wrong time zone leaves the clock drifting. Logs of devices whose clocks disagree cannot be
        put in order after an incident (時刻同期 under 情報システムの監視).

    Example:
        A switch whose ``hrSystemDate`` reads 09:12:40 when the collector's clock reads 09:00:00
        yields ``clock`` ("760 s ahead").

    Remediation:
        Check that the device reaches its NTP server (``show ntp associations``; Yamaha
        ``show status ntp``) and that its time zone is set (``clock timezone JST 9``); correct
        the server or the route to it.

    Parameters:
        ``max_skew_seconds`` (float, default 10): the largest difference tolerated, covering the
        time between the collector reading its clock and the device answering.
    """

    id = "MON-009"
    slug = "clock-skew"
    severity = Severity.MEDIUM
    title_ja = "機器の時刻のずれ"
    title_en = "Device clock skew"
    scope = "device"
    needs = frozenset({"live"})

    class Params(CheckParams):
        max_skew_seconds: float = Field(10.0, gt=0, description="Largest tolerated skew")

    references = (
        Reference(kind="guideline", key="情報システムの監視"),
        Reference(kind="guideline", key="ログの取得等"),
        Reference(kind="plan", key="4-2-2"),
    )

    def evaluate(self, context: AuditContext) -> Iterator[Finding]:
        limit = self.params(context).max_skew_seconds
        for name, snapshot in snapshots_in_order(context):
            skew = snapshot.system.clock_skew_seconds
            if skew is None or abs(skew) <= limit:
                continue
            side_en = "ahead of" if skew > 0 else "behind"
            side_ja = "進んで" if skew > 0 else "遅れて"
            yield self.finding(
                context,
                device=name,
                subject="clock",
                zone=primary_zone(context, name),
                message_en=(
                    f"{name}'s clock is {abs(skew):.0f} s {side_en} the collector's "
                    f"(limit {limit:.0f} s)."
                ),
                message_ja=(
                    f"{name} の時刻が収集サーバーより {abs(skew):.0f} 秒{side_ja}います "
                    f"(許容 {limit:.0f} 秒)。"
                ),
                evidence=[
                    EvidenceRef(
                        source=evidence_source(snapshot.system.source, "snmp"),
                        detail=f"system.clock_skew_seconds={skew:.1f}",
                    )
                ],
            )

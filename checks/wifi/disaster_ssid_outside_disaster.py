"""WIFI-008: 00000JAPAN is broadcast outside a declared disaster period."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from auditor.model.findings import Finding, Reference, Severity
from auditor.rules import AuditContext, Check, CheckParams

from ._ssids import ssids


class DisasterPeriod(BaseModel):
    """A period the city declared 00000JAPAN open (災害時の無料開放), e.g. from its 開放手順 log."""

    model_config = ConfigDict(extra="forbid")

    start: datetime
    end: datetime | None = Field(default=None, description="None: still open")
    reference: str = Field(default="", description="the declaration (文書番号, 災害名)")


class DisasterSsidOutsideDisaster(Check):
    """The disaster SSID (00000JAPAN) is broadcast while no disaster period is declared.

    What it checks:
        Every SSID named in ``disaster_ssids`` (default ``00000JAPAN``) that the device offers
        and broadcasts (or does not say it does not), subject ``ssid:<SSID>``, when the audit
        time is in none of the ``disaster_periods``. A period without ``end`` is still open.

    Why is this bad?:
        00000JAPAN is the unified disaster SSID of 無線LANビジネス推進連絡会: open, without
        authentication or encryption, meant to be switched on only in a disaster. Broadcast in
        normal times it invites residents onto an unprotected network that anyone can imitate;
        the 会計検査院 found many cities without a documented procedure for opening and closing
        it.

    Example:
        ``00000JAPAN`` offered by the city hall controller on 2026-11-24 with no period
        declared: ``ssid:00000JAPAN``.

    Remediation:
        Take the SSID off the radios until a disaster is declared (FortiGate: remove the VAP from
        the FortiAP profile's ``set vaps`` or ``set broadcast-ssid disable``), and keep the
        opening and closing procedure with its dates. During a declared disaster add the period
        to ``disaster_periods``.

    Parameters:
        ``disaster_ssids`` (list, default ``[00000JAPAN]``): SSIDs allowed only in a disaster.
        ``disaster_periods`` (list of {start, end, reference}, default empty): declared periods.
    """

    id = "WIFI-008"
    slug = "disaster-ssid-outside-disaster"
    severity = Severity.MEDIUM
    title_ja = "災害用統一SSID (00000JAPAN) が災害時以外に発信されている"
    title_en = "Disaster SSID 00000JAPAN broadcast outside a declared disaster period"
    scope = "device"

    class Params(CheckParams):
        disaster_ssids: list[str] = Field(
            default_factory=lambda: ["00000JAPAN"],
            description="SSIDs that may be broadcast only in a declared disaster",
        )
        disaster_periods: list[DisasterPeriod] = Field(
            default_factory=list, description="Declared disaster periods (start, end, reference)"
        )

    references = (
        Reference(kind="guideline", key="無線LAN及びネットワークの盗聴対策"),
        Reference(kind="plan", key="4-3-3"),
    )

    def evaluate(self, context: AuditContext) -> Iterator[Finding]:
        params = self.params(context)
        names = set(params.disaster_ssids)
        now = context.now
        declared = [
            period
            for period in params.disaster_periods
            if _aware(period.start, now) <= now
            and (period.end is None or now <= _aware(period.end, now))
        ]
        if declared:
            return
        for ssid in ssids(context):
            network = ssid.network
            if network.ssid not in names or network.enabled is False or network.broadcast is False:
                continue
            yield self.finding(
                context,
                device=ssid.device,
                subject=ssid.subject,
                zone=ssid.zone.id if ssid.zone is not None else None,
                message_en=f"{ssid.device} broadcasts the disaster SSID {network.ssid} "
                f"({now:%Y-%m-%d}) while no disaster period is declared.",
                message_ja=f"{ssid.device} が災害用統一SSID {network.ssid} を発信しています "
                f"({now:%Y-%m-%d}、災害期間の宣言なし)。",
                evidence=[ssid.evidence()],
            )


def _aware(moment: datetime, like: datetime) -> datetime:
    """A period written without a time zone is read in the audit clock's zone."""
    return moment.replace(tzinfo=like.tzinfo) if moment.tzinfo is None else moment

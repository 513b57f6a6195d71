"""TRF-009: cleartext transfers (FTP, Telnet, HTTP, SMB) observed leaving the My Number tier."""

from __future__ import annotations

from collections.abc import Iterator

from pydantic import Field

from auditor.analysis.traffic import service_covers
from auditor.model.findings import Finding, Severity
from auditor.rules import AuditContext, Check, CheckParams

from ._common import REFERENCES, evidence, host_pairs_text, is_mynumber, when, zone_flows

CLEARTEXT_SERVICES = ["tcp/21", "tcp/23", "tcp/80", "tcp/139", "tcp/445"]


class MyNumberCleartextFlow(Check):
    """Cleartext transfers were observed from the My Number tier to another zone.

    What it checks:
        Observed flows (the traffic summary) from a My Number zone to any other zone on a
        service in ``services`` (FTP, Telnet, HTTP, NetBIOS, SMB: a flow summary does not show the
        SMB dialect, so SMBv1 cannot be excluded), whether the policy allows the flow or not. One
        finding per zone pair and service, subject ``cleartext:<from>-><to>:<service>``.

    Why is this bad?:
        Specific personal information must not travel readable (番号法 safeguards). The observed
        packets are proof that it does, or that a management session exposes passwords; SEG-014
        reports the permits that allow it.

    Example:
        A capture shows ``10.10.10.21 → 10.200.1.10 tcp/21``: ``cleartext:mynumber->lgwan-wan:tcp/21``.

    Remediation:
        Move the transfer to SFTP/FTPS, HTTPS or SMB 3 with encryption, then remove the
        cleartext port from the boundary firewall (SEG-014).

    Parameters:
        ``services`` (list of services, default ``tcp/21``, ``tcp/23``, ``tcp/80``,
        ``tcp/139``, ``tcp/445``).
    """

    id = "TRF-009"
    slug = "traffic-mynumber-cleartext"
    severity = Severity.HIGH
    title_ja = "マイナンバー利用事務系からの平文通信を観測"
    title_en = "Cleartext transfer observed out of the My Number tier"
    scope = "traffic"

    class Params(CheckParams):
        services: list[str] = Field(
            default_factory=lambda: list(CLEARTEXT_SERVICES),
            description="Cleartext services that must not leave the My Number tier",
        )

    references = REFERENCES

    def evaluate(self, context: AuditContext) -> Iterator[Finding]:
        summary = context.traffic
        if summary is None:
            return
        services = self.params(context).services
        for flow in zone_flows(summary):
            if not is_mynumber(context.policy, flow.source_zone):
                continue
            if is_mynumber(context.policy, flow.destination_zone):
                continue
            if not any(service_covers(s, flow.protocol, flow.port) for s in services):
                continue
            subject = f"cleartext:{flow.source_zone}->{flow.destination_zone}:{flow.service}"
            span_en, span_ja = when(flow.first_seen, flow.last_seen, flow.packets)
            hosts = host_pairs_text(flow.host_pairs)
            yield self.finding(
                context,
                subject=subject,
                zone=flow.source_zone,
                message_en=(
                    f"Cleartext {flow.service} from {flow.source_zone} to "
                    f"{flow.destination_zone}: {span_en} ({hosts})."
                ),
                message_ja=(
                    f"{flow.source_zone} から {flow.destination_zone} への平文通信 {flow.service} を"
                    f"観測しました: {span_ja} ({hosts})。"
                ),
                evidence=evidence(summary, subject),
            )

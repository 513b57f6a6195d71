"""TRF-010: Internet mail observed entering the LGWAN tier without the mail relay."""

from __future__ import annotations

from collections.abc import Iterator

from pydantic import Field

from auditor.analysis.traffic import service_covers
from auditor.model.findings import Finding, Severity
from auditor.policy.models import ZoneKind
from auditor.rules import AuditContext, Check, CheckParams

from ._common import REFERENCES, evidence, host_pairs_text, when, zone_flows

MAIL_SERVICES = ["tcp/25", "tcp/587"]


class MailRelayBypassFlow(Check):
    """SMTP from the Internet tier reached the LGWAN tier without passing the mail relay.

    What it checks:
        Observed flows from an Internet-tier zone to an LGWAN-tier zone on SMTP (``services``)
        where neither end of a host pair is a policy host with role ``mail_relay`` (the
        text-conversion relay). Whether or not the policy lists the flow: mail into the LGWAN
        tier goes through the relay. One finding per zone pair and service, subject
        ``mail-bypass:<from>-><to>:<service>``.

    Why is this bad?:
        The relay converts Internet mail to text and strips attachments (無害化) before it
        reaches LGWAN terminals; mail around it carries whatever the sender attached. SEG-015
        reports the permits that allow it.

    Example:
        A capture shows ``10.30.0.25 → 10.20.200.25 tcp/25`` and the relay is 10.40.0.30:
        ``mail-bypass:internet->lgwan:tcp/25``.

    Remediation:
        Deliver Internet mail only to the relay (MX and firewall), and let only the relay's
        address reach the LGWAN mail server.

    Parameters:
        ``services`` (list of services, default ``tcp/25``, ``tcp/587``).
    """

    id = "TRF-010"
    slug = "traffic-mail-relay-bypass"
    severity = Severity.HIGH
    title_ja = "メール無害化中継を経由しないインターネット→LGWAN メールを観測"
    title_en = "Internet-to-LGWAN mail observed around the mail relay"
    scope = "traffic"

    class Params(CheckParams):
        services: list[str] = Field(
            default_factory=lambda: list(MAIL_SERVICES), description="Mail services"
        )

    references = REFERENCES

    def evaluate(self, context: AuditContext) -> Iterator[Finding]:
        summary = context.traffic
        if summary is None:
            return
        policy = context.policy
        relays = {
            host.address.split("/")[0]
            for host in policy.hosts.values()
            if host.role == "mail_relay"
        }
        services = self.params(context).services
        for flow in zone_flows(summary):
            source = policy.zone(flow.source_zone)
            destination = policy.zone(flow.destination_zone)
            if source is None or destination is None:
                continue
            if source.kind is not ZoneKind.INTERNET or destination.kind is not ZoneKind.LGWAN:
                continue
            if not any(service_covers(s, flow.protocol, flow.port) for s in services):
                continue
            bad = [
                pair
                for pair in flow.host_pairs
                if pair.source not in relays and pair.destination not in relays
            ]
            if not bad and flow.host_pairs:
                continue
            subject = f"mail-bypass:{flow.source_zone}->{flow.destination_zone}:{flow.service}"
            packets = sum(p.packets for p in bad) if bad else flow.packets
            span_en, span_ja = when(flow.first_seen, flow.last_seen, packets)
            relay_text = ", ".join(sorted(relays)) or "none declared"
            yield self.finding(
                context,
                subject=subject,
                zone=flow.destination_zone,
                message_en=(
                    f"Mail {flow.service} from {flow.source_zone} to {flow.destination_zone} "
                    f"went around the mail relay ({relay_text}): {span_en} "
                    f"({host_pairs_text(bad)})."
                ),
                message_ja=(
                    f"{flow.source_zone} から {flow.destination_zone} へのメール {flow.service} が"
                    f"メール無害化中継 ({relay_text}) を経由していません: {span_ja} "
                    f"({host_pairs_text(bad)})。"
                ),
                evidence=evidence(summary, subject),
            )

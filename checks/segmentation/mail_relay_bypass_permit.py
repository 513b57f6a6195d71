"""SEG-015: a permit lets Internet mail into the LGWAN tier around the text-conversion relay."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator

from pydantic import Field

from auditor.analysis.matrix import network_text
from auditor.analysis.network import NetworkView, Support
from auditor.model.findings import Finding, Severity
from auditor.policy.models import Policy, ZoneKind
from auditor.rules import AuditContext, Check, CheckParams

from ._common import SEGMENTATION_REFERENCES, emit
from ._services import portions_with_services

MAIL_SERVICES = ["tcp/25", "tcp/587"]


def mail_relays(policy: Policy) -> list[ipaddress.IPv4Address | ipaddress.IPv6Address]:
    """Addresses of the policy hosts whose role is ``mail_relay`` (メール無害化・テキスト化)."""
    found = []
    for host in policy.hosts.values():
        if host.role != "mail_relay":
            continue
        try:
            found.append(ipaddress.ip_address(host.address.split("/")[0]))
        except ValueError:
            continue
    return found


class MailRelayBypassPermit(Check):
    """A permit lets SMTP from the Internet tier into the LGWAN tier without the mail relay.

    What it checks:
        ACL lines and firewall policies from an Internet-tier zone to an LGWAN-tier zone whose
        services overlap SMTP (``services``, default tcp/25 and tcp/587), unless every source
        address is a policy host with role ``mail_relay`` (the text-conversion / attachment-
        removal relay). With no relay declared every such permit is a finding. Subject
        ``mail:<rule subject>``.

    Why is this bad?:
        Mail is the first 無害化 method: Internet mail reaches LGWAN terminals only after the
        relay has converted it to text and removed attachments. A direct SMTP permit delivers
        malware-bearing mail to the tier where the main business terminals sit (α/α′).

    Example:
        A FortiGate policy ``internet → lgwan`` accepting ``SMTP`` from ``all`` yields
        ``mail:fw:7#internet->lgwan``.

    Remediation:
        Limit the permit's source to the relay (FortiGate ``set srcaddr mail-relay``; IOS
        ``permit tcp host 10.40.0.30 host 10.20.200.25 eq smtp``) and declare the relay in the
        policy (``hosts: {mail-relay: {address: …, zone: sanitizer, role: mail_relay}}``).

    Parameters:
        ``services`` (list of services, default ``tcp/25``, ``tcp/587``).
    """

    id = "SEG-015"
    slug = "mail-relay-bypass-permit"
    severity = Severity.HIGH
    title_ja = "メール無害化中継を経由しないインターネット→LGWAN メールを許可"
    title_en = "Internet-to-LGWAN mail permitted around the mail relay"
    scope = "network"

    class Params(CheckParams):
        services: list[str] = Field(
            default_factory=lambda: list(MAIL_SERVICES), description="Mail services"
        )

    references = SEGMENTATION_REFERENCES

    def evaluate(self, context: AuditContext) -> Iterator[Finding]:
        view = NetworkView.of(context)
        relays = mail_relays(context.policy)
        seen: set[tuple[str, str]] = set()
        for portion, hits in portions_with_services(
            view,
            self.params(context).services,
            source_kinds=frozenset({ZoneKind.INTERNET}),
            destination_kinds=frozenset({ZoneKind.LGWAN}),
        ):
            sources = portion.source_networks
            if (
                relays
                and sources is not None
                and all(
                    any(n.version == r.version and n.num_addresses == 1 and r in n for r in relays)
                    for n in sources
                )
            ):
                continue
            key = (portion.device, portion.subject)
            if key in seen:
                continue
            seen.add(key)
            support = Support()
            support.add("config", portion.evidence_source, f"{portion.device}: {portion.line}")
            services = ", ".join(str(h) for h in hits)
            relay_text = ", ".join(str(r) for r in relays) or "none declared"
            yield emit(
                self,
                context,
                device=portion.device,
                subject=f"mail:{portion.subject}",
                zone=portion.destination_zone,
                support=support,
                message_en=(
                    f"{portion.device} '{portion.line}' lets {services} from "
                    f"{portion.source_zone} ({network_text(sources)}) into "
                    f"{portion.destination_zone} around the mail relay ({relay_text})"
                ),
                message_ja=(
                    f"{portion.device} の「{portion.line}」が {portion.source_zone}"
                    f"({network_text(sources)})から {portion.destination_zone} への {services} を"
                    f"メール無害化中継 ({relay_text}) を経由せずに許可しています"
                ),
            )

"""TRF-004: ARP replies moved an IP address to another MAC."""

from __future__ import annotations

from collections.abc import Iterator

from pydantic import Field

from auditor.model.findings import Finding, Severity
from auditor.rules import AuditContext, Check, CheckParams

from ._common import REFERENCES, evidence, when


class ArpSpoofing(Check):
    """ARP replies in the capture bound an IP address to a different MAC than before.

    What it checks:
        ARP replies and gratuitous ARP requests, dissected one by one: when an IP address that
        was announced by one MAC is announced by another, each (IP, old MAC, new MAC) is one
        finding with the time of the change, the last such reply and the number of replies.

    Why is this bad?:
        Answering ARP for someone else's address (ARP spoofing) puts the attacker in the middle
        of every connection to that address, typically the default gateway; passwords and files
        in the flow can then be read or changed.

    Example:
        ``10.20.0.1 is-at 02:00:00:00:00:09`` then ``10.20.0.1 is-at 02:00:00:00:00:0a``:
        ``arp:10.20.0.1:02:00:00:00:00:09->02:00:00:00:00:0a``.

    Remediation:
        Find the port of the new MAC and disconnect it if it is not a known failover; enable
        Dynamic ARP Inspection with DHCP snooping (Cisco IOS: ``ip arp inspection vlan <id>``;
        AlaxalA: ``ip arp inspection vlan <id>``; AW+: ``arp security``).

    Parameters:
        ``allowed_ips`` (list, default []): addresses that move legitimately (VRRP/HSRP
        virtual addresses, clustered firewalls).
    """

    id = "TRF-004"
    slug = "traffic-arp-spoofing"
    severity = Severity.HIGH
    title_ja = "ARP 応答による IP アドレスの MAC 変更(ARP スプーフィングの疑い)"
    title_en = "ARP replies change an IP address's MAC (possible spoofing)"
    scope = "traffic"

    class Params(CheckParams):
        allowed_ips: list[str] = Field(
            default_factory=list, description="Addresses that may move between MACs"
        )

    references = REFERENCES

    def evaluate(self, context: AuditContext) -> Iterator[Finding]:
        summary = context.traffic
        if summary is None:
            return
        allowed = set(self.params(context).allowed_ips)
        for change in summary.arp_changes:
            if change.ip in allowed:
                continue
            span_en, span_ja = when(change.first_seen, change.last_seen, change.replies)
            subject = f"arp:{change.ip}:{change.old_mac}->{change.new_mac}"
            zone = context.policy.zone_of_address(change.ip)
            yield self.finding(
                context,
                subject=subject,
                zone=zone.id if zone else None,
                message_en=(
                    f"ARP replies moved {change.ip} from {change.old_mac} to {change.new_mac}: "
                    f"{span_en}."
                ),
                message_ja=(
                    f"ARP 応答により {change.ip} の MAC アドレスが {change.old_mac} から "
                    f"{change.new_mac} に変わりました: {span_ja}。"
                ),
                evidence=evidence(summary, subject),
            )

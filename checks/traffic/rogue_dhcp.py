"""TRF-006: a DHCP server that the policy does not list."""

from __future__ import annotations

from collections.abc import Iterator

from pydantic import Field

from auditor.model.findings import Finding, Severity
from auditor.rules import AuditContext, Check, CheckParams

from ._common import REFERENCES, evidence, when


class RogueDhcpServer(Check):
    """DHCP offers or acks came from a server that is not in the policy's list.

    What it checks:
        DHCP OFFER and ACK messages in the capture (dissected one by one); the server is the
        message's server identifier option, else its source address. Each server not in the
        ``dhcp_servers`` parameter is one finding with its MAC, offer/ack counts and first/last
        packet time.

    Why is this bad?:
        A rogue DHCP server (a home router plugged in, or an attacker) hands out its own gateway
        and DNS server, which diverts terminals' traffic or cuts them off.

    Example:
        With ``dhcp_servers: [10.20.0.2]``, OFFERs from ``10.20.9.1`` yield
        ``dhcp-server:10.20.9.1``.

    Remediation:
        Find and remove the device (``show mac address-table address <mac>``); enable DHCP
        snooping with only the uplink trusted (Cisco IOS: ``ip dhcp snooping vlan <id>``,
        ``ip dhcp snooping trust`` on the uplink).

    Parameters:
        ``dhcp_servers`` (list, default []): addresses of the legitimate DHCP servers and
        relays. Empty means every server seen is reported.
    """

    id = "TRF-006"
    slug = "traffic-rogue-dhcp"
    severity = Severity.HIGH
    title_ja = "許可されていない DHCP サーバーの応答を観測"
    title_en = "DHCP server not listed in the policy"
    scope = "traffic"

    class Params(CheckParams):
        dhcp_servers: list[str] = Field(
            default_factory=list, description="Legitimate DHCP servers and relays"
        )

    references = REFERENCES

    def evaluate(self, context: AuditContext) -> Iterator[Finding]:
        summary = context.traffic
        if summary is None:
            return
        allowed = set(self.params(context).dhcp_servers)
        for server in summary.dhcp_servers:
            if server.server in allowed:
                continue
            span_en, span_ja = when(
                server.first_seen, server.last_seen, server.offers + server.acks
            )
            zone = context.policy.zone_of_address(server.server)
            subject = f"dhcp-server:{server.server}"
            yield self.finding(
                context,
                subject=subject,
                zone=zone.id if zone else None,
                message_en=(
                    f"DHCP server {server.server} ({server.mac or 'MAC unknown'}) is not in the "
                    f"policy's list: {server.offers} offers, {server.acks} acks, {span_en}."
                ),
                message_ja=(
                    f"方針にない DHCP サーバー {server.server} ({server.mac or 'MAC 不明'}) の"
                    f"応答を観測しました: OFFER {server.offers} 件、ACK {server.acks} 件、{span_ja}。"
                ),
                evidence=evidence(summary, subject),
            )

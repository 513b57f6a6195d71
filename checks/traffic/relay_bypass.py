"""TRF-002: a flow allowed only through a relay went around it."""

from __future__ import annotations

from collections.abc import Iterator

from auditor.model.findings import Finding, Severity
from auditor.rules import AuditContext, Check

from ._common import (
    REFERENCES,
    covering_flows,
    evidence,
    host_pairs_text,
    is_mynumber,
    relay_addresses,
    when,
    zone_flows,
)


class RelayBypass(Check):
    """A flow the policy allows only ``via`` a relay went directly, around the relay.

    What it checks:
        Observed flows between two zones whose service is allowed only by policy flows that name
        ``via`` relay hosts (無害化サーバ, 画面転送ゲートウェイ). When neither end of a host pair
        is one of those relays, the traffic bypassed the relay. One finding per zone pair and
        service, with first/last packet times, count and example host pairs.

    Why is this bad?:
        In the α/β models the Internet reaches the LGWAN tier only through sanitization or screen
        transfer. A direct connection skips the 無害化 step, so malware in a file or web page
        lands on a terminal of the protected tier.

    Example:
        The policy flow ``lgwan → internet tcp/443 via screen-gw``; a capture shows
        ``10.20.5.7 → 10.30.8.8 tcp/443`` directly: ``bypass:lgwan->internet:tcp/443``.

    Remediation:
        Remove the direct permit from the LGWAN firewall or proxy so that only the relay's
        address may reach the other zone (FortiGate: limit the policy's ``srcaddr`` to the relay;
        Cisco IOS: ``permit tcp host <relay> any eq 443`` before ``deny ip any any``).

    Parameters:
        None.
    """

    id = "TRF-002"
    slug = "traffic-relay-bypass"
    severity = Severity.HIGH
    title_ja = "中継(無害化・画面転送)を経由しない通信を観測"
    title_en = "Traffic bypassing the required relay"
    scope = "traffic"
    references = REFERENCES

    def evaluate(self, context: AuditContext) -> Iterator[Finding]:
        summary = context.traffic
        if summary is None:
            return
        policy = context.policy
        for flow in zone_flows(summary):
            bad = []
            relays: set[str] = set()
            for pair in flow.host_pairs:
                allowed = covering_flows(policy, flow, pair.destination)
                if not allowed or any(not a.via for a in allowed):
                    continue
                relays = relay_addresses(policy, allowed)
                if pair.source in relays or pair.destination in relays:
                    continue
                bad.append(pair)
            if not bad:
                continue
            packets = sum(p.packets for p in bad)
            span_en, span_ja = when(
                min(p.first_seen or "" for p in bad), max(p.last_seen or "" for p in bad), packets
            )
            hosts = host_pairs_text(bad)
            relay_text = ", ".join(sorted(relays))
            subject = f"bypass:{flow.source_zone}->{flow.destination_zone}:{flow.service}"
            yield self.finding(
                context,
                subject=subject,
                zone=flow.source_zone,
                severity=Severity.CRITICAL if is_mynumber(policy, flow.source_zone) else None,
                message_en=(
                    f"Traffic {flow.source_zone} → {flow.destination_zone} on {flow.service} "
                    f"went around the relay ({relay_text}): {span_en} ({hosts})."
                ),
                message_ja=(
                    f"{flow.source_zone} → {flow.destination_zone} の {flow.service} 通信が中継 "
                    f"({relay_text}) を経由していません: {span_ja} ({hosts})。"
                ),
                evidence=evidence(summary, subject),
            )

"""Active segmentation probes: from a host inside one zone, knock on the other zones' doors.

The plan (which targets, which services, what the policy expects) is computed from the policy
alone; sending uses scapy's ``sr`` (raw sockets, needs CAP_NET_RAW) with a bounded count and an
inter-packet gap. A probe counts as answered only when the reply comes from the target itself: a
SYN-ACK or RST, an ICMP echo reply, a UDP reply or the target's ICMP port-unreachable all prove
that the packet got through the filters. Judging the results is the job of TRF-007/TRF-008.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from auditor.model.traffic import ProbeResult
from auditor.policy.flow_match import destination_matches, service_covers
from auditor.policy.models import Policy, parse_service

DEFAULT_SERVICES = ("icmp", "tcp/22", "tcp/443", "tcp/3389")
MAX_PROBES = 256


@dataclass(frozen=True)
class PlannedProbe:
    source_zone: str
    target_zone: str
    target: str
    protocol: str  # tcp, udp, icmp
    port: int | None
    expected: str  # "allowed" or "forbidden"
    flow_id: str | None

    @property
    def service(self) -> str:
        return self.protocol if self.port is None else f"{self.protocol}/{self.port}"


def _targets(policy: Policy, zone_id: str) -> list[str]:
    zone = policy.zone(zone_id)
    return list(zone.probe_targets) if zone is not None else []


def _expected(
    policy: Policy, source: str, target_zone: str, target: str, protocol: str, port: int | None
) -> tuple[str, str | None]:
    """Whether a probe host (never a relay) may reach ``target`` on this service by policy."""
    for flow in policy.flows_between(source, target_zone):
        if flow.via:
            continue  # allowed only through a relay: the probe host is not one
        if not any(service_covers(s, protocol, port) for s in flow.services):
            continue
        if destination_matches(policy, flow.destinations, target):
            return "allowed", flow.id
    return "forbidden", None


def plan_probes(
    policy: Policy,
    source_zone: str,
    targets: Sequence[str] | None = None,
    services: Sequence[str] = DEFAULT_SERVICES,
    limit: int = MAX_PROBES,
) -> list[PlannedProbe]:
    """Probes to every other zone's targets: the default services plus every allowed port."""
    if policy.zone(source_zone) is None:
        raise ValueError(f"unknown zone {source_zone!r}")
    by_zone: dict[str, list[str]] = {}
    if targets:
        for address in targets:
            zone = policy.zone_of_address(address)
            if zone is not None and zone.id != source_zone:
                by_zone.setdefault(zone.id, []).append(address)
    else:
        for zone in policy.zones:
            if zone.id != source_zone:
                by_zone[zone.id] = _targets(policy, zone.id)
    plan: list[PlannedProbe] = []
    for target_zone, addresses in by_zone.items():
        wanted = list(dict.fromkeys(services))
        for flow in policy.flows_between(source_zone, target_zone):
            for service in flow.services:
                kind, first, _ = parse_service(service)
                if kind in ("tcp", "udp") and first is not None:
                    wanted.append(f"{kind}/{first}")
                elif kind in ("icmp", "any", "ip"):
                    wanted.append("icmp")
        for address in addresses:
            for service in dict.fromkeys(wanted):
                kind, port, _ = parse_service(service)
                protocol = "icmp" if kind in ("icmp", "icmpv6") else kind
                expected, flow_id = _expected(
                    policy, source_zone, target_zone, address, protocol, port
                )
                plan.append(
                    PlannedProbe(
                        source_zone, target_zone, address, protocol, port, expected, flow_id
                    )
                )
    return plan[:limit]


def send_probes(
    plan: Iterable[PlannedProbe], *, rate: float = 50.0, timeout: float = 2.0, retries: int = 1
) -> list[ProbeResult]:
    """Send every planned probe (``rate`` packets/s at most) and collect the answers.

    Unanswered probes are sent again up to ``retries`` times, so one lost packet does not read as
    "filtered"; the count stays bounded at ``(1 + retries) × len(plan)``.
    """
    from datetime import UTC, datetime

    from scapy.layers.inet import ICMP, IP, TCP, UDP, UDPerror
    from scapy.sendrecv import sr

    probes = list(plan)
    packets: list[Any] = []
    for index, probe in enumerate(probes):
        ip = IP(dst=probe.target, id=(index + 1) & 0xFFFF)
        if probe.protocol == "tcp":
            packets.append(ip / TCP(sport=40000 + index, dport=probe.port or 0, flags="S"))
        elif probe.protocol == "udp":
            packets.append(ip / UDP(sport=40000 + index, dport=probe.port or 0) / b"kyojin-probe")
        else:
            packets.append(ip / ICMP(id=0x4B59, seq=index))
    sent_at = datetime.now(UTC).isoformat(timespec="seconds")
    answered: dict[int, str] = {}
    if packets:
        results, _ = sr(
            packets, timeout=timeout, inter=1.0 / rate, retry=retries, verbose=0, multi=False
        )
        for query, reply in results:
            found = _probe_index(query, TCP, UDP, ICMP)
            if found is None or not 0 <= found < len(probes):
                continue
            if reply[IP].src != probes[found].target:
                continue  # a router's "prohibited" is a refusal, not an answer
            answered[found] = _reply_kind(reply, TCP, ICMP, UDP, UDPerror)
    return [
        ProbeResult(
            source_zone=probe.source_zone,
            target_zone=probe.target_zone,
            target=probe.target,
            service=probe.service,
            expected=probe.expected,
            flow_id=probe.flow_id,
            answered=index in answered,
            reply=answered.get(index),
            sent_at=sent_at,
        )
        for index, probe in enumerate(probes)
    ]


def _probe_index(query: Any, tcp: Any, udp: Any, icmp: Any) -> int | None:
    """Probes carry their index in the source port (TCP/UDP) or the echo sequence (ICMP)."""
    if tcp in query:
        return int(query[tcp].sport) - 40000
    if udp in query:
        return int(query[udp].sport) - 40000
    if icmp in query:
        return int(query[icmp].seq)
    return None


def _reply_kind(reply: Any, tcp: Any, icmp: Any, udp: Any, udp_error: Any) -> str:
    if tcp in reply:
        return "syn-ack" if int(reply[tcp].flags) & 0x12 == 0x12 else "rst"
    if icmp in reply:
        if reply[icmp].type == 0:
            return "echo-reply"
        if reply[icmp].type == 3 and udp_error in reply:
            return "port-unreachable"
        return f"icmp-{reply[icmp].type}"
    if udp in reply:
        return "udp"
    return "other"


def is_private(address: str) -> bool:
    return ipaddress.ip_address(address).is_private

"""Traffic facts: the zone-pair flow table and sightings that traffic checks read.

Built by :mod:`auditor.collect.traffic` from captures; holds counts, times and addresses — never
payloads — so it can be stored as evidence as it is.
"""

from __future__ import annotations

import builtins
import json
from dataclasses import asdict, dataclass, field
from typing import Any

UNMAPPED = "unmapped"  # a private address in no policy subnet or VLAN
MULTICAST = "multicast"  # broadcast and multicast destinations: not a zone-to-zone flow
SPECIAL_ZONES = frozenset({UNMAPPED, MULTICAST})
EVIDENCE_LABEL = "traffic-summary.json"


@dataclass
class HostPair:
    source: str
    destination: str
    packets: int
    first_seen: str | None
    last_seen: str | None


@dataclass
class FlowRecord:
    """One (source zone, destination zone, protocol, destination port) aggregate."""

    source_zone: str
    destination_zone: str
    protocol: str  # tcp, udp, icmp, icmpv6 or the IP protocol number
    port: int | None  # TCP/UDP destination port, ICMP type
    packets: int
    bytes: int
    first_seen: str | None
    last_seen: str | None
    host_pairs: list[HostPair] = field(default_factory=list)
    unlisted_packets: int = 0  # packets whose host pair did not fit in the bounded list

    @property
    def service(self) -> str:
        if self.port is None:
            return self.protocol
        return f"{self.protocol}/{self.port}"


@dataclass
class HostSighting:
    mac: str
    ips: list[str]
    vlans: list[int]
    packets: int
    first_seen: str | None
    last_seen: str | None


@dataclass
class ArpChange:
    ip: str
    old_mac: str
    new_mac: str
    replies: int
    first_seen: str | None
    last_seen: str | None


@dataclass
class DhcpServerSighting:
    server: str
    mac: str | None
    offers: int
    acks: int
    first_seen: str | None
    last_seen: str | None


@dataclass
class CleartextSighting:
    protocol: str  # telnet, http, tftp, snmpv1, snmpv2c
    client: str
    server: str
    port: int
    packets: int
    first_seen: str | None
    last_seen: str | None


@dataclass
class ReadProblem:
    path: str
    offset: int
    reason: str
    packets_before: int


@dataclass
class ProbeResult:
    """One active probe: what the policy expects and whether the target itself answered."""

    source_zone: str
    target_zone: str
    target: str
    service: str
    expected: str  # allowed or forbidden
    flow_id: str | None
    answered: bool
    reply: str | None  # syn-ack, rst, echo-reply, udp, port-unreachable
    sent_at: str | None


@dataclass
class TrafficSummary:
    """Everything traffic checks read; JSON-serializable evidence with no payloads."""

    sources: list[str] = field(default_factory=list)
    packets: int = 0
    bytes: int = 0
    first_seen: str | None = None
    last_seen: str | None = None
    flows: list[FlowRecord] = field(default_factory=list)
    hosts: list[HostSighting] = field(default_factory=list)
    arp_changes: list[ArpChange] = field(default_factory=list)
    dhcp_servers: list[DhcpServerSighting] = field(default_factory=list)
    cleartext: list[CleartextSighting] = field(default_factory=list)
    read_errors: list[ReadProblem] = field(default_factory=list)
    hosts_truncated: bool = False
    probes: list[ProbeResult] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    def to_bytes(self) -> builtins.bytes:
        return json.dumps(self.to_json(), ensure_ascii=False, sort_keys=True).encode("utf-8")

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> TrafficSummary:
        flows = [
            FlowRecord(
                **{k: v for k, v in item.items() if k != "host_pairs"},
                host_pairs=[HostPair(**pair) for pair in item.get("host_pairs", [])],
            )
            for item in data.get("flows", [])
        ]
        return cls(
            sources=list(data.get("sources", [])),
            packets=int(data.get("packets", 0)),
            bytes=int(data.get("bytes", 0)),
            first_seen=data.get("first_seen"),
            last_seen=data.get("last_seen"),
            flows=flows,
            hosts=[HostSighting(**item) for item in data.get("hosts", [])],
            arp_changes=[ArpChange(**item) for item in data.get("arp_changes", [])],
            dhcp_servers=[DhcpServerSighting(**item) for item in data.get("dhcp_servers", [])],
            cleartext=[CleartextSighting(**item) for item in data.get("cleartext", [])],
            read_errors=[ReadProblem(**item) for item in data.get("read_errors", [])],
            hosts_truncated=bool(data.get("hosts_truncated", False)),
            probes=[ProbeResult(**item) for item in data.get("probes", [])],
        )

    def zone_pairs(self) -> dict[tuple[str, str], list[FlowRecord]]:
        """Flows between two different policy zones, grouped by pair (for the matrix)."""
        pairs: dict[tuple[str, str], list[FlowRecord]] = {}
        for flow in self.flows:
            if flow.source_zone == flow.destination_zone:
                continue
            if flow.source_zone in SPECIAL_ZONES or flow.destination_zone in SPECIAL_ZONES:
                continue
            pairs.setdefault((flow.source_zone, flow.destination_zone), []).append(flow)
        return pairs

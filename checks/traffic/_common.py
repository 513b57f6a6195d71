"""Shared pieces of the traffic checks: references, policy judgement of flows and probes, citations."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Literal

from auditor.analysis.traffic import destination_matches, service_covers
from auditor.model.findings import EvidenceRef, Reference
from auditor.model.traffic import (
    SPECIAL_ZONES,
    FlowRecord,
    HostPair,
    ProbeResult,
    TrafficSummary,
)
from auditor.policy.models import Flow, Policy, ZoneKind

REFERENCES = (
    Reference(kind="guideline", key="情報システムの監視"),
    Reference(kind="guideline", key="情報システム全体の強靭性の向上"),
    Reference(kind="plan", key="4-2-2"),
)


def zone_flows(summary: TrafficSummary) -> Iterable[FlowRecord]:
    """Flows between two different policy zones (broadcast and unmapped addresses left out)."""
    for flow in summary.flows:
        if flow.source_zone == flow.destination_zone:
            continue
        if flow.source_zone in SPECIAL_ZONES or flow.destination_zone in SPECIAL_ZONES:
            continue
        yield flow


def covering_flows(policy: Policy, flow: FlowRecord, destination: str | None) -> list[Flow]:
    """Policy flows between the two zones that allow this service (to this destination)."""
    return [
        allowed
        for allowed in policy.flows_between(flow.source_zone, flow.destination_zone)
        if any(service_covers(s, flow.protocol, flow.port) for s in allowed.services)
        and destination_matches(policy, allowed.destinations, destination)
    ]


def relay_addresses(policy: Policy, flows: Iterable[Flow]) -> set[str]:
    addresses: set[str] = set()
    for allowed in flows:
        for name in allowed.via:
            host = policy.hosts.get(name)
            addresses.add(host.address if host is not None else name)
    return addresses


def is_mynumber(policy: Policy, zone_id: str) -> bool:
    zone = policy.zone(zone_id)
    return zone is not None and zone.kind == ZoneKind.MYNUMBER


def when(first: str | None, last: str | None, packets: int) -> tuple[str, str]:
    """The time span and count every traffic finding cites (en, ja)."""
    return (
        f"{packets} packets from {first} to {last}",
        f"{first} から {last} までに {packets} パケット",
    )


def host_pairs_text(pairs: Sequence[HostPair]) -> str:
    """The first three host pairs a flow finding names as examples."""
    return ", ".join(f"{p.source}→{p.destination}" for p in pairs[:3])


def probes_with(
    summary: TrafficSummary, *, expected: Literal["allowed", "forbidden"], answered: bool
) -> Iterator[ProbeResult]:
    """The probes whose policy verdict and answer are the ones a probe check reports."""
    for probe in summary.probes:
        if probe.expected == expected and probe.answered == answered:
            yield probe


def probe_subject(probe: ProbeResult) -> str:
    return f"probe:{probe.source_zone}->{probe.target}:{probe.service}"


def evidence(summary: TrafficSummary, detail: str) -> list[EvidenceRef]:
    sources = ", ".join(summary.sources) or "traffic"
    return [EvidenceRef(source="traffic", detail=f"{sources}: {detail}")]

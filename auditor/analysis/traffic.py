"""Traffic judged against the policy: which policy flows cover an observed flow or a probe, and
the matrix's "observed in traffic" column.
"""

from __future__ import annotations

import ipaddress
from typing import Any

from auditor.model.traffic import EVIDENCE_LABEL, TrafficSummary
from auditor.policy.models import Policy, parse_service


def service_covers(service: str, protocol: str, port: int | None) -> bool:
    kind, first, last = parse_service(service)
    if kind in ("any", "ip"):
        return True
    if kind in ("icmp", "icmpv6"):
        return protocol in ("icmp", "icmpv6")
    if kind != protocol:
        return False
    if first is None or last is None:
        return True
    return port is not None and first <= port <= last


def destination_matches(policy: Policy, names: list[str], address: str | None) -> bool:
    """Whether ``address`` is one of a flow's destinations (host names or CIDRs)."""
    if not names:
        return True
    if address is None:
        return False
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    for name in names:
        host = policy.hosts.get(name)
        text = host.address if host is not None else name
        try:
            network = ipaddress.ip_network(text, strict=False)
        except ValueError:
            continue  # a DNS name cannot be matched against an address
        if ip.version == network.version and ip in network:
            return True
    return False


def add_observed(matrix: Any, summary: TrafficSummary | None) -> None:
    """Fill the matrix's "observed in traffic" column from a summary."""
    from auditor.analysis.matrix import ObservedFlow

    if summary is None:
        return
    for (source, destination), flows in summary.zone_pairs().items():
        if (source, destination) not in matrix.cells:
            continue
        matrix.add_observed(
            source,
            destination,
            ObservedFlow(
                services=sorted({flow.service for flow in flows}),
                packets=sum(flow.packets for flow in flows),
                bytes=sum(flow.bytes for flow in flows),
                first_seen=min((f.first_seen for f in flows if f.first_seen), default=None),
                last_seen=max((f.last_seen for f in flows if f.last_seen), default=None),
                evidence=[EVIDENCE_LABEL],
            ),
        )

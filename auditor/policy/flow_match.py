"""Whether an observed or probed flow falls under one of the policy's flows.

Pure judgements against the policy's own spelling of services and destinations, shared by the
traffic analysis and the active probe (which lives in ``collect/`` and must not import analysis).
"""

from __future__ import annotations

import ipaddress

from auditor.policy.models import Policy, parse_service


def service_covers(service: str, protocol: str, port: int | None) -> bool:
    """Whether a policy service (``tcp/443``, ``udp``, ``icmp``, ``any``) covers protocol/port."""
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

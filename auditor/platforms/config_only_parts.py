"""Snapshot parts of IOS-like devices read from ``show version`` and the configuration alone.

Alaxala AX and NEC IX parsers run no other show commands, so everything but the system facts
comes from what the shared IOS-like interpreter found in the running configuration.
"""

from __future__ import annotations

from auditor.model.snapshot import SystemInfo
from auditor.platforms.ios_config import ConfigFacts
from auditor.platforms.parts import SnapshotParts


def parts_from_config(facts: ConfigFacts, system: SystemInfo) -> SnapshotParts:
    """``system`` named after the configured host name, the rest as the configuration says."""
    parts = SnapshotParts(system=system)
    parts.system.name = facts.hostname
    parts.system.config_changed_at = facts.changed_at
    parts.system.config_changed_by = facts.changed_by
    parts.interfaces = list(facts.interfaces.values())
    parts.vlans = [facts.vlans[vlan_id] for vlan_id in sorted(facts.vlans)]
    parts.routes = facts.routes
    parts.acls = list(facts.acls.values())
    parts.management = facts.management
    parts.unparsed_config_lines = facts.unparsed
    forwarding_into(parts, facts)
    return parts


def forwarding_into(parts: SnapshotParts, facts: ConfigFacts) -> None:
    """NAT, policy routing and dynamic protocols from the configuration; route leaks kept.

    A live routing table (``show ip route``) replaces the configured static routes but shows
    neither the table a next hop is looked up in nor other VRFs: a configured leak is added
    where the live table lacks its route, and marks the live route where it has it.
    """
    parts.nat_rules = facts.nat_rules
    parts.policy_routes = list(facts.policy_routes)
    parts.routing_protocols = facts.routing_protocols
    leaks = [route for route in facts.routes if route.next_hop_vrf]
    if not leaks or parts.routes is facts.routes:
        return
    routes = list(parts.routes)
    for leak in leaks:
        at = next(
            (
                index
                for index, route in enumerate(routes)
                if (route.prefix, route.vrf, route.next_hop)
                == (leak.prefix, leak.vrf, leak.next_hop)
            ),
            None,
        )
        if at is None:
            routes.append(leak)
        else:
            routes[at] = routes[at].model_copy(update={"next_hop_vrf": leak.next_hop_vrf})
    parts.routes = routes

"""Which VLANs, subnets and interfaces belong to the public Wi-Fi zone or to administrative zones."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

from pydantic import Field

from auditor.policy.models import Policy, Zone, ZoneKind
from auditor.rules import AuditContext, CheckParams

from ..hardening._common import ADMINISTRATIVE_KINDS

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
DEFAULT_ADMIN_KINDS = [kind.value for kind in ADMINISTRATIVE_KINDS]


# WIFI-001 and WIFI-002 separate the public Wi-Fi from the same zones, set under one name.
class AdminZoneParams(CheckParams):
    """Parameters of WIFI-001 and WIFI-002."""

    admin_zone_kinds: list[str] = Field(
        default_factory=lambda: list(DEFAULT_ADMIN_KINDS),
        description="Zone kinds counted as administrative",
    )


def public_zones(policy: Policy) -> list[Zone]:
    return [zone for zone in policy.zones if zone.kind is ZoneKind.PUBLIC_WIFI]


def admin_zones(policy: Policy, kinds: Iterable[str]) -> list[Zone]:
    wanted = set(kinds)
    return [zone for zone in policy.zones if zone.kind.value in wanted]


def configured_admin_zones(params: AdminZoneParams, context: AuditContext) -> list[Zone]:
    """The administrative zones under the check's ``admin_zone_kinds`` setting."""
    return admin_zones(context.policy, params.admin_zone_kinds)


def zone_of_vlan_in(zones: list[Zone], vlan: int) -> Zone | None:
    return next((zone for zone in zones if zone.has_vlan(vlan)), None)


def zone_of_address_in(zones: list[Zone], address: str) -> Zone | None:
    return next((zone for zone in zones if zone.has_address(address)), None)


def network_of(text: str) -> Network | None:
    """A model CIDR or address (route prefix) → its network; ``any``/``all`` → every address."""
    value = text.strip().lower()
    if value in {"any", "all", "0.0.0.0/0", "0.0.0.0/0.0.0.0"}:
        return ipaddress.ip_network("0.0.0.0/0")
    try:
        return ipaddress.ip_network(value, strict=False)
    except ValueError:
        return None


def overlaps(a: Network, b: Network) -> bool:
    """Whether two networks share addresses (an IPv4 and an IPv6 network never do)."""
    return a.version == b.version and a.overlaps(b)


def overlapping(network: Network, zones: list[Zone]) -> Zone | None:
    for zone in zones:
        for subnet in zone.subnets:
            if overlaps(subnet, network):
                return zone
    return None

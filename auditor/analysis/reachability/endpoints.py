"""What ``auditor path SRC DST`` names, as search endpoints: a zone, a host, a device, an address.

A zone stands for its subnets; a policy host or an inventory device for its address (in the zone
that address lies in); an IP address or subnet for itself. An address outside every declared
network is the outside (the policy's external zone), like the Internet side of a zone pair.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

from auditor.analysis.network import NetworkView
from auditor.analysis.reachability.search import Endpoint
from auditor.analysis.reachability.verdicts import zone_endpoint


@dataclass(frozen=True)
class Resolved:
    """An endpoint and how the name was read (``zone``, ``host``, ``device``, ``address``)."""

    endpoint: Endpoint
    kind: str


class UnknownEndpointError(ValueError):
    """The name is no zone, host, device, address or subnet."""


def resolve_endpoint(view: NetworkView, name: str) -> Resolved:
    """Read a name the way an auditor writes it; zones win over hosts, hosts over devices."""
    zones = {zone.id for zone in view.policy.zones}
    if name in zones:
        return Resolved(zone_endpoint(view, name), "zone")
    host = view.policy.hosts.get(name)
    if host is not None:
        return Resolved(_address(view, name, host.address, host.zone), "host")
    device = next((d for d in view.inventory.devices if d.name == name), None)
    if device is not None and device.address:
        return Resolved(_address(view, name, device.address, None), "device")
    try:
        ipaddress.ip_network(name, strict=False)
    except ValueError as exc:
        raise UnknownEndpointError(name) from exc
    return Resolved(_address(view, name, name, None), "address")


def _address(view: NetworkView, label: str, text: str, zone: str | None) -> Endpoint:
    network = ipaddress.ip_network(text.split(" ")[0], strict=False)
    span = view.zones_of_networks((network,))
    found = zone or next(iter(sorted(span.zones)), None)
    if found is not None:
        return Endpoint(label, frozenset({found}), (network,))
    outside = view.external_zone or "external"
    return Endpoint(label, frozenset({outside}), (network,), outside=True)

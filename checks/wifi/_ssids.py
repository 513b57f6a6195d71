"""Which zone an SSID's clients land in, and which zones count as business tiers."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from auditor.model.findings import EvidenceRef
from auditor.model.snapshot import DeviceSnapshot, WirelessNetwork
from auditor.policy.models import NetworkModel, Policy, Zone, ZoneKind
from auditor.rules import AuditContext

from ..hardening._common import evidence_source, snapshots_in_order

BETA_MODELS = frozenset({NetworkModel.BETA, NetworkModel.BETA_PRIME})


@dataclass(frozen=True)
class Ssid:
    """One SSID of one device, with the zone its clients are put in (None = not known)."""

    device: str
    snapshot: DeviceSnapshot
    network: WirelessNetwork
    zone: Zone | None

    @property
    def subject(self) -> str:
        return f"ssid:{self.network.ssid}"

    def evidence(self) -> EvidenceRef:
        detail = self.network.line or f"wireless {self.network.name} ssid {self.network.ssid}"
        return EvidenceRef(source=evidence_source(self.network.source), detail=detail)


def ssid_zone(policy: Policy, snapshot: DeviceSnapshot, network: WirelessNetwork) -> Zone | None:
    """The zone of the SSID's VLAN, else of its interface's addresses, else the zone naming it."""
    if network.vlan is not None:
        zone = policy.zone_of_vlan(network.vlan)
        if zone is not None:
            return zone
    if network.interface is not None:
        interface = snapshot.interface(network.interface)
        for address in interface.addresses if interface is not None else []:
            zone = policy.zone_of_address(address)
            if zone is not None:
                return zone
    return next((zone for zone in policy.zones if network.ssid in zone.ssids), None)


def ssids(context: AuditContext) -> Iterator[Ssid]:
    """Every SSID of every device that reports wireless, once per device and SSID name."""
    for name, snapshot in snapshots_in_order(context):
        seen: set[str] = set()
        for network in snapshot.wireless or []:
            if network.ssid in seen:
                continue
            seen.add(network.ssid)
            yield Ssid(name, snapshot, network, ssid_zone(context.policy, snapshot, network))


def business_zones(policy: Policy, kinds: Iterable[str]) -> list[Zone]:
    """Zones whose SSIDs serve business terminals: ``kinds`` (LGWAN), plus under β/β′ the zone
    the policy names for the main business terminals (the Internet tier there).
    """
    wanted = set(kinds)
    zones = [zone for zone in policy.zones if zone.kind.value in wanted]
    if policy.network_model in BETA_MODELS and policy.main_terminal_zone:
        main = policy.zone(policy.main_terminal_zone)
        if main is not None and main not in zones and main.kind is not ZoneKind.MYNUMBER:
            zones.append(main)
    return zones


def is_public(ssid: Ssid, policy: Policy) -> bool:
    """An SSID of the public / shelter Wi-Fi: mapped into such a zone or named by one."""
    if ssid.zone is not None and ssid.zone.kind is ZoneKind.PUBLIC_WIFI:
        return True
    return any(
        zone.kind is ZoneKind.PUBLIC_WIFI and ssid.network.ssid in zone.ssids
        for zone in policy.zones
    )


def security_text(network: WirelessNetwork) -> str:
    return network.security or "unknown"

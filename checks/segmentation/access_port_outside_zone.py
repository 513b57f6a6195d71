"""SEG-002: an access port in a zone's VLAN on a device or at a site where that zone may not be."""

from __future__ import annotations

from collections.abc import Iterator

from auditor.analysis.network import NetworkView, Support
from auditor.model.findings import Finding, Severity
from auditor.rules import AuditContext, Check

from ._common import (
    SEGMENTATION_REFERENCES,
    emit,
    graded_severity,
    labels,
    site_allowed,
    without_management,
)


class AccessPortOutsideZone(Check):
    """An access port is in a zone's VLAN on a device or at a site where that zone must not exist.

    What it checks:
        Every access port with an access VLAN that belongs to a zone. It is a finding when the
        device's inventory zones do not include that zone, or when the zone lists the sites where
        it may exist (``zones[].sites`` in the policy) and the device's site is not one of them.
        One finding per device and port.

    Why is this bad?:
        An access port is where a terminal joins a tier. A My Number port at a shelter, or an
        Internet port on an LGWAN switch, lets a terminal in one tier sit on the hardware of another,
        outside the physical controls the tier relies on (管理区域, 入退室管理).

    Example:
        ``lg-edge-sw2`` (zones lgwan, management) has ``port1.0.10`` as an access port in Internet
        VLAN 31: one finding with subject ``port:port1.0.10``.

    Remediation:
        Move the terminal to a switch of its own tier, or change the port's VLAN.
        Cisco IOS: ``interface Gi1/0/10`` → ``switchport access vlan 20``. Alaxala AX / Allied
        Telesis AW+: ``interface port1.0.10`` → ``switchport access vlan 20``. Unused ports:
        ``shutdown``.

    Parameters:
        None. Sites come from the inventory (``devices[].site``) and the policy
        (``zones[].sites``; unset means the zone may exist everywhere). A ``sites`` entry names a site
        id or a family of sites: ``school`` covers ``school-1`` and ``school-2``.
    """

    id = "SEG-002"
    slug = "access-port-outside-zone"
    severity = Severity.HIGH
    title_ja = "所属系外・設置場所外のアクセスポート"
    title_en = "Access port in a zone's VLAN where the zone must not exist"
    scope = "network"
    references = SEGMENTATION_REFERENCES

    def evaluate(self, context: AuditContext) -> Iterator[Finding]:
        view = NetworkView.of(context)
        for (device, port), carried in sorted(view.port_vlans.items()):
            if carried.mode != "access" or not carried.vlans:
                continue
            vlan = next(iter(carried.vlans))
            zone_id = view.zone_of_vlan(vlan)
            zone = view.zones.get(zone_id or "")
            if zone is None:
                continue
            device_zones = view.device_zones(device)
            site = view.device_site(device)
            reasons_en: list[str] = []
            reasons_ja: list[str] = []
            if device_zones and zone.id not in device_zones:
                reasons_en.append(f"the device serves only {labels(view, device_zones)}")
                reasons_ja.append(f"機器の所属は {labels(view, device_zones, 'ja')} のみ")
            if zone.sites is not None and site is not None and not site_allowed(site, zone.sites):
                reasons_en.append(
                    f"{zone.id} may exist only at {', '.join(zone.sites)}, not {site}"
                )
                reasons_ja.append(f"{zone.name_ja} の設置場所は {'、'.join(zone.sites)} のみ")
            if not reasons_en:
                continue
            support = Support()
            support.add("config", carried.source, f"{port} access VLAN {vlan}")
            for sighting in view.fdb_by_port.get((device, port), [])[:5]:
                support.add("live", sighting.source, f"{sighting.mac} learned on {port}")
            yield emit(
                self,
                context,
                device=device,
                subject=f"port:{port}",
                zone=zone.id,
                severity=graded_severity(
                    self, context, view, {zone.id, *without_management(view, device_zones)}
                ),
                support=support,
                message_en=(
                    f"{device} port {port} is an access port in VLAN {vlan} of "
                    f"{view.zone_label(zone.id)}, but {' and '.join(reasons_en)}"
                ),
                message_ja=(
                    f"{device} のポート {port} は {view.zone_label(zone.id, 'ja')} の VLAN {vlan} "
                    f"のアクセスポートですが、{'、'.join(reasons_ja)}です"
                ),
            )

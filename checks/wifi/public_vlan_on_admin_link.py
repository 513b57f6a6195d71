"""WIFI-001: the public Wi-Fi VLAN shares a trunk or a device with an administrative zone."""

from __future__ import annotations

from collections.abc import Iterator

from auditor.model.findings import EvidenceRef, Finding, Reference, Severity
from auditor.rules import AuditContext, Check

from ..hardening._common import device_zones, interface_vlans, snapshots_in_order
from ._zones import AdminZoneParams, configured_admin_zones, public_zones, zone_of_vlan_in


class PublicWifiVlanOnAdminLink(Check):
    """The public / shelter Wi-Fi VLAN is carried on a trunk or a device of an administrative zone.

    What it checks:
        VLANs of ``public_wifi``-kind zones (incl. the 00000JAPAN SSID's VLAN where declared).
        Subject ``port:<name>``: one port forwards a public Wi-Fi VLAN together with a VLAN of an
        administrative zone (``admin_zone_kinds``: My Number, LGWAN, Internet tier, relay,
        education). Subject ``vlan:<id>``: a device the inventory places in an administrative
        zone carries the public Wi-Fi VLAN at all. The management VLAN next to it (for the
        access points' management) is allowed.

    Why is this bad?:
        00000JAPAN and the shelter SSID are open networks for anyone nearby (no authentication,
        no encryption by design). Sharing a trunk or a switch with an administrative tier
        leaves one misconfiguration (a native VLAN, a wrong access VLAN, VLAN hopping) between
        residents' phones and the city's business networks. Plan item 4-3-3 and the guideline
        require systems used by outsiders to be separated.

    Example:
        Shelter switch ``port1.0.1`` trunks VLAN 900 (shelter Wi-Fi) and VLAN 22 (LGWAN branch).

    Remediation:
        Give the public Wi-Fi its own switch/uplink and Internet line, or at least remove the
        administrative VLAN from the trunk: Cisco ``switchport trunk allowed vlan remove 22``;
        AW+ ``switchport trunk allowed vlan remove 22``; AlaxalA ``switchport trunk allowed vlan
        remove 22``; Yamaha SWX ``switchport trunk allowed vlan remove 22``.

    Parameters:
        ``admin_zone_kinds`` (list, default mynumber/lgwan/internet/sanitizer/education).
    """

    id = "WIFI-001"
    slug = "public-wifi-vlan-on-admin-link"
    severity = Severity.CRITICAL
    title_ja = "公衆無線LAN の VLAN が行政系のトランク・機器に同居"
    title_en = "Public Wi-Fi VLAN shares a trunk or device with an administrative zone"
    scope = "device"
    Params = AdminZoneParams
    references = (
        Reference(kind="guideline", key="コンピュータ及びネットワークの管理"),
        Reference(kind="plan", key="4-3-3"),
    )

    def evaluate(self, context: AuditContext) -> Iterator[Finding]:
        public = public_zones(context.policy)
        admin = configured_admin_zones(self.params(context), context)
        if not public:
            return
        admin_ids = {zone.id for zone in admin}
        for name, snapshot in snapshots_in_order(context):
            carried: set[int] = {vlan.id for vlan in snapshot.vlans}
            for interface in snapshot.interfaces:
                vlans = interface_vlans(interface)
                carried |= vlans
                wifi = sorted(v for v in vlans if zone_of_vlan_in(public, v))
                other = sorted(v for v in vlans if zone_of_vlan_in(admin, v))
                if not wifi or not other:
                    continue
                zone = zone_of_vlan_in(admin, other[0])
                wifi_zone = zone_of_vlan_in(public, wifi[0])
                if zone is None or wifi_zone is None:
                    continue
                yield self.finding(
                    context,
                    device=name,
                    subject=f"port:{interface.name}",
                    zone=zone.id,  # the shared admin zone decides the audit grade
                    message_en=f"{name} {interface.name} carries public Wi-Fi VLAN "
                    f"{', '.join(map(str, wifi))} together with {zone.name_en} VLAN "
                    f"{', '.join(map(str, other))}.",
                    message_ja=f"{name} の {interface.name} が公衆無線LAN の VLAN "
                    f"{', '.join(map(str, wifi))} と {zone.name_ja} の VLAN "
                    f"{', '.join(map(str, other))} を同時に通しています。",
                    evidence=[
                        EvidenceRef(source="snmp", detail=f"{interface.name} vlans {sorted(vlans)}")
                    ],
                )
            served = [zone for zone in device_zones(context, name) if zone.id in admin_ids]
            wifi_here = sorted(v for v in carried if zone_of_vlan_in(public, v))
            if not served or not wifi_here:
                continue
            yield self.finding(
                context,
                device=name,
                subject=f"vlan:{wifi_here[0]}",
                zone=served[0].id,
                message_en=f"{name}, a device of {served[0].name_en}, carries public Wi-Fi VLAN "
                f"{', '.join(map(str, wifi_here))}.",
                message_ja=f"{served[0].name_ja} の機器 {name} に公衆無線LAN の VLAN "
                f"{', '.join(map(str, wifi_here))} が設定されています。",
                evidence=[EvidenceRef(source="inventory", detail=f"{name}.zones")],
            )

"""SEG-008: a trunk carries VLANs of two zones that may not share a physical link."""

from __future__ import annotations

from collections.abc import Iterator
from itertools import combinations

from pydantic import Field

from auditor.analysis.network import NetworkView, Support
from auditor.model.findings import Finding, Severity
from auditor.rules import AuditContext, Check, CheckParams

from ._common import SEGMENTATION_REFERENCES, emit, graded_severity, is_management


class TrunkMixesZones(Check):
    """A trunk carries VLANs of two zones that the policy does not allow to share a physical link.

    What it checks:
        Every trunk port: the zones of the VLANs it carries (allowed list plus native VLAN; an
        unrestricted allowed list means every VLAN defined on the switch). Each pair of different
        zones is a finding unless a policy flow between them (either direction) sets
        ``shares_link: true``, or one of them is the management zone and ``management_shares_links``
        is on (the in-band management VLAN rides every uplink). One finding per port and zone pair.

    Why is this bad?:
        Zones that share a trunk are separated only by a VLAN tag: a misconfigured port, native
        VLAN mismatch or VLAN hopping joins them. Tiers that the city separates (My Number, LGWAN,
        Internet, shelter Wi-Fi) need separate links unless the policy consciously accepts sharing.

    Example:
        ``myn-edge-sw2`` ``port1.0.23`` allows VLANs 10 (My Number) and 20 (LGWAN): one finding with
        subject ``trunk:port1.0.23#lgwan+mynumber`` (zone pair sorted, joined by ``+``).

    Remediation:
        Split the zones onto separate links or remove the foreign VLAN from the trunk.
        Cisco IOS / Alaxala AX / AW+: ``interface port1.0.23`` → ``switchport trunk allowed vlan
        remove 20``. If the sharing is approved, add ``shares_link: true`` to the flow in the
        policy.

    Parameters:
        management_shares_links: the management zone may share every trunk (default true).
    """

    id = "SEG-008"
    slug = "trunk-mixes-zones"
    severity = Severity.HIGH
    title_ja = "物理リンクを共有してはならない系のVLANを運ぶトランク"
    title_en = "Trunk carries VLANs of zones that may not share a link"
    scope = "network"

    class Params(CheckParams):
        management_shares_links: bool = Field(
            True,
            description="The management zone's VLAN may ride every trunk (in-band management)",
        )

    references = SEGMENTATION_REFERENCES

    def evaluate(self, context: AuditContext) -> Iterator[Finding]:
        view = NetworkView.of(context)
        management_ok = self.params(context).management_shares_links
        for (device, port), carried in sorted(view.port_vlans.items()):
            if carried.mode != "trunk":
                continue
            by_zone: dict[str, list[int]] = {}
            for vlan in sorted(carried.vlans):
                zone = view.zone_of_vlan(vlan)
                if zone is not None:
                    by_zone.setdefault(zone, []).append(vlan)
            for zone_a, zone_b in combinations(sorted(by_zone), 2):
                if view.may_share_link(zone_a, zone_b):
                    continue
                if management_ok and (is_management(view, zone_a) or is_management(view, zone_b)):
                    continue
                yield self._finding(context, view, device, port, zone_a, zone_b, by_zone)

    def _finding(
        self,
        context: AuditContext,
        view: NetworkView,
        device: str,
        port: str,
        zone_a: str,
        zone_b: str,
        by_zone: dict[str, list[int]],
    ) -> Finding:
        carried = view.port_vlans[(device, port)]
        vlans_a = ",".join(map(str, by_zone[zone_a]))
        vlans_b = ",".join(map(str, by_zone[zone_b]))
        support = Support()
        support.add("config", carried.source, f"{port} trunk VLANs {vlans_a} ({zone_a})")
        support.add("config", carried.source, f"{port} trunk VLANs {vlans_b} ({zone_b})")
        seen_zones = {
            s.zone: s
            for s in view.fdb_by_port.get((device, port), [])
            if s.zone in (zone_a, zone_b)
        }
        if len(seen_zones) == 2:
            for sighting in seen_zones.values():
                support.add(
                    "live", sighting.source, f"{sighting.mac} VLAN {sighting.vlan} on {port}"
                )
        return emit(
            self,
            context,
            device=device,
            subject=f"trunk:{port}#{zone_a}+{zone_b}",
            severity=graded_severity(self, context, view, {zone_a, zone_b}),
            support=support,
            message_en=(
                f"{device} trunk {port} carries VLAN {vlans_a} of {view.zone_label(zone_a)} and "
                f"VLAN {vlans_b} of {view.zone_label(zone_b)}, which the policy does not allow "
                f"to share a physical link"
            ),
            message_ja=(
                f"{device} のトランク {port} が {view.zone_label(zone_a, 'ja')} の VLAN {vlans_a} と "
                f"{view.zone_label(zone_b, 'ja')} の VLAN {vlans_b} を同時に運んでいます。"
                f"ポリシーはこの系同士の物理リンク共有を許可していません"
            ),
        )

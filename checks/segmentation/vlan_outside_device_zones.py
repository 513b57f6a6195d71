"""SEG-001: a VLAN of one zone is configured, trunked or learned on a switch of other zones."""

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
    without_management,
)


class VlanOutsideDeviceZones(Check):
    """A VLAN of zone A exists on a switch that the inventory assigns only to other zones.

    What it checks:
        For every device with inventory zones, every VLAN it defines, carries on an access or trunk
        port (allowed list, native VLAN), routes on an SVI, or learns MAC addresses in. A VLAN whose
        zone (from the policy's VLAN ranges) is not one of the device's zones is a finding, one per
        device and VLAN. VLANs outside every zone (such as VLAN 1) are not judged.

    Why is this bad?:
        三層の対策 separates the tiers by VLAN when they share hardware. A My Number or Internet VLAN
        that reaches an LGWAN switch puts that tier's traffic on hardware managed, patched and
        cabled as another tier's, one wrong access port away from a terminal in the wrong tier.

    Example:
        ``lg-edge-sw2`` (inventory zones lgwan, management) defines VLAN 31 and allows it on its
        uplink trunk: one finding with subject ``vlan:31``, supported by configuration (ssh) and,
        if terminals are learned in VLAN 31, by live state (snmp).

    Remediation:
        Remove the VLAN from the switch and from its trunks, or correct the inventory if the
        switch really serves that zone.
        Cisco IOS / Alaxala AX: ``interface Gi1/0/24`` → ``switchport trunk allowed vlan remove
        31``; ``no vlan 31``. Allied Telesis AW+: ``switchport trunk allowed vlan remove 31``;
        ``no vlan 31`` under ``vlan database``. Yamaha: remove the ``vlan port mapping``.

    Parameters:
        None.
    """

    id = "SEG-001"
    slug = "vlan-outside-device-zones"
    severity = Severity.HIGH
    title_ja = "機器の所属系以外のVLANが設定・伝送されている"
    title_en = "VLAN of another zone configured or carried on a device"
    scope = "network"
    references = SEGMENTATION_REFERENCES

    def evaluate(self, context: AuditContext) -> Iterator[Finding]:
        view = NetworkView.of(context)
        for device in sorted(view.device_vlans):
            device_zones = view.device_zones(device)
            if not device_zones:
                continue
            for vlan, uses in sorted(view.device_vlans[device].items()):
                zone = view.zone_of_vlan(vlan)
                if zone is None or zone in device_zones:
                    continue
                support = Support()
                hows: list[str] = []
                for use in uses:
                    where = f" on {use.port}" if use.port else ""
                    support.add(use.kind, use.source, f"VLAN {vlan} {use.how}{where}")
                    if use.how not in hows:
                        hows.append(use.how)
                yield emit(
                    self,
                    context,
                    device=device,
                    subject=f"vlan:{vlan}",
                    zone=zone,
                    severity=graded_severity(
                        self, context, view, {zone, *without_management(view, device_zones)}
                    ),
                    support=support,
                    message_en=(
                        f"{device} has VLAN {vlan} of {view.zone_label(zone)} "
                        f"({'/'.join(hows)}) but the inventory assigns it only to "
                        f"{labels(view, device_zones)}"
                    ),
                    message_ja=(
                        f"{device} に {view.zone_label(zone, 'ja')} の VLAN {vlan} があります"
                        f"({'/'.join(hows)})が、機器一覧上の所属は {labels(view, device_zones, 'ja')} "
                        f"のみです"
                    ),
                )

"""SEG-009: a trunk's native (untagged) VLAN belongs to a protected zone."""

from __future__ import annotations

from collections.abc import Iterator

from auditor.analysis.network import NetworkView, Support
from auditor.model.findings import Finding, Severity
from auditor.rules import AuditContext, Check

from ._common import SEGMENTATION_REFERENCES, emit


class TrunkNativeVlanProtected(Check):
    """The native VLAN of a trunk belongs to a protected zone (My Number, LGWAN, management …).

    What it checks:
        Every trunk port with a native VLAN. When that VLAN's zone is protected (``protected:
        true`` in the policy, or of kind ``mynumber``) it is a finding, one per device and port.

    Why is this bad?:
        Untagged frames on a trunk land in the native VLAN: a device plugged into the wrong port,
        a native-VLAN mismatch on the other end or a double-tagging attack delivers foreign frames
        straight into the protected tier. Best practice is an unused, zone-less native VLAN.

    Example:
        ``myn-edge-sw2`` ``port1.0.24`` has native VLAN 11 (My Number, 税務): one critical finding
        with subject ``trunk:port1.0.24``.

    Remediation:
        Set an unused native VLAN and tag every tier VLAN.
        Cisco IOS: ``interface X`` → ``switchport trunk native vlan 999``; ``vlan dot1q tag
        native``. Alaxala AX: ``switchport trunk native vlan 999``. Allied Telesis AW+:
        ``switchport trunk native vlan none``.

    Parameters:
        None.
    """

    id = "SEG-009"
    slug = "trunk-native-vlan-protected"
    severity = Severity.HIGH
    title_ja = "保護対象の系のVLANをネイティブVLANとするトランク"
    title_en = "Trunk native VLAN belongs to a protected zone"
    scope = "network"
    references = SEGMENTATION_REFERENCES

    def evaluate(self, context: AuditContext) -> Iterator[Finding]:
        view = NetworkView.of(context)
        override = context.policy.rule(self.id).severity
        for (device, port), carried in sorted(view.port_vlans.items()):
            if carried.mode != "trunk" or carried.native_vlan is None:
                continue
            zone = view.zone_of_vlan(carried.native_vlan)
            if zone is None or not view.is_protected(zone):
                continue
            support = Support()
            support.add("config", carried.source, f"{port} native VLAN {carried.native_vlan}")
            severity = Severity(override) if override else None
            if severity is None and view.is_mynumber(zone):
                severity = Severity.CRITICAL
            yield emit(
                self,
                context,
                device=device,
                subject=f"trunk:{port}",
                zone=zone,
                severity=severity,
                support=support,
                message_en=(
                    f"{device} trunk {port} has native VLAN {carried.native_vlan} of the protected "
                    f"{view.zone_label(zone)}"
                ),
                message_ja=(
                    f"{device} のトランク {port} のネイティブVLANが保護対象 "
                    f"{view.zone_label(zone, 'ja')} の VLAN {carried.native_vlan} です"
                ),
            )

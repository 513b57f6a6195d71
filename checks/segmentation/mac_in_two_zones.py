"""SEG-010: the same terminal MAC is learned in VLANs of two zones."""

from __future__ import annotations

from collections.abc import Iterator

from auditor.analysis.network import NetworkView, Support
from auditor.model.findings import Finding, Severity
from auditor.rules import AuditContext, Check

from ._common import SEGMENTATION_REFERENCES, emit, graded_severity, labels


class MacInTwoZones(Check):
    """The same terminal MAC address is learned on access ports in VLANs of two zones.

    What it checks:
        FDB entries of terminals (access ports only; trunk, uplink, routed and LLDP-linked ports
        are transit; the devices' own MACs are ignored). A MAC learned in VLANs of two or more
        zones is a finding, reported once on the first device (by name) that learns it, subject
        ``mac:<mac>``.

    Why is this bad?:
        One terminal in two tiers is a dual-homed bridge (two NICs, a USB NIC, a VM bridge) or a
        terminal that is moved between tiers: either way data can cross the separation inside the
        terminal, where no network control sees it.

    Example:
        ``00:00:5e:30:1f:01`` is learned on ``inet-edge-sw1 port1.0.1`` (VLAN 31, Internet) and on
        ``lg-edge-sw1 Gi1/0/2`` (VLAN 20, LGWAN): one finding with subject
        ``mac:00:00:5e:30:1f:01`` on ``inet-edge-sw1``.

    Remediation:
        Locate the terminal (``show mac address-table address …`` on both switches), remove the
        second connection, and enable port security / 802.1X on the access ports
        (Cisco IOS: ``switchport port-security``; AW+: ``dot1x port-control auto``).

    Parameters:
        None.
    """

    id = "SEG-010"
    slug = "mac-in-two-zones"
    severity = Severity.HIGH
    title_ja = "同一端末の複数の系への接続"
    title_en = "Same terminal MAC learned in two zones"
    scope = "network"
    needs = frozenset({"live"})
    references = SEGMENTATION_REFERENCES

    def evaluate(self, context: AuditContext) -> Iterator[Finding]:
        view = NetworkView.of(context)
        for mac, sightings in sorted(view.terminal_sightings().items()):
            zones = {s.zone for s in sightings if s.zone}
            if len(zones) < 2:
                continue
            ordered = sorted(
                (s for s in sightings if s.zone), key=lambda s: (s.device, s.port or "")
            )
            support = Support()
            for sighting in ordered[:10]:
                support.add(
                    "live",
                    sighting.source,
                    f"{mac} VLAN {sighting.vlan} on {sighting.device} {sighting.port}",
                )
            places = "; ".join(f"{s.device} {s.port} (VLAN {s.vlan}, {s.zone})" for s in ordered)
            yield emit(
                self,
                context,
                device=ordered[0].device,
                subject=f"mac:{mac}",
                zone=ordered[0].zone,
                severity=graded_severity(self, context, view, zones),
                support=support,
                message_en=f"{mac} is learned in {labels(view, zones)}: {places}",
                message_ja=f"{mac} が複数の系({labels(view, zones, 'ja')})で学習されています: {places}",
            )

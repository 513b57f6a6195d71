"""SEG-004: a terminal's MAC is learned in a zone other than the one the ledger or ARP gives it."""

from __future__ import annotations

from collections.abc import Iterator

from auditor.analysis.network import NetworkView, Support
from auditor.model.findings import EvidenceRef, Finding, Severity
from auditor.rules import AuditContext, Check

from ._common import SEGMENTATION_REFERENCES, emit, graded_severity


class MacInWrongZone(Check):
    """A MAC learned in one zone's VLAN belongs elsewhere according to the ledger or its address.

    What it checks:
        FDB entries of terminals: MACs learned on access ports (entries on trunks, uplinks, routed
        and LLDP-linked ports are transit and not judged; MACs of the inventory devices' own
        interfaces are ignored). The zone of the VLAN a terminal is learned in is compared with
        the zone the asset ledger gives the MAC (the row's ``zone``, else the zone of the row's IP)
        and with the zone of the IP addresses ARP tables map to that MAC. A difference is a
        finding on the switch where the terminal is connected, one per device and MAC.

    Why is this bad?:
        A terminal that the ledger registers in the My Number tier but that sits in an LGWAN VLAN
        (or the reverse) has been moved or re-patched into the wrong tier: its data, software and
        controls no longer match the network it is on.

    Example:
        Ledger row A-0107 registers ``00:00:5e:10:0b:07`` as a My Number terminal; ``lg-edge-sw2``
        learns it on access port ``port1.0.2`` in LGWAN VLAN 20: one finding with subject
        ``mac:00:00:5e:10:0b:07`` on ``lg-edge-sw2``.

    Remediation:
        Find the terminal (``show mac address-table address 0000.5e10.0b07``), return it to a
        port of its own tier, or update the ledger after an approved move.

    Parameters:
        None.
    """

    id = "SEG-004"
    slug = "mac-in-wrong-zone"
    severity = Severity.HIGH
    title_ja = "台帳・アドレスと異なる系で学習された端末"
    title_en = "Terminal MAC learned in a zone it does not belong to"
    scope = "network"
    needs = frozenset({"live"})
    references = SEGMENTATION_REFERENCES

    def evaluate(self, context: AuditContext) -> Iterator[Finding]:
        view = NetworkView.of(context)
        for mac, sightings in sorted(view.terminal_sightings().items()):
            ledger_zone, row = view.ledger_zone_of_mac(mac)
            arp_zones = {
                zone
                for fact in view.arp_by_mac.get(mac, [])
                if (zone := view.zone_of_address(fact.ip)) is not None
            }
            reported: set[str] = set()
            for sighting in sightings:
                if sighting.zone is None or sighting.device in reported:
                    continue
                expected: str | None = None
                basis_en = basis_ja = ""
                if ledger_zone and ledger_zone != sighting.zone:
                    expected = ledger_zone
                    row_name = (row.asset_id if row else None) or "?"
                    basis_en = f"the asset ledger ({row_name}) registers it in"
                    basis_ja = f"台帳({row_name})上は"
                elif not ledger_zone and arp_zones and sighting.zone not in arp_zones:
                    expected = sorted(arp_zones)[0]
                    basis_en = "its IP address (ARP) is in"
                    basis_ja = "ARP 上の IP アドレスは"
                if expected is None:
                    continue
                reported.add(sighting.device)
                support = Support()
                support.add(
                    "live",
                    sighting.source,
                    f"{mac} in VLAN {sighting.vlan} on {sighting.device} {sighting.port}",
                )
                for fact in view.arp_by_mac.get(mac, [])[:3]:
                    support.add("live", fact.source, f"ARP {fact.ip} -> {mac} on {fact.device}")
                if row is not None:
                    support.evidence.append(
                        EvidenceRef(
                            source="ledger",
                            detail=f"{view.ledger.source or 'ledger'}:row {row.row_number}",
                        )
                    )
                yield emit(
                    self,
                    context,
                    device=sighting.device,
                    subject=f"mac:{mac}",
                    zone=sighting.zone,
                    severity=graded_severity(self, context, view, {sighting.zone, expected}),
                    support=support,
                    message_en=(
                        f"{mac} is learned on {sighting.device} {sighting.port} in VLAN "
                        f"{sighting.vlan} of {view.zone_label(sighting.zone)}, but {basis_en} "
                        f"{view.zone_label(expected)}"
                    ),
                    message_ja=(
                        f"{mac} が {sighting.device} の {sighting.port}"
                        f"({view.zone_label(sighting.zone, 'ja')} の VLAN {sighting.vlan})で"
                        f"学習されていますが、{basis_ja} {view.zone_label(expected, 'ja')} です"
                    ),
                )

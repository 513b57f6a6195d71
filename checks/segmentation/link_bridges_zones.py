"""SEG-003: an LLDP/CDP link physically joins devices of different zones."""

from __future__ import annotations

from collections.abc import Iterator

from auditor.analysis.network import Link, NetworkView, Support, link_subject
from auditor.model.findings import Finding, Severity
from auditor.rules import AuditContext, Check

from ._common import SEGMENTATION_REFERENCES, emit, graded_severity, labels


def carried_zones(view: NetworkView, device: str, port: str) -> set[str]:
    """Zones a port carries: its VLANs' zones, or the zone of its L3 addresses."""
    zones: set[str] = set()
    carried = view.port_vlans.get((device, port))
    if carried is not None:
        zones.update(z for z in (view.zone_of_vlan(v) for v in carried.vlans) if z)
    zones.update(view.interface_zones(device, port))
    return zones


class LinkBridgesZones(Check):
    """An LLDP/CDP neighbour link joins devices of different zones (a physical bridge between tiers).

    What it checks:
        Every LLDP/CDP adjacency whose both ends resolve to inventory devices (names matched
        case-insensitively, domain stripped). Devices with the same zone set are never judged
        here. Otherwise the rule for devices that serve several zones (core switches,
        firewalls) is the *intersection*: the link may only carry zones both devices serve. It is
        a finding when the VLANs (or L3 addresses) configured on either end include a zone outside
        that intersection, or, when neither end's port configuration is known, when the two
        devices share no zone at all. One finding per end, on each device, so each side's staff
        sees it.

    Why is this bad?:
        A cable between a My Number switch and a switch of another tier is a bridge that no
        firewall sees: one VLAN change, loop or mis-tagged frame and the tiers are joined. The
        guideline (as summarised for R7.3) asks that the My Number tier does not communicate with
        other areas except named 特定通信; a direct cable bypasses every control that decision
        relies on. (No source reviewed here says the separation must be physical; logically
        separated designs with a firewall between tiers are common.)

    Example:
        ``myn-edge-sw2`` port ``port1.0.23`` is cabled to ``lg-edge-sw2`` port ``port1.0.23`` (a
        maintenance cable) and carries VLANs 10 and 20: findings with subjects
        ``link:port1.0.23<->lg-edge-sw2:port1.0.23`` on ``myn-edge-sw2`` and
        ``link:port1.0.23<->myn-edge-sw2:port1.0.23`` on ``lg-edge-sw2``.

    Remediation:
        Remove the cable (or shut the port: Cisco IOS / Alaxala AX / AW+ ``interface X`` →
        ``shutdown``) and connect tiers only through their firewall or relay. If the link is
        intended, correct the inventory zones of the devices.

    Parameters:
        None.
    """

    id = "SEG-003"
    slug = "link-bridges-zones"
    severity = Severity.HIGH
    title_ja = "異なる系の機器を直結する物理リンク"
    title_en = "Physical link joins devices of different zones"
    scope = "network"
    needs = frozenset({"live"})
    references = SEGMENTATION_REFERENCES

    def evaluate(self, context: AuditContext) -> Iterator[Finding]:
        view = NetworkView.of(context)
        for link in view.links:
            yield from self._judge(context, view, link)

    def _judge(self, context: AuditContext, view: NetworkView, link: Link) -> Iterator[Finding]:
        zones_a = view.device_zones(link.device)
        zones_b = view.device_zones(link.remote_device)
        if not zones_a or not zones_b or zones_a == zones_b:
            return
        shared = zones_a & zones_b
        carried = carried_zones(view, link.device, link.port)
        if link.remote_port:
            carried |= carried_zones(view, link.remote_device, link.remote_port)
        outside = carried - shared if carried else (set() if shared else zones_a | zones_b)
        if not outside:
            return
        support = Support()
        for source in sorted(link.sources):
            support.add("live", source, f"{link.protocol} {link.subject} on {link.device}")
        for device, port, _, _ in link.ends():
            if (device, port) in view.port_vlans:
                carried_port = view.port_vlans[(device, port)]
                vlans = ",".join(str(v) for v in sorted(carried_port.vlans))
                support.add("config", carried_port.source, f"{device} {port} VLANs {vlans}")
        involved = (zones_a ^ zones_b) | outside
        for device, port, remote, remote_port in link.ends():
            if device not in view.devices:
                continue
            mine, theirs = (zones_a, zones_b) if device == link.device else (zones_b, zones_a)
            yield emit(
                self,
                context,
                device=device,
                subject=link_subject(port, remote, remote_port),
                severity=graded_severity(self, context, view, involved),
                support=support,
                message_en=(
                    f"{device} {port} is linked to {remote} {remote_port or ''}".rstrip()
                    + f" ({labels(view, theirs)}) from a device of {labels(view, mine)}; "
                    f"the link carries {labels(view, outside)} outside the zones both serve"
                ),
                message_ja=(
                    f"{device} の {port} が {remote} {remote_port or ''}".rstrip()
                    + f"({labels(view, theirs, 'ja')})と直結しています。両機器に共通しない "
                    f"{labels(view, outside, 'ja')} を運んでいます"
                ),
            )

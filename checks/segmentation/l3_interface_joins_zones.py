"""SEG-005: a router or L3 switch routes between two zones' subnets with nothing filtering."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

from auditor.analysis.matrix import PermitPortion, unfiltered_routing
from auditor.analysis.network import NetworkView, Support
from auditor.model.findings import Finding, Severity
from auditor.rules import AuditContext, Check

from ._common import SEGMENTATION_REFERENCES, emit, graded_severity, labels


class L3InterfaceJoinsZones(Check):
    """An L3 interface connects subnets of two zones without a policy flow that allows it.

    What it checks:
        Every router and L3 switch (firewalls are judged by their policies instead, SEG-006):
        for each VRF, the zones of its interface addresses. When interfaces of two zones are up in
        the same VRF and traffic from one to the other crosses no ACL (no inbound ACL on the
        source side, no outbound ACL on the destination side), the device routes between them
        unfiltered. That is a finding unless the policy allows *everything* in that direction
        (a flow with service ``any``, no destinations and no relay). One finding per device and
        zone pair. Directions that do cross an ACL are judged line by line by SEG-006/SEG-007.

    Why is this bad?:
        An SVI of the LGWAN tier on the Internet tier's core switch makes the switch a router
        between the tiers that no firewall, relay or log sees; 三層の対策 requires LGWAN and the
        Internet to be split, and the My Number tier to talk to nothing else.

    Example:
        ``inet-core-sw1`` (Internet tier) has ``Vlan21 10.20.21.254/24`` (an LGWAN subnet) next to
        ``Vlan30``/``Vlan31``: one finding with subject ``l3:internet+lgwan``. Severity: critical
        when the My Number tier meets a non-management zone; medium for pairs with the management
        zone (in-band management), high otherwise.

    Remediation:
        Remove the foreign SVI (Cisco IOS / Alaxala AX: ``no interface Vlan21``), put the zones in
        separate VRFs (``vrf definition``), or apply an ACL that permits only the policy's flows
        (``interface Vlan21`` → ``ip access-group LGWAN-IN in``). Yamaha RTX: ``ip filter`` on the
        LAN interface; NEC IX: ``ip access-list`` + ``ip filter``.

    Parameters:
        None.
    """

    id = "SEG-005"
    slug = "l3-interface-joins-zones"
    severity = Severity.HIGH
    title_ja = "L3インターフェースによる系間の無制限ルーティング"
    title_en = "L3 interfaces route between zones without a filter"
    scope = "network"
    references = SEGMENTATION_REFERENCES

    def evaluate(self, context: AuditContext) -> Iterator[Finding]:
        view = NetworkView.of(context)
        for device in sorted(view.l3_interfaces):
            by_pair: dict[str, list[PermitPortion]] = defaultdict(list)
            for portion in unfiltered_routing(view, device):
                if view.unrestricted_flow(portion.source_zone, portion.destination_zone):
                    continue
                by_pair[portion.subject].append(portion)
            for subject, portions in sorted(by_pair.items()):
                yield self._finding(context, view, device, subject, portions)

    def _finding(
        self,
        context: AuditContext,
        view: NetworkView,
        device: str,
        subject: str,
        portions: list[PermitPortion],
    ) -> Finding:
        zones = {p.source_zone for p in portions} | {p.destination_zone for p in portions}
        names = sorted({name for p in portions for name in p.interfaces})
        support = Support()
        for fact in view.l3_interfaces[device]:
            if fact.interface in names and fact.zone in zones:
                support.add("config", fact.source, f"{fact.interface} {fact.address} ({fact.zone})")
        seen_on: set[str] = set()
        for entry in view.arp_by_device.get(device, []):
            if entry.interface in names and entry.interface not in seen_on:
                seen_on.add(entry.interface)
                support.add("live", entry.source, f"ARP {entry.ip} on {entry.interface}")
        directions = ", ".join(sorted(f"{p.source_zone}->{p.destination_zone}" for p in portions))
        # Name the ACLs that are bound, and what they leave open, rather than saying "no ACL".
        bound: dict[str, str] = {}
        for fact in view.l3_interfaces[device]:
            if fact.interface in names:
                for acl, direction in ((fact.acl_in, "in"), (fact.acl_out, "out")):
                    if acl:
                        bound[f"{fact.interface} {direction}"] = acl
        legs = "; ".join(
            sorted(f"{p.source_zone}->{p.destination_zone}: {p.line}" for p in portions)
        )
        if bound:
            acls = ", ".join(f"ACL {acl} ({where})" for where, acl in sorted(bound.items()))
            filter_en = (
                f"{acls} is bound, but nothing filters {directions}: the traffic enters with no "
                f"inbound ACL and leaves with no outbound ACL ({legs})"
            )
            filter_ja = (
                f"{acls} は適用されていますが、{directions} はフィルタされません: 入口に受信 ACL も"
                f"出口に送信 ACL もありません({legs})"
            )
        else:
            filter_en = f"no ACL is bound to these interfaces ({directions})"
            filter_ja = f"これらのインターフェースに ACL は適用されていません({directions})"
        return emit(
            self,
            context,
            device=device,
            subject=subject,
            severity=graded_severity(self, context, view, zones),
            support=support,
            message_en=(
                f"{device} routes between {labels(view, zones)} through {', '.join(names)} "
                f"unfiltered: {filter_en}; the policy does not allow this unrestricted"
            ),
            message_ja=(
                f"{device} が {', '.join(names)} で {labels(view, zones, 'ja')} 間をフィルタなしで"
                f"ルーティングしています: {filter_ja}。ポリシーは無制限の通信を許可していません"
            ),
        )

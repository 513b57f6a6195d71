"""SEG-013: a multi-hop path carries traffic between zones beyond the policy (or around a relay)."""

from __future__ import annotations

from collections.abc import Iterator

from auditor.analysis.network import NetworkView, Support
from auditor.analysis.reachability.model import build_model
from auditor.analysis.reachability.search import PathResult
from auditor.analysis.reachability.verdicts import reachability
from auditor.model.findings import Finding, Severity
from auditor.model.snapshot import Source
from auditor.rules import AuditContext, Check

from ._common import SEGMENTATION_REFERENCES, emit, graded_severity, is_management

_DYNAMIC = ("ospf", "bgp", "rip", "eigrp", "isis")


class ReachabilityBeyondPolicy(Check):
    """A path through the network lets one zone reach another beyond the policy's flows.

    What it checks:
        The whole network's forwarding model (L3 interfaces per VRF, connected, static and
        collected routes, ACLs in and out, firewall policies, static NAT, VRF route leaks) is
        searched for every ordered zone pair and service class. A reachable path whose service,
        addresses or relay are not covered by a flow in force (``via``: the path must start or end
        at the relay host; out of the My Number tier: only ``mynumber_destinations``) is a
        finding with one shortest witnessing path: each hop's device, ingress and egress
        interface, route and permitting line. One finding per zone pair on the device where the
        paths leave the source zone, listing every violating service with its path. Pairs with the management zone are left
        to the management-plane checks (in-band management reaches every device). A path the
        model cannot follow (policy-based routing, unresolved NAT, dynamic routing without a
        table) is "unknown", never a finding and never "not reachable".

    Why is this bad?:
        An auditor's question is the path, not the hop: 「マイナンバー利用事務系から、どの経路でも
        インターネットに到達できないこと」. Two hops each permitted on a different device (My Number
        → LGWAN on one, LGWAN → Internet on another) join tiers that no single-device check sees
        joined, and a direct path around the 無害化 relay defeats it even when every rule on the
        way looks reasonable.

    Example:
        ``inet-core-sw1`` ACL ``LGWAN-IN`` line 20 permits ``10.20.21.0/24`` to any and the
        switch routes to the Internet-tier VLAN: subject ``path:lgwan->internet`` listing tcp/443 (the
        flow allows it only via ``screen-gw``: the path bypasses the relay) and every other service.

    Remediation:
        Close the path at the hop the finding names (narrow or delete the permitting line, remove
        the route or the leak), or add the flow to the policy if it is approved.

    Parameters:
        None. Flows come from the policy's ``flows`` and ``mynumber_destinations``.
    """

    id = "SEG-013"
    slug = "reachability-beyond-policy"
    severity = Severity.HIGH
    title_ja = "ポリシーを超える系間の到達経路(複数機器経由)"
    title_en = "A path across devices reaches another zone beyond the policy"
    scope = "network"
    references = SEGMENTATION_REFERENCES

    def evaluate(self, context: AuditContext) -> Iterator[Finding]:
        view = NetworkView.of(context)
        for (source, destination), verdict in sorted(reachability(view).items()):
            if is_management(view, source) or is_management(view, destination):
                continue
            # One finding per zone pair and device where the paths leave the source zone, listing
            # every violating service: a finding per service flooded the to-do list with copies
            # of one mistake (one hop fixes them all).
            groups: dict[str | None, list[PathResult]] = {}
            for result in verdict.violations:
                groups.setdefault(crossing_device(view, source, result), []).append(result)
            for device, results in groups.items():
                yield self._finding(context, view, source, destination, device, results)

    def _finding(
        self,
        context: AuditContext,
        view: NetworkView,
        source: str,
        destination: str,
        device: str | None,
        results: list[PathResult],
    ) -> Finding:
        support = Support()
        # Services that share a path and a reason are told together, in probe order.
        clauses: dict[tuple[str, str, str], list[str]] = {}
        for result in results:
            assert result.path is not None
            hops = result.path.hops
            for hop in hops:
                snapshot_sources = view.snapshots[hop.device].sources
                origin = Source.SSH if Source.SSH in snapshot_sources else None
                for line in hop.permits:
                    support.add("config", origin, f"{hop.device}: {line}")
                if hop.route and hop.route.split(" ")[0].lower() in _DYNAMIC:
                    support.add("live", origin, f"{hop.device}: {hop.route}")
                elif hop.route:
                    support.add("config", origin, f"{hop.device}: {hop.route}")
            trace = " → ".join(f"{h.device}[{h.ingress or '-'}→{h.egress or '-'}]" for h in hops)
            key = (trace, result.path.exit, result.violation or "")
            clauses.setdefault(key, []).append(str(result.service))
        parts_en: list[str] = []
        parts_ja: list[str] = []
        for (trace, exit_text, reason), services in clauses.items():
            listed = ", ".join(services)
            bypass = " — the flow is allowed only through the relay" if reason == _BYPASS else ""
            parts_en.append(f"{listed} along {trace} ({exit_text}); {reason}{bypass}")
            parts_ja.append(
                f"{listed} が経路 {trace} で到達可能({_REASON_JA.get(reason, _MYN_JA)})"
            )
        severity = self.effective_severity(context)
        if context.policy.rule(self.id).severity is None:
            severity = graded_severity(self, context, view, (source, destination))
        return emit(
            self,
            context,
            device=device,
            subject=f"path:{source}->{destination}",
            message_en=(
                f"{view.zone_label(source)} reaches {view.zone_label(destination)} with "
                + " | ".join(parts_en)
            ),
            message_ja=(
                f"{view.zone_label(source, 'ja')}から{view.zone_label(destination, 'ja')}へ "
                + " / ".join(parts_ja)
            ),
            support=support,
            severity=severity,
            zone=source,
        )


_BYPASS = "bypasses the relay"
_MYN_JA = "マイナンバー利用事務系の許可宛先外"
_REASON_JA = {
    _BYPASS: "無害化・中継ホストを経由しない",
    "no flow between these zones": "ポリシーはこのゾーン間の通信を許可していない",
    "beyond the allowed flows": "許可された通信の範囲を超える",
}


def crossing_device(view: NetworkView, source: str, result: PathResult) -> str | None:
    """The device where the path leaves the source zone (else the last device on it)."""
    assert result.path is not None
    model = build_model(view)
    for hop in result.path.hops:
        for port in model.ports.get(hop.device, []):
            if port.interface == hop.egress and model.port_zone(port) != source:
                return hop.device
    return result.path.hops[-1].device if result.path.hops else None

"""SEG-012: a flow the policy allows is permitted by no rule (possible outage), as information."""

from __future__ import annotations

from collections.abc import Iterator

from auditor.analysis.matrix import flow_is_permitted, zones_with_routing
from auditor.analysis.network import NetworkView, Support
from auditor.model.findings import Finding, Severity
from auditor.rules import AuditContext, Check

from ._common import SEGMENTATION_REFERENCES, emit


class AllowedFlowNotPermitted(Check):
    """A flow the policy allows has no permitting rule anywhere (possible outage or stale policy).

    What it checks:
        Every policy flow whose source zone has a routing or filtering point in the run (an L3
        interface or a rule; otherwise nothing can be said). The flow counts as permitted when
        some ACL line, firewall policy or unfiltered routing lets part of it through (a service and
        destination overlap); a flow with ``via`` relays needs the leg from its source zone to the
        relay. Zone pairs with unpermitted flows yield one informational finding, subject
        ``flow:<from>-><to>``, not tied to a device.

    Why is this bad?:
        It is not a security problem: either a business flow (中間サーバー連携, 無害化 relay) is
        broken, or the policy lists a flow that no longer exists and should be removed so that the
        approved list stays true.

    Example:
        The policy allows ``lgwan -> sanitizer tcp/443`` to ``mumeika-relay`` but the firewall has
        no policy for it: one info finding with subject ``flow:lgwan->sanitizer``.

    Remediation:
        Add the permit on the filtering device (FortiGate ``config firewall policy`` → ``edit 0``
        → ``set srcintf``/``dstintf``/``dstaddr``/``service``; Cisco ``ip access-list extended`` →
        ``permit tcp …``) or delete the flow from the policy.

    Parameters:
        None.
    """

    id = "SEG-012"
    slug = "allowed-flow-not-permitted"
    severity = Severity.INFO
    title_ja = "許可された系間通信を通すルールがない(疎通不能の可能性)"
    title_en = "Allowed flow has no permitting rule (possible outage)"
    scope = "network"
    references = SEGMENTATION_REFERENCES

    def evaluate(self, context: AuditContext) -> Iterator[Finding]:
        view = NetworkView.of(context)
        if not view.snapshots:
            return
        present = zones_with_routing(view)
        pairs: dict[tuple[str, str], list[str]] = {}
        for flow in context.policy.flows:
            if flow.from_ not in present or flow_is_permitted(view, flow):
                continue
            pairs.setdefault((flow.from_, flow.to), []).append(flow.id or "(unnamed)")
        for (source_zone, destination_zone), flow_ids in sorted(pairs.items()):
            support = Support()
            support.add("config", "policy", f"flows {', '.join(flow_ids)}")
            yield emit(
                self,
                context,
                device=None,
                subject=f"flow:{source_zone}->{destination_zone}",
                zone=source_zone,
                support=support,
                message_en=(
                    f"The policy allows {source_zone} -> {destination_zone} "
                    f"({', '.join(flow_ids)}) but no ACL, firewall policy or route permits it: "
                    f"possible outage or stale policy entry"
                ),
                message_ja=(
                    f"ポリシーは {source_zone} → {destination_zone}({', '.join(flow_ids)})を"
                    f"許可していますが、通すルールがありません。疎通不能またはポリシーの記載漏れの"
                    f"可能性があります"
                ),
            )

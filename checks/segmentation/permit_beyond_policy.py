"""SEG-006: an ACL line or firewall policy permits more between two zones than the policy allows."""

from __future__ import annotations

from collections.abc import Iterator

from auditor.model.findings import Finding, Severity
from auditor.rules import AuditContext, Check

from ._common import SEGMENTATION_REFERENCES
from ._permits import permit_findings


class PermitBeyondPolicy(Check):
    """An ACL line or firewall policy lets traffic between two zones that the policy does not allow.

    What it checks:
        Every applied ACL line and enabled firewall policy, normalized to the zones of its source
        and destination (an ``any`` on an ACL bound to an interface means the zones that can arrive
        on, or be routed through, that interface; firewall policies use their interfaces' zones).
        Earlier deny lines that remove a whole zone pair are honoured (first match). Each zone pair
        a permit lets through is compared with the policy's flows for that pair: every service
        must be covered by a flow's services, the destinations must lie within the flow's
        ``destinations`` (host names or CIDRs) and, for a flow with ``via`` relays, the traffic
        must come from or go to a relay. Anything broader is a finding naming the rule line, one per
        device, rule and zone pair. Permits out of the My Number tier are SEG-007.
        Shadowed and unused rules are not judged.

    Why is this bad?:
        The policy is the city's approved list of inter-tier communication (例: LGWAN端末のWeb閲覧は
        画面転送経由のみ). A permit wider than that list is an unapproved path: a direct LGWAN to
        Internet rule defeats the 無害化 relay the guideline requires.

    Example:
        FortiGate ``inet-fw1`` policy 3 accepts ``all``/``ALL`` from port1 (LGWAN) to port2
        (Internet) while the policy allows LGWAN to Internet only ``tcp/443 via screen-gw``: one
        finding with subject ``fw:3#lgwan->internet``. A Cisco line ``permit ip 10.20.21.0
        0.0.0.255 any`` in ACL ``LGWAN-IN`` sequence 20 yields ``acl:LGWAN-IN:20#lgwan->internet``
        (and one subject per other zone it reaches).

    Remediation:
        Narrow the rule to the policy's services and destinations, or delete it.
        FortiGate: ``config firewall policy`` → ``edit 3`` → ``set dstaddr screen-gw`` / ``set
        service HTTPS`` (or ``delete 3``). Cisco IOS: ``ip access-list extended LGWAN-IN`` →
        ``no 20`` → ``20 permit tcp 10.20.21.0 0.0.0.255 host 10.40.0.20 eq 443``. Yamaha RTX:
        ``ip filter N pass SRC DST tcp * 443``.

    Parameters:
        None. Flows come from the policy's ``flows`` (``from``, ``to``, ``services``,
        ``destinations``, ``via``) and, for α′ cities, ``lbo_services``.
    """

    id = "SEG-006"
    slug = "permit-beyond-policy"
    severity = Severity.HIGH
    title_ja = "ポリシーを超える系間通信の許可(ACL・FW)"
    title_en = "ACL or firewall permit broader than the policy's flows"
    scope = "network"
    references = SEGMENTATION_REFERENCES

    def evaluate(self, context: AuditContext) -> Iterator[Finding]:
        override = context.policy.rule(self.id).severity
        yield from permit_findings(
            self, context, mynumber=False, severity=Severity(override) if override else None
        )

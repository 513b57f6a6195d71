"""HRD-016: a device of the My Number tier has a default route."""

from __future__ import annotations

from collections.abc import Iterator

from auditor.model.findings import EvidenceRef, Finding, Reference, Severity
from auditor.policy.models import ZoneKind
from auditor.rules import AuditContext, Check

from ._common import (
    config_known,
    device_zones,
    evidence_source,
    not_applicable,
    snapshots_in_order,
)

DEFAULT_PREFIXES = {"0.0.0.0/0", "::/0", "0.0.0.0/0.0.0.0", "default"}


class MynumberDefaultRoute(Check):
    """A router or L3 switch serving the My Number tier knows a default route.

    What it checks:
        Devices whose inventory zones include a zone of kind ``mynumber``: any route with prefix
        ``0.0.0.0/0`` or ``::/0`` (any VRF) is a finding (subject ``route:<prefix>``). Routes come
        from the running configuration (static routes; the SNMP collector does not walk the
        routing table), so a device without a configuration and without routes is not
        applicable. A default learned by a routing protocol is only seen if a collector reports
        the routing table. The grade follows the next hop's zone (``Policy.classify_address``):
        a next hop inside one of the device's My Number zones (the tier's own firewall, normal
        design) is a low observation (観察事項); a next hop in another tier, outside the city, or
        unknown (interface only) is critical.

    Why is this bad?:
        The My Number tier may reach only named destinations (中間サーバー, 住基ネット, …). A
        default route that leaves the tier sends everything else past its firewall: one
        permissive ACL or a missing filter and terminals with 特定個人情報 can reach other tiers
        or the Internet. A default towards the tier's own firewall leaves that decision to the
        firewall (what the guideline asks is limited communication), so it is only noted.

    Example:
        ``ip route 0.0.0.0 0.0.0.0 10.20.0.1`` (an LGWAN-tier router) on the My Number core
        switch: critical. ``ip route 0.0.0.0 0.0.0.0 10.10.255.2`` (the tier's firewall, inside
        10.10.0.0/16): low.

    Remediation:
        Replace the default by specific routes to the approved destinations: Cisco / AlaxalA
        ``no ip route 0.0.0.0 0.0.0.0 …`` and ``ip route 10.20.200.0 255.255.255.0 …``; AW+ the
        same; Yamaha ``no ip route default``; NEC IX ``no ip route default``; FortiGate ``config
        router static`` / ``delete <id>``.

    Parameters:
        None.
    """

    id = "HRD-016"
    slug = "mynumber-default-route"
    severity = Severity.CRITICAL
    title_ja = "マイナンバー利用事務系機器にデフォルトルート"
    title_en = "Default route on a My Number tier device"
    scope = "device"
    references = (
        Reference(kind="guideline", key="情報システム全体の強靭性の向上"),
        Reference(kind="guideline", key="コンピュータ及びネットワークの管理"),
        Reference(kind="plan", key="4-1-4"),
        Reference(kind="plan", key="4-2-1"),
    )

    def evaluate(self, context: AuditContext) -> Iterator[Finding]:
        for name, snapshot in snapshots_in_order(context):
            zones = [z for z in device_zones(context, name) if z.kind is ZoneKind.MYNUMBER]
            if not zones:
                continue
            if not snapshot.routes and not config_known(snapshot):
                yield not_applicable(
                    self,
                    context,
                    device=name,
                    fact="routes",
                    zone=zones[0].id,
                    reason_en="no routing table was collected",
                    reason_ja="経路表が収集されていません",
                )
                continue
            for route in snapshot.routes:
                if route.prefix.strip().lower() not in DEFAULT_PREFIXES:
                    continue
                via = route.next_hop or route.interface or "?"
                in_tier = _next_hop_in_tier(context, route.next_hop, {z.id for z in zones})
                where_en = "inside the tier" if in_tier else "leaving the tier"
                where_ja = "系内" if in_tier else "系外"
                yield self.finding(
                    context,
                    device=name,
                    subject=f"route:{route.prefix}",
                    zone=zones[0].id,
                    severity=Severity.LOW if in_tier else None,
                    message_en=f"{name} ({zones[0].name_en}) has a default route via {via} "
                    f"({where_en}).",
                    message_ja=f"{name} ({zones[0].name_ja}) にデフォルトルート (次ホップ {via}、"
                    f"{where_ja}) があります。",
                    evidence=[
                        EvidenceRef(
                            source=evidence_source(route.source),
                            detail=f"route {route.prefix} via {via}",
                        )
                    ],
                )


def _next_hop_in_tier(context: AuditContext, next_hop: str | None, tier: set[str]) -> bool:
    """Whether the next hop lies in one of the device's My Number zones (unknown: no)."""
    judged = context.policy.classify_address(next_hop) if next_hop else None
    return (
        judged is not None
        and judged.listed
        and judged.zone is not None
        and (judged.zone.id in tier)
    )

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
        the routing table.

    Why is this bad?:
        The My Number tier may reach only named destinations (中間サーバー, 住基ネット). A default
        route sends everything else somewhere: one permissive ACL or a missing filter and
        terminals with 特定個人情報 can reach the Internet. Specific routes make a leak fail closed.

    Example:
        ``ip route 0.0.0.0 0.0.0.0 10.10.255.2`` on the My Number core switch.

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
                yield self.finding(
                    context,
                    device=name,
                    subject=f"route:{route.prefix}",
                    zone=zones[0].id,
                    message_en=f"{name} ({zones[0].name_en}) has a default route via {via}.",
                    message_ja=f"{name} ({zones[0].name_ja}) にデフォルトルート (次ホップ {via}) "
                    "があります。",
                    evidence=[
                        EvidenceRef(
                            source=evidence_source(route.source),
                            detail=f"route {route.prefix} via {via}",
                        )
                    ],
                )

"""SEG-016: the Internet tier has an exit that is not the prefectural security cloud."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator

from auditor.analysis.network import NetworkView, Support
from auditor.model.findings import Finding, Reference, Severity
from auditor.model.snapshot import Route
from auditor.policy.models import EXTERNAL_KINDS, ZoneKind
from auditor.rules import AuditContext, Check

from ..hardening._common import not_applicable
from ._common import SEGMENTATION_REFERENCES, emit


class InternetEgressBypassesSecurityCloud(Check):
    """The Internet tier reaches the outside other than through the security cloud.

    What it checks:
        Routes of devices in an Internet-tier zone towards space outside every city zone (the
        default route or any undeclared prefix). The exit must lead to a zone of kind
        ``security_cloud`` (自治体情報セキュリティクラウド). A finding, subject
        ``egress:<prefix>``, for a route whose gateway is learned by DHCP (an ISP line with a
        DHCP-client WAN), whose next hop lies outside the security cloud (a second default
        route, an ISP router, the LGWAN WAN) or that leaves through an interface with no address
        in a declared zone (a PPPoE session, a dialer, an unknown WAN). A next hop inside a city
        tier is left to the next device. Not judged when the policy declares no security cloud.

    Why is this bad?:
        Under the 三層 scheme the Internet tier reaches the Internet only through the
        prefecture's security cloud, which monitors and filters it for every municipality. A
        second line bypasses that monitoring: an intrusion through it is seen by nobody.

    Example:
        A Yamaha RTX in the Internet tier with ``ip route default gateway pp 1`` (a PPPoE
        session to an ISP) next to the route to the security cloud yields
        ``egress:0.0.0.0/0`` for the ``pp`` route.

    Remediation:
        Remove the second line and its route (Yamaha ``no ip route default gateway pp 1``,
        ``pp disable 1``; IOS ``no ip route 0.0.0.0 0.0.0.0 Dialer1``), or declare the line's
        networks as part of the security cloud if it is the cloud's own access line.

    Parameters:
        None.
    """

    id = "SEG-016"
    slug = "internet-egress-bypasses-security-cloud"
    severity = Severity.HIGH
    title_ja = "セキュリティクラウドを経由しないインターネット出口"
    title_en = "Internet egress not through the security cloud"
    scope = "network"
    references = (
        Reference(kind="guideline", key="外部ネットワークとの接続制限等"),
        *SEGMENTATION_REFERENCES,
    )

    def evaluate(self, context: AuditContext) -> Iterator[Finding]:
        policy = context.policy
        if not any(zone.kind is ZoneKind.SECURITY_CLOUD for zone in policy.zones):
            yield not_applicable(
                self,
                context,
                device=None,
                fact="policy.zones[kind=security_cloud]",
                reason_en="the policy declares no security_cloud zone",
                reason_ja="ポリシーに security_cloud 区域がありません",
            )
            return
        view = NetworkView.of(context)
        internet = {z.id for z in policy.zones if z.kind is ZoneKind.INTERNET}
        for name in sorted(context.snapshots):
            tiers = internet & view.device_zones(name)
            if not tiers:
                continue
            snapshot = context.snapshots[name]
            for route in snapshot.routes:
                reason = self._bad_exit(view, name, route)
                if reason is None:
                    continue
                support = Support()
                gateway = route.next_hop or route.interface or "-"
                support.add("config", "ssh", f"{name}: route {route.prefix} via {gateway}")
                yield emit(
                    self,
                    context,
                    device=name,
                    subject=f"egress:{route.prefix}",
                    zone=sorted(tiers)[0],
                    support=support,
                    message_en=(
                        f"{name} routes {route.prefix} out of the Internet tier via {gateway}: "
                        f"{reason[0]}, not the security cloud"
                    ),
                    message_ja=(
                        f"{name} が {route.prefix} を {gateway} 経由でインターネット接続系の外へ"
                        f"送っています: {reason[1]}。セキュリティクラウド経由ではありません"
                    ),
                )

    @staticmethod
    def _bad_exit(view: NetworkView, device: str, route: Route) -> tuple[str, str] | None:
        """Why a route leaves other than through the security cloud, or None."""
        if route.protocol.lower() in ("connected", "local", "direct", "c", "l"):
            return None
        try:
            prefix = ipaddress.ip_network(route.prefix, strict=False)
        except ValueError:
            return None
        if route.next_hop_kind == "null":
            return None
        if prefix.prefixlen and not view.zones_of_networks((prefix,)).external:
            return None  # a route inside the city
        if route.next_hop_kind == "dhcp":
            return ("a gateway learned by DHCP (an ISP line)", "DHCP で得たゲートウェイ (ISP 回線)")
        if route.next_hop:
            zone = view.zones.get(view.zone_of_address(route.next_hop) or "")
            if zone is None:
                return (
                    "a next hop outside every declared zone",
                    "宣言されたどの区域にもない次ホップ",
                )
            if zone.kind is ZoneKind.SECURITY_CLOUD:
                return None
            if zone.kind in EXTERNAL_KINDS:
                return (f"a next hop in {zone.id} ({zone.kind.value})", f"{zone.id} の次ホップ")
            return None  # inside a city tier: the next device decides
        if route.interface:
            zones = {
                view.zones[z].kind
                for z in view.interface_zones(device, route.interface)
                if z in view.zones and z != view.external_zone
            }
            if ZoneKind.SECURITY_CLOUD in zones:
                return None
            if zones and not zones & EXTERNAL_KINDS:
                return None
            return (
                f"interface {route.interface} with no address in the security cloud "
                "(PPPoE, dialer or unknown WAN)",
                f"セキュリティクラウドに属さないインターフェース {route.interface} (PPPoE・ダイヤラ・不明な WAN)",
            )
        return None

"""WIFI-003: a public Wi-Fi access point is managed outside the management zone."""

from __future__ import annotations

from collections.abc import Iterator

from pydantic import Field

from auditor.model.findings import EvidenceRef, Finding, Reference, Severity
from auditor.policy.models import ZoneKind
from auditor.rules import AuditContext, Check, CheckParams

from ..hardening._common import device_zones, judged_management_address


class PublicWifiApManagement(Check):
    """An access point of the public Wi-Fi can be managed from outside the management zone.

    What it checks:
        Inventory devices whose role is in ``ap_roles`` (default ``ap``) and that serve a
        ``public_wifi``-kind zone. Subject ``address``: the inventory management address is not
        in a ``management``-kind zone. Subject ``interface:<name>``: the access point has an IP
        address in any other zone (for example in the Wi-Fi client subnet), which makes its
        management pages and SSH reachable from residents' devices.

    Why is this bad?:
        An AP managed from the public side can be reconfigured by anyone on 00000JAPAN: a new
        SSID bridged to the wrong VLAN, a captive portal that steals credentials. Plan item 4-3-3
        keeps the shelter Wi-Fi's management in the management zone only.

    Example:
        ``hinanjo-ap1`` with ``br99`` 10.99.0.93/24 (management) and ``br900`` 172.16.0.2/20
        (Wi-Fi clients): ``interface:br900``.

    Remediation:
        Remove the address from the client VLAN (most APs: set the management VLAN to 99 and
        disable "management from wireless"); restrict the web UI and SSH to the management
        subnet.

    Parameters:
        ``ap_roles`` (list, default ``[ap]``): inventory roles counted as access points.
    """

    id = "WIFI-003"
    slug = "public-wifi-ap-management"
    severity = Severity.HIGH
    title_ja = "公衆無線LAN アクセスポイントの管理が管理系外から可能"
    title_en = "Public Wi-Fi access point managed outside the management zone"
    scope = "device"

    class Params(CheckParams):
        ap_roles: list[str] = Field(
            default_factory=lambda: ["ap"], description="Inventory roles counted as access points"
        )

    references = (
        Reference(kind="guideline", key="コンピュータ及びネットワークの管理"),
        Reference(kind="guideline", key="アクセス制御"),
        Reference(kind="plan", key="4-3-3"),
    )

    def evaluate(self, context: AuditContext) -> Iterator[Finding]:
        roles = set(self.params(context).ap_roles)
        for device in context.inventory.devices:
            if device.role not in roles:
                continue
            zones = device_zones(context, device.name)
            public = [zone for zone in zones if zone.kind is ZoneKind.PUBLIC_WIFI]
            if not public:
                continue
            zone = context.policy.zone_of_address(device.address)
            judged = judged_management_address(device.address)
            if judged and (zone is None or zone.kind is not ZoneKind.MANAGEMENT):
                yield self.finding(
                    context,
                    device=device.name,
                    subject="address",
                    zone=public[0].id,
                    message_en=f"Access point {device.name} is managed at {device.address}, "
                    "outside the management zone.",
                    message_ja=f"アクセスポイント {device.name} の管理アドレス {device.address} が"
                    "管理系にありません。",
                    evidence=[EvidenceRef(source="inventory", detail=f"{device.name}.address")],
                )
            snapshot = context.snapshots.get(device.name)
            if snapshot is None:
                continue
            for interface in snapshot.interfaces:
                for address in interface.addresses:
                    where = context.policy.zone_of_address(address)
                    if where is None or where.kind is ZoneKind.MANAGEMENT:
                        continue
                    yield self.finding(
                        context,
                        device=device.name,
                        subject=f"interface:{interface.name}",
                        zone=public[0].id,
                        message_en=f"Access point {device.name} has address {address} on "
                        f"{interface.name} in {where.name_en}: it can be managed from there.",
                        message_ja=f"アクセスポイント {device.name} の {interface.name} に "
                        f"{where.name_ja} のアドレス {address} があり、そこから管理できます。",
                        evidence=[
                            EvidenceRef(source="snmp", detail=f"ipAddrTable {interface.name}")
                        ],
                    )
                    break

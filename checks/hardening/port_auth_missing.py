"""HRD-012: access ports of a zone that requires port authentication have neither 802.1X nor
port security."""

from __future__ import annotations

from collections.abc import Iterator

from auditor.model.findings import EvidenceRef, Finding, Reference, Severity
from auditor.rules import AuditContext, Check

from ._common import (
    config_known,
    escalate,
    is_access_port,
    not_applicable,
    snapshots_in_order,
)


class PortAuthMissing(Check):
    """An access port in a zone with ``requires_port_auth`` has no 802.1X and no port security.

    What it checks:
        Every enabled access port whose access VLAN belongs to a zone with
        ``requires_port_auth: true``: if neither ``dot1x`` nor ``port_security`` is on, it is a
        finding (subject ``port:<name>``). Both features are opt-in on every platform, so when the
        running configuration was read a flag the parser left unset means "not configured"; only
        without a configuration are two unknown flags reported not applicable. Shut-down ports
        are skipped (HRD-011 covers them).

    Why is this bad?:
        Without 802.1X or MAC-based port security any device plugged into the socket joins the
        tier: in the My Number tier that is a direct path to 特定個人情報. The network part of
        二要素認証 / 接続制御 relies on it.

    Example:
        ``port1.0.5`` in VLAN 10 (My Number) with ``dot1x: false`` and ``port_security: false``.

    Remediation:
        Cisco IOS: ``authentication port-control auto`` / ``dot1x pae authenticator`` or
        ``switchport port-security`` / ``switchport port-security mac-address sticky``.
        AlaxalA AX: ``dot1x port-control auto`` / ``authentication arp-relay``. AW+:
        ``dot1x port-control auto`` or ``switchport port-security``. FortiSwitch (via
        FortiGate): ``set port-security-mode 802.1X``.

    Parameters:
        Zones are chosen in the policy with ``requires_port_auth``.
    """

    id = "HRD-012"
    slug = "port-auth-missing"
    severity = Severity.MEDIUM
    title_ja = "802.1X・ポートセキュリティ未設定 (必須ゾーンのアクセスポート)"
    title_en = "No 802.1X or port security on an access port where required"
    scope = "device"
    references = (
        Reference(kind="guideline", key="コンピュータ及びネットワークの管理"),
        Reference(kind="guideline", key="情報システム全体の強靭性の向上"),
        Reference(kind="plan", key="4-1-4"),
    )

    def evaluate(self, context: AuditContext) -> Iterator[Finding]:
        for name, snapshot in snapshots_in_order(context):
            for interface in snapshot.interfaces:
                if not is_access_port(interface) or interface.access_vlan is None:
                    continue
                if interface.admin_up is False or interface.shutdown is True:
                    continue
                zone = context.policy.zone_of_vlan(interface.access_vlan)
                if zone is None or not zone.requires_port_auth:
                    continue
                if interface.dot1x or interface.port_security:
                    continue
                if (
                    interface.dot1x is None
                    and interface.port_security is None
                    and not config_known(snapshot)
                ):
                    yield not_applicable(
                        self,
                        context,
                        device=name,
                        fact=f"port:{interface.name}",
                        zone=zone.id,
                        reason_en=f"802.1X/port security of {interface.name} is unknown",
                        reason_ja=f"{interface.name} の 802.1X・ポートセキュリティ設定が不明です",
                    )
                    continue
                yield self.finding(
                    context,
                    device=name,
                    subject=f"port:{interface.name}",
                    zone=zone.id,
                    severity=escalate(self.effective_severity(context), [zone.kind.value]),
                    message_en=f"{name} port {interface.name} (VLAN {interface.access_vlan}, "
                    f"{zone.name_en}) has neither 802.1X nor port security.",
                    message_ja=f"{name} のポート {interface.name} (VLAN {interface.access_vlan}、"
                    f"{zone.name_ja}) に 802.1X もポートセキュリティもありません。",
                    evidence=[
                        EvidenceRef(
                            source="ssh", detail=f"interface {interface.name} dot1x/port-security"
                        )
                    ],
                )

"""WIFI-006: an SSID puts its clients in the My Number tier."""

from __future__ import annotations

from collections.abc import Iterator

from pydantic import Field

from auditor.model.findings import Finding, Reference, Severity
from auditor.policy.models import ZoneKind
from auditor.rules import AuditContext, Check, CheckParams

from ..hardening._common import version_key
from ._ssids import Ssid, security_text, ssids

MYNUMBER_WIRELESS_EDITION = "R7.3"


class MynumberWireless(Check):
    """Wireless LAN in the My Number tier: prohibited up to 令和6年10月; under 令和7年3月 allowed only
    with WPA2/WPA3-Enterprise, EAP-TLS client certificates, access logging and current firmware.

    What it checks:
        Every SSID whose clients land in a ``mynumber``-kind zone (by VLAN, interface address or
        a zone's ``ssids``), subject ``ssid:<SSID>``. Up to R6.10 (and R4.3, R5.3) any such SSID
        is a finding. From R7.3 on it is a finding unless all of these are shown: the security
        mode is WPA2/WPA3-Enterprise without TKIP; the EAP methods are EAP-TLS only (or the SSID
        is in ``eap_tls_evidence``); the controller sends its logs to a syslog server (access
        log acquisition); and its firmware is not older than ``minimum_firmware`` for its
        platform (when that is empty, HRD-015's ``minimum``). A condition the device does not
        report counts as not met.

    Why is this bad?:
        R4.3 says: マイナンバー利用事務系においては、無線LANは利用しないこととしなければならない.
        令和7年3月 allows it only with client-certificate 802.1X (EAP-TLS, marked 必須), access log
        acquisition and review, and up-to-date firmware and OS. A weaker SSID carries 特定個人情報
        over the air, where anyone in range can attack it.

    Example:
        SSID ``Rei-Madoguchi`` in My Number VLAN 13 on the city hall controller, city on R6.10:
        ``ssid:Rei-Madoguchi``.

    Remediation:
        Up to R6.10: remove the SSID (FortiGate ``config wireless-controller vap`` / ``delete
        <vap>`` and remove it from the FortiAP profile) and cable the terminals. Under R7.3:
        ``set security wpa3-enterprise`` (or ``wpa2-only-enterprise``), ``set encrypt AES``,
        RADIUS policy EAP-TLS only, ``config log syslogd setting`` to the log server, and update
        the controller and APs to the supported firmware.

    Parameters:
        ``eap_tls_evidence`` (list, default empty): SSIDs whose RADIUS server is documented to
        accept EAP-TLS only.
        ``minimum_firmware`` (mapping platform → version, default empty = HRD-015's
        ``minimum``): the oldest firmware counted as current.
    """

    id = "WIFI-006"
    slug = "mynumber-wireless"
    severity = Severity.CRITICAL
    title_ja = "マイナンバー利用事務系に無線LAN (令和7年3月版の要件を満たさない)"
    title_en = "Wireless LAN in the My Number tier (not meeting the R7.3 conditions)"
    scope = "device"

    class Params(CheckParams):
        eap_tls_evidence: list[str] = Field(
            default_factory=list,
            description="SSIDs whose RADIUS server is documented to accept EAP-TLS only",
        )
        minimum_firmware: dict[str, str] = Field(
            default_factory=dict,
            description="platform → oldest current firmware (empty: HRD-015's minimum)",
        )

    references = (
        Reference(kind="guideline", key="無線LAN及びネットワークの盗聴対策"),
        Reference(kind="guideline", key="情報システム全体の強靭性の向上"),
        Reference(kind="plan", key="4-1-4"),
    )

    def evaluate(self, context: AuditContext) -> Iterator[Finding]:
        params = self.params(context)
        allowed_edition = context.policy.edition_at_least(MYNUMBER_WIRELESS_EDITION)
        for ssid in ssids(context):
            if ssid.zone is None or ssid.zone.kind is not ZoneKind.MYNUMBER:
                continue
            if not allowed_edition:
                en = f"wireless LAN is not allowed in the tier under {context.policy.guideline_edition}"
                ja = f"{context.policy.guideline_edition} 版ではマイナンバー利用事務系で無線LANは利用できません"
            else:
                unmet = self._unmet(ssid, context, params)
                if not unmet:
                    continue
                en = "the R7.3 conditions are not met: " + "; ".join(e for e, _ in unmet)
                ja = "令和7年3月版の条件を満たしません: " + "、".join(j for _, j in unmet)
            yield self.finding(
                context,
                device=ssid.device,
                subject=ssid.subject,
                zone=ssid.zone.id,
                message_en=f"SSID {ssid.network.ssid} on {ssid.device} puts clients in "
                f"{ssid.zone.name_en}: {en}.",
                message_ja=f"{ssid.device} の SSID {ssid.network.ssid} が {ssid.zone.name_ja} に"
                f"接続されています: {ja}。",
                evidence=[ssid.evidence()],
            )

    def _unmet(
        self, ssid: Ssid, context: AuditContext, params: MynumberWireless.Params
    ) -> list[tuple[str, str]]:
        network = ssid.network
        unmet: list[tuple[str, str]] = []
        if not network.enterprise or network.tkip_allowed is not False:
            unmet.append(
                (
                    f"security {security_text(network)} is not WPA2/WPA3-Enterprise with AES only",
                    f"セキュリティ方式 {security_text(network)} が AES のみの WPA2/WPA3 "
                    "エンタープライズではない",
                )
            )
        methods = network.eap_methods
        tls_only = bool(methods) and set(methods or []) == {"tls"}
        if not tls_only and not (methods is None and network.ssid in params.eap_tls_evidence):
            unmet.append(
                (
                    "EAP-TLS client certificates only are not shown",
                    "EAP-TLS のみの認証が確認できない",
                )
            )
        if not ssid.snapshot.management.syslog_hosts:
            unmet.append(
                ("no access log is sent to a syslog server", "アクセスログの syslog 転送がない")
            )
        firmware = self._firmware(ssid, context, params)
        if firmware is not None:
            unmet.append(firmware)
        return unmet

    @staticmethod
    def _firmware(
        ssid: Ssid, context: AuditContext, params: MynumberWireless.Params
    ) -> tuple[str, str] | None:
        minimum = params.minimum_firmware or dict(
            context.policy.rule("HRD-015").parameters.get("minimum") or {}
        )
        device = context.inventory.device(ssid.device)
        floor = minimum.get(device.platform) if device is not None else None
        version = ssid.snapshot.system.os_version
        if floor is None or not version:
            return ("current firmware is not shown", "ファームウェアが最新であることを確認できない")
        if version_key(version) < version_key(floor):
            return (
                f"firmware {version} is older than {floor}",
                f"ファームウェア {version} が {floor} より古い",
            )
        return None

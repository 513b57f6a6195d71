"""WIFI-004: a business SSID (LGWAN tier, β/β′ business tier) is not WPA2/WPA3-Enterprise."""

from __future__ import annotations

from collections.abc import Iterator

from pydantic import Field

from auditor.model.findings import Finding, Reference, Severity
from auditor.rules import AuditContext, Check, CheckParams

from ._ssids import business_zones, security_text, ssids


class BusinessSsidNotEnterprise(Check):
    """A business SSID does not use WPA2/WPA3-Enterprise with IEEE 802.1X and an authentication
    server.

    What it checks:
        Every SSID a wireless controller reports whose clients land in a business zone: zones of
        ``business_zone_kinds`` (default the LGWAN tier) and, when the policy's
        ``network_model`` is β or β′, the policy's ``main_terminal_zone``. The zone is found from
        the SSID's VLAN, else from the addresses of the interface it arrives on, else from a
        zone's ``ssids``. Subject ``ssid:<SSID>`` when the security mode is not WPA2-Enterprise
        or WPA3-Enterprise (open, Enhanced Open, WEP, PSK/SAE, WPA/WPA2 mixed, or unknown), when
        TKIP is still allowed, or when no authentication server is configured or shown. A mode
        the controller did not report is never taken as compliant. The My Number tier is
        WIFI-006's.

    Why is this bad?:
        The guideline (無線LAN及びネットワークの盗聴対策) asks that wireless LAN in the LGWAN tier use
        encryption and authentication that are hard to break, naming WPA2/WPA3-Enterprise with
        IEEE 802.1X. A shared passphrase is known to every past user and visitor who saw it and
        cannot be revoked for one device; an open SSID puts business traffic on the air for
        anyone in the building.

    Example:
        SSID ``Rei-Kaigi`` in LGWAN VLAN 25 with ``wpa2-personal`` security: ``ssid:Rei-Kaigi``.

    Remediation:
        Switch the SSID to WPA2/WPA3-Enterprise with a RADIUS server: FortiGate ``config
        wireless-controller vap`` / ``edit <vap>`` / ``set security wpa2-only-enterprise`` (or
        ``wpa3-enterprise``) / ``set auth radius`` / ``set radius-server <server>`` / ``set
        encrypt AES``; other controllers: the WLAN's security profile → WPA2/WPA3-Enterprise,
        802.1X, AES only. Move guests to the public Wi-Fi instead of sharing a passphrase.

    Parameters:
        ``business_zone_kinds`` (list, default ``[lgwan]``): zone kinds whose SSIDs serve
        business terminals (β/β′ add ``main_terminal_zone`` by themselves).
    """

    id = "WIFI-004"
    slug = "business-ssid-not-enterprise"
    severity = Severity.HIGH
    title_ja = "業務用無線LAN が WPA2/WPA3 エンタープライズ (IEEE 802.1X) でない"
    title_en = "Business SSID not on WPA2/WPA3-Enterprise with IEEE 802.1X"
    scope = "device"

    class Params(CheckParams):
        business_zone_kinds: list[str] = Field(
            default_factory=lambda: ["lgwan"],
            description="Zone kinds whose SSIDs serve business terminals",
        )

    references = (
        Reference(kind="guideline", key="無線LAN及びネットワークの盗聴対策"),
        Reference(kind="plan", key="4-1-4"),
    )

    def evaluate(self, context: AuditContext) -> Iterator[Finding]:
        zones = business_zones(context.policy, self.params(context).business_zone_kinds)
        business = {zone.id for zone in zones}
        for ssid in ssids(context):
            if ssid.zone is None or ssid.zone.id not in business:
                continue
            network = ssid.network
            reasons: list[tuple[str, str]] = []
            if not network.enterprise:
                reasons.append(
                    (
                        f"security is {security_text(network)}, not WPA2/WPA3-Enterprise",
                        f"セキュリティ方式が {security_text(network)} で WPA2/WPA3 エンタープライズ"
                        "ではありません",
                    )
                )
            else:
                if network.tkip_allowed is not False:
                    reasons.append(
                        ("TKIP is allowed or not shown to be off", "TKIP が許可 (または未確認)")
                    )
                if network.auth_server is None or (
                    network.auth_server == "radius" and not network.radius_servers
                ):
                    reasons.append(
                        (
                            "no 802.1X authentication server is configured or shown",
                            "802.1X の認証サーバーが設定されていない (または確認できない)",
                        )
                    )
            if not reasons:
                continue
            yield self.finding(
                context,
                device=ssid.device,
                subject=ssid.subject,
                zone=ssid.zone.id,
                message_en=f"Business SSID {network.ssid} on {ssid.device} ({ssid.zone.name_en}): "
                + "; ".join(en for en, _ in reasons)
                + ".",
                message_ja=f"{ssid.device} の業務用 SSID {network.ssid} ({ssid.zone.name_ja}): "
                + "、".join(ja for _, ja in reasons)
                + "。",
                evidence=[ssid.evidence()],
            )

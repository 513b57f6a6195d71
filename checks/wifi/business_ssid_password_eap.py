"""WIFI-005: under 令和7年3月 a business SSID authenticates with passwords, not client certificates."""

from __future__ import annotations

from collections.abc import Iterator

from pydantic import Field

from auditor.model.findings import Finding, Reference, Severity
from auditor.rules import AuditContext, Check, CheckParams

from ._ssids import business_zones, ssids

CERTIFICATE_EDITION = "R7.3"


class BusinessSsidPasswordEap(Check):
    """A business SSID accepts password-based EAP, or client certificates are not shown, under
    the 令和7年3月 edition.

    What it checks:
        Only when the policy's ``guideline_edition`` is R7.3 or later. Every WPA2/WPA3-Enterprise
        SSID whose clients land in a business zone (as WIFI-004 finds them). Subject
        ``ssid:<SSID>`` when the EAP methods the device reports include anything but EAP-TLS
        (PEAP, TTLS, EAP-FAST, LEAP …), or when the device does not say (the RADIUS server
        usually decides) and the SSID is not listed in ``eap_tls_evidence``. Editions up to
        令和6年10月 accept any 802.1X method, so they raise nothing here. Non-enterprise SSIDs are
        WIFI-004's.

    Why is this bad?:
        令和7年3月 makes IEEE 802.1X with client certificates (EAP-TLS, device authentication
        without user IDs and passwords) mandatory for wireless LAN in the LGWAN and My Number
        tiers. Password-based EAP falls to phished or reused passwords and to rogue access points
        that harvest them.

    Example:
        SSID ``Rei-LGWAN`` (WPA2-Enterprise, RADIUS ``lg-nps``) in a city on R7.3 whose RADIUS
        policy is not on file: ``ssid:Rei-LGWAN``.

    Remediation:
        Issue device certificates from the city's CA and allow only EAP-TLS in the RADIUS
        server's network policy for this SSID (e.g. NPS: constraints → authentication methods →
        "Microsoft: Smart Card or other certificate" only; FreeRADIUS: ``default_eap_type =
        tls`` and remove peap/ttls). When the RADIUS policy is verified, list the SSID in
        ``eap_tls_evidence`` with the evidence in the audit file.

    Parameters:
        ``eap_tls_evidence`` (list, default empty): SSIDs whose RADIUS server is documented to
        accept EAP-TLS only (evidence kept outside the controller).
        ``business_zone_kinds`` (list, default ``[lgwan]``): as in WIFI-004.
    """

    id = "WIFI-005"
    slug = "business-ssid-password-eap"
    severity = Severity.MEDIUM
    title_ja = "業務用無線LAN がクライアント証明書認証 (EAP-TLS) でない (令和7年3月版)"
    title_en = "Business SSID without client-certificate EAP-TLS (R7.3)"
    scope = "device"

    class Params(CheckParams):
        eap_tls_evidence: list[str] = Field(
            default_factory=list,
            description="SSIDs whose RADIUS server is documented to accept EAP-TLS only",
        )
        business_zone_kinds: list[str] = Field(
            default_factory=lambda: ["lgwan"],
            description="Zone kinds whose SSIDs serve business terminals",
        )

    references = (
        Reference(kind="guideline", key="無線LAN及びネットワークの盗聴対策"),
        Reference(kind="plan", key="4-1-4"),
    )

    def evaluate(self, context: AuditContext) -> Iterator[Finding]:
        if not context.policy.edition_at_least(CERTIFICATE_EDITION):
            return
        params = self.params(context)
        business = {z.id for z in business_zones(context.policy, params.business_zone_kinds)}
        for ssid in ssids(context):
            network = ssid.network
            if ssid.zone is None or ssid.zone.id not in business or not network.enterprise:
                continue
            methods = network.eap_methods
            if methods is not None and methods and set(methods) == {"tls"}:
                continue
            if methods is None and network.ssid in params.eap_tls_evidence:
                continue
            if methods:
                en = f"accepts {', '.join(m for m in methods if m != 'tls')} (password-based EAP)"
                ja = f"パスワード方式の EAP ({', '.join(m for m in methods if m != 'tls')}) を受け付けます"
            else:
                en = "does not show that only EAP-TLS client certificates are accepted"
                ja = "クライアント証明書 (EAP-TLS) のみを受け付けることが確認できません"
            yield self.finding(
                context,
                device=ssid.device,
                subject=ssid.subject,
                zone=ssid.zone.id,
                message_en=f"Business SSID {network.ssid} on {ssid.device} {en}; "
                "令和7年3月 requires IEEE 802.1X client certificates.",
                message_ja=f"{ssid.device} の業務用 SSID {network.ssid} は{ja}。令和7年3月版では"
                "IEEE 802.1X のクライアント証明書認証が必須です。",
                evidence=[ssid.evidence()],
            )

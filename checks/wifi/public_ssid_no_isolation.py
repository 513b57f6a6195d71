"""WIFI-007: a public / shelter SSID lets its clients reach each other."""

from __future__ import annotations

from collections.abc import Iterator

from auditor.model.findings import Finding, Reference, Severity
from auditor.rules import AuditContext, Check

from ._ssids import is_public, ssids


class PublicSsidNoIsolation(Check):
    """A public or shelter Wi-Fi SSID does not isolate its clients from each other.

    What it checks:
        Every SSID whose clients land in a ``public_wifi``-kind zone, or whose name a
        ``public_wifi`` zone lists in ``ssids`` (00000JAPAN, the city's free Wi-Fi). Subject
        ``ssid:<SSID>`` when client isolation (AP isolation, privacy separator) is off or the
        device does not report it.

    Why is this bad?:
        00000JAPAN and shelter SSIDs are open by design: anyone nearby joins. Without isolation
        every resident's phone is reachable from every other client, for scanning, file-share
        attacks and spoofed gateways. Client isolation is the usual safeguard for these SSIDs
        (plan item 4-3-3, 無線LAN及びネットワークの盗聴対策).

    Example:
        SSID ``Rei-Lobby-Free`` in VLAN 900 with ``intra-vap-privacy disable``:
        ``ssid:Rei-Lobby-Free``.

    Remediation:
        FortiGate ``config wireless-controller vap`` / ``edit <vap>`` / ``set intra-vap-privacy
        enable``; other controllers and APs: enable "client isolation", "AP isolation" or the
        "privacy separator" for the SSID.

    Parameters:
        None.
    """

    id = "WIFI-007"
    slug = "public-ssid-no-isolation"
    severity = Severity.MEDIUM
    title_ja = "公衆無線LAN の SSID で端末間通信が遮断されていない"
    title_en = "Public Wi-Fi SSID without client isolation"
    scope = "device"
    references = (
        Reference(kind="guideline", key="無線LAN及びネットワークの盗聴対策"),
        Reference(kind="plan", key="4-3-3"),
    )

    def evaluate(self, context: AuditContext) -> Iterator[Finding]:
        for ssid in ssids(context):
            if ssid.network.client_isolation is True or not is_public(ssid, context.policy):
                continue
            state_en = "off" if ssid.network.client_isolation is False else "not reported"
            state_ja = "無効" if ssid.network.client_isolation is False else "未確認"
            yield self.finding(
                context,
                device=ssid.device,
                subject=ssid.subject,
                zone=ssid.zone.id if ssid.zone is not None else None,
                message_en=f"Public SSID {ssid.network.ssid} on {ssid.device}: client isolation "
                f"is {state_en}.",
                message_ja=f"{ssid.device} の公衆無線LAN SSID {ssid.network.ssid} の端末間通信遮断"
                f"(クライアント分離) が{state_ja}です。",
                evidence=[ssid.evidence()],
            )

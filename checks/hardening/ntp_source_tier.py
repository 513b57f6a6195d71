"""HRD-020: an NTP server outside the zones the device's tier may take time from."""

from __future__ import annotations

from collections.abc import Iterator

from pydantic import Field

from auditor.model.findings import Finding, Reference, Severity
from auditor.policy.models import ZoneKind
from auditor.rules import AuditContext, Check, CheckParams

from ._common import device_zone_kinds, device_zones, management_finding, snapshots_in_order
from ._service_hosts import DEFAULT_NTP_KINDS, OUTSIDE_KINDS, server_place


class NtpSourceOutsideTier(Check):
    """The device takes its time from an NTP server its tier may not use.

    What it checks:
        Each address in ``management.ntp_servers``, judged by the zone its declared networks put
        it in (``policy.classify_address``): the device's own zones and the management zone are
        always allowed; beyond that, by the kind of zone the device serves
        (``allowed_kinds``): My Number and LGWAN tiers the LGWAN WAN (J-LIS NTP), the Internet
        tier the security cloud or the Internet. Subject ``ntp-source:<address>``. Host names are
        not judged. HRD-007 checks that a server is configured at all.

    Why is this bad?:
        An NTP exchange is a connection out of the tier: a My Number device polling an Internet
        NTP server means the tier reaches the Internet, which the 三層 separation forbids, and
        a time source outside the city's control can shift log timestamps (時刻同期).

    Example:
        A My Number core switch with ``ntp server 133.243.238.164`` (outside every declared
        network) yields ``ntp-source:133.243.238.164`` (high).

    Remediation:
        Point the device at the management zone's NTP server or the LGWAN NTP service
        (``ntp server 10.99.0.10``; Yamaha ``ntpdate 10.99.0.10``; FortiGate
        ``config system ntp`` / ``config ntpserver``) and remove the outside server.

    Parameters:
        ``allowed_kinds`` (mapping zone kind → list of zone kinds an NTP server may lie in,
        default My Number/LGWAN/management → ``lgwan_wan``, Internet → ``security_cloud``,
        ``internet``, ``external``).
    """

    id = "HRD-020"
    slug = "ntp-source-outside-tier"
    severity = Severity.MEDIUM
    title_ja = "区域の外の NTP サーバーを参照"
    title_en = "NTP server outside the zones the tier may use"
    scope = "device"

    class Params(CheckParams):
        allowed_kinds: dict[str, list[str]] = Field(
            default_factory=lambda: dict(DEFAULT_NTP_KINDS),
            description="Zone kind served → zone kinds an NTP server may lie in",
        )

    references = (
        Reference(kind="guideline", key="情報システムの監視"),
        Reference(kind="guideline", key="情報システム全体の強靭性の向上"),
        Reference(kind="plan", key="4-2-2"),
    )

    def evaluate(self, context: AuditContext) -> Iterator[Finding]:
        params = self.params(context)
        for name, snapshot in snapshots_in_order(context):
            kinds = device_zone_kinds(context, name)
            zones = [zone.id for zone in device_zones(context, name)]
            for server in snapshot.management.ntp_servers or []:
                place = server_place(context.policy, server, zones, kinds, params.allowed_kinds)
                if place is None or place[0]:
                    continue
                outside = place[2] in OUTSIDE_KINDS
                severity = Severity.HIGH if outside and ZoneKind.MYNUMBER.value in kinds else None
                yield management_finding(
                    self,
                    context,
                    name,
                    snapshot,
                    subject=f"ntp-source:{server}",
                    fact="ntp_servers",
                    severity=severity,
                    message_en=(
                        f"{name} takes its time from {server} ({place[1]}), a zone its tier "
                        f"({', '.join(sorted(kinds)) or '-'}) may not use for NTP."
                    ),
                    message_ja=(
                        f"{name} が NTP サーバー {server} ({place[1]}) を参照しています。"
                        f"この区域 ({', '.join(sorted(kinds)) or '-'}) が使ってよい NTP ではありません。"
                    ),
                )

"""SEG-007: any permitted flow out of the My Number tier other than its listed destinations."""

from __future__ import annotations

from collections.abc import Iterator

from auditor.model.findings import Finding, Severity
from auditor.rules import AuditContext, Check

from ._common import SEGMENTATION_REFERENCES
from ._permits import permit_findings


class MyNumberEgress(Check):
    """An ACL or firewall rule lets traffic out of the My Number tier beyond its approved destinations.

    What it checks:
        Every permit (ACL line, firewall policy) whose source is a zone of kind ``mynumber``. It
        is compliant only when all its destinations are among the policy's
        ``mynumber_destinations`` (中間サーバー・プラットフォーム, 住基ネット …, host names or CIDRs)
        *and* its services are covered by a policy flow out of the tier that is in force for the
        policy's ``guideline_edition`` (a 画面転送 flow, ``via`` a host of role
        ``screen_transfer``, only from R7.3 on). Everything else is a critical
        finding naming the rule line, one per device, rule and zone pair. Unfiltered routing out
        of the tier is SEG-005, routes SEG-011.

    Why is this bad?:
        マイナンバー利用事務系は原則として他の領域との通信をできないようにする: the tier holds
        特定個人情報 and may communicate only by named 特定通信 through narrowly limited paths
        (宛先・ポート単位の限定): the 中間サーバー・プラットフォーム over the LGWAN WAN, 住基ネット,
        since the 令和2年 review data received through ぴったりサービス and eLTAX brought in through
        a 連携サーバ behind a 境界FW, and under 令和7年3月 画面転送 to trusted, named destinations.
        Any wider permit is a leak path for specific personal data.

    Example:
        ``myn-core-sw1`` ACL ``MYN-OUT`` line 30 ``permit tcp 10.10.0.0 0.0.255.255 any eq
        https`` (bound outbound towards the tier's firewall) reaches every address, not just
        ``chukan-platform``/``juki-net-center``: one finding per zone pair, e.g. subject
        ``acl:MYN-OUT:30#mynumber->internet``.

    Remediation:
        Restrict the line to the listed hosts and ports, or delete it.
        Alaxala AX / Cisco IOS: ``ip access-list extended MYN-OUT`` → ``no 30``; keep ``permit tcp
        10.10.0.0 0.0.255.255 host 10.200.1.10 eq 443``. FortiGate: ``set dstaddr chukan-platform``
        and ``set service HTTPS`` on the policy.

    Parameters:
        None. Destinations come from the policy's ``mynumber_destinations``.
    """

    id = "SEG-007"
    slug = "mynumber-egress"
    severity = Severity.CRITICAL
    title_ja = "マイナンバー利用事務系からの許可宛先外への通信許可"
    title_en = "My Number tier permits traffic beyond its approved destinations"
    scope = "network"
    references = SEGMENTATION_REFERENCES

    def evaluate(self, context: AuditContext) -> Iterator[Finding]:
        yield from permit_findings(
            self, context, mynumber=True, severity=self.effective_severity(context)
        )

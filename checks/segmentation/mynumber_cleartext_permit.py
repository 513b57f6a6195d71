"""SEG-014: a permit lets cleartext transfers (FTP, Telnet, HTTP, SMB) out of the My Number tier."""

from __future__ import annotations

from collections.abc import Iterator

from pydantic import Field

from auditor.analysis.matrix import network_text
from auditor.analysis.network import NetworkView, Support
from auditor.model.findings import Finding, Severity
from auditor.policy.models import ZoneKind
from auditor.rules import AuditContext, Check, CheckParams

from ._common import SEGMENTATION_REFERENCES, emit
from ._services import portions_with_services

CLEARTEXT_SERVICES = ["tcp/21", "tcp/23", "tcp/80", "tcp/139", "tcp/445"]


class MyNumberCleartextPermit(Check):
    """A permit lets cleartext transfers out of the My Number tier.

    What it checks:
        ACL lines and firewall policies (after first-match, denies applied) from a My Number
        zone to any other zone whose typed services overlap ``services`` (FTP, Telnet, HTTP,
        NetBIOS and SMB: a configuration cannot tell whether SMBv1, which has no encryption, is
        excluded). Also permits the policy allows: the data leaves the tier in the clear either
        way. Subject ``cleartext:<rule subject>``.

    Why is this bad?:
        Specific personal information (特定個人情報) must be protected against leaks in transit
        (番号法 safeguards, 通信回線及び通信回線装置の管理). FTP, Telnet, HTTP and SMBv1 send file
        contents and passwords readable to anyone on the path.

    Example:
        ``permit tcp 10.10.0.0 0.0.255.255 host 10.200.1.10 eq ftp`` on the My Number boundary
        yields ``cleartext:acl:MYN-OUT:40#mynumber->lgwan-wan``.

    Remediation:
        Replace the transfer by an encrypted one (SFTP/FTPS, HTTPS, SMB 3 with encryption) and
        narrow the permit to that port (``permit tcp … eq 443``); remove the cleartext ports.

    Parameters:
        ``services`` (list of services, default ``tcp/21``, ``tcp/23``, ``tcp/80``,
        ``tcp/139``, ``tcp/445``).
    """

    id = "SEG-014"
    slug = "mynumber-cleartext-permit"
    severity = Severity.HIGH
    title_ja = "マイナンバー利用事務系からの平文通信を許可"
    title_en = "Cleartext transfer permitted out of the My Number tier"
    scope = "network"

    class Params(CheckParams):
        services: list[str] = Field(
            default_factory=lambda: list(CLEARTEXT_SERVICES),
            description="Cleartext services that must not leave the My Number tier",
        )

    references = SEGMENTATION_REFERENCES

    def evaluate(self, context: AuditContext) -> Iterator[Finding]:
        view = NetworkView.of(context)
        seen: set[tuple[str, str]] = set()
        for portion, hits in portions_with_services(
            view,
            self.params(context).services,
            source_kinds=frozenset({ZoneKind.MYNUMBER}),
            destination_kinds=None,
        ):
            key = (portion.device, portion.subject)
            if key in seen:
                continue
            seen.add(key)
            support = Support()
            support.add("config", portion.evidence_source, f"{portion.device}: {portion.line}")
            services = ", ".join(str(h) for h in hits)
            yield emit(
                self,
                context,
                device=portion.device,
                subject=f"cleartext:{portion.subject}",
                zone=portion.source_zone,
                support=support,
                message_en=(
                    f"{portion.device} '{portion.line}' lets cleartext {services} from "
                    f"{portion.source_zone} to {portion.destination_zone} "
                    f"({network_text(portion.destination_networks)})"
                ),
                message_ja=(
                    f"{portion.device} の「{portion.line}」が {portion.source_zone} から "
                    f"{portion.destination_zone}({network_text(portion.destination_networks)})"
                    f"への平文通信 {services} を許可しています"
                ),
            )

"""HRD-002: Telnet or HTTP management is enabled."""

from __future__ import annotations

from collections.abc import Iterator

from pydantic import Field

from auditor.model.findings import Finding, Reference, Severity
from auditor.rules import AuditContext, Check, CheckParams

from ._common import (
    device_zone_kinds,
    escalate,
    management_finding,
    snapshots_in_order,
    unknown_fact,
)


class CleartextManagement(Check):
    """A device accepts management over Telnet or plain HTTP.

    What it checks:
        The management-plane facts ``telnet_enabled`` and ``http_server`` of every collected
        device. Each enabled cleartext service is one finding (subjects ``telnet`` and ``http``).
        HTTPS is not reported.

    Why is this bad?:
        Telnet and HTTP send the administrator's password and every command in clear text: anyone
        on the path (a compromised terminal in the same VLAN, a mirror port) can read them and
        take over the device. The guideline asks for encrypted management traffic (盗聴対策).

    Example:
        A Yamaha RTX with ``telnetd service on`` yields ``telnet``; an NEC IX with
        ``http-server ip enable`` yields ``http``.

    Remediation:
        Cisco IOS: ``line vty 0 15`` / ``transport input ssh``; ``no ip http server``.
        AlaxalA AX: ``line vty 0 2`` / ``transport input ssh`` (no ``telnet``); ``no ip http server``.
        AW+: ``no service telnet``; ``no service http``.
        Yamaha RTX: ``telnetd service off``; ``httpd host none``.
        FortiGate: ``config system interface`` / ``edit <if>`` / ``set allowaccess ssh https``.
        NEC IX: ``no telnet-server ip enable``; ``no http-server ip enable``.

    Parameters:
        ``allow_http`` (bool, default false): accept plain HTTP (e.g. a redirect-only page).
    """

    id = "HRD-002"
    slug = "cleartext-management"
    severity = Severity.HIGH
    title_ja = "Telnet・HTTP による管理アクセスが有効"
    title_en = "Telnet or HTTP management enabled"
    scope = "device"

    class Params(CheckParams):
        allow_http: bool = Field(False, description="Do not report plain HTTP management")

    references = (
        Reference(kind="guideline", key="コンピュータ及びネットワークの管理"),
        Reference(kind="guideline", key="アクセス制御"),
        Reference(kind="plan", key="4-1-6"),
        Reference(
            kind="cis",
            key="Cisco IOS 15 Benchmark v4.1.1 1.2.2 transport input ssh for line vty",
            note="unverified",
        ),
    )

    def evaluate(self, context: AuditContext) -> Iterator[Finding]:
        allow_http = self.params(context).allow_http
        for name, snapshot in snapshots_in_order(context):
            management = snapshot.management
            services = [("telnet", management.telnet_enabled, "Telnet", "Telnet")]
            if not allow_http:
                services.append(("http", management.http_server, "HTTP", "HTTP"))
            for subject, enabled, label_en, label_ja in services:
                if enabled is None:
                    yield unknown_fact(self, context, name, f"management.{subject}")
                    continue
                if not enabled:
                    continue
                yield management_finding(
                    self,
                    context,
                    name,
                    snapshot,
                    subject=subject,
                    fact="telnet_enabled" if subject == "telnet" else "http_server",
                    severity=escalate(
                        self.effective_severity(context),
                        device_zone_kinds(context, name),
                        Severity.CRITICAL,
                    ),
                    message_en=f"{name} accepts {label_en} management, which sends passwords "
                    "in clear text.",
                    message_ja=f"{name} で {label_ja} による管理アクセスが有効です "
                    "(パスワードが平文で流れます)。",
                )

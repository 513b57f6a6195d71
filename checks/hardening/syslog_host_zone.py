"""HRD-022: logs are sent to a syslog host outside the management zone and the device's tier."""

from __future__ import annotations

from collections.abc import Iterator

from auditor.model.findings import Finding, Reference, Severity
from auditor.rules import AuditContext, Check

from ._common import (
    device_zone_kinds,
    device_zones,
    escalate,
    management_finding,
    snapshots_in_order,
)
from ._service_hosts import server_place


class SyslogHostOutsideZone(Check):
    """The device sends its logs to a syslog host outside the management zone and its own tier.

    What it checks:
        Each address in ``management.syslog_hosts``, judged by the zone its declared networks
        put it in: allowed are the management zone and the zones the device serves; anything
        else (another tier, the LGWAN WAN, the Internet, undeclared space) is a finding, subject
        ``syslog-host:<address>``. Host names are not judged. HRD-008 checks that a host is
        configured at all.

    Why is this bad?:
        Logs are evidence and must reach the city's own log server (ログの取得等). Logs sent to
        another tier open a path between tiers; logs sent outside the city leave its control and
        may carry addresses and user names of the tier.

    Example:
        An LGWAN switch with ``logging host 10.30.0.50`` (the Internet tier) yields
        ``syslog-host:10.30.0.50``.

    Remediation:
        Send logs to the management zone's collector (IOS ``logging host 10.99.0.10``; Yamaha
        ``syslog host 10.99.0.10``; AW+ ``log host 10.99.0.10``; FortiGate
        ``config log syslogd setting`` / ``set server 10.99.0.10``) and remove the other host.

    Parameters:
        None.
    """

    id = "HRD-022"
    slug = "syslog-host-outside-zone"
    severity = Severity.MEDIUM
    title_ja = "管理系・自区域以外への syslog 送信"
    title_en = "Syslog host outside the management zone and the device's tier"
    scope = "device"
    references = (
        Reference(kind="guideline", key="ログの取得等"),
        Reference(kind="guideline", key="情報システムの監視"),
        Reference(kind="plan", key="4-2-2"),
    )

    def evaluate(self, context: AuditContext) -> Iterator[Finding]:
        for name, snapshot in snapshots_in_order(context):
            kinds = device_zone_kinds(context, name)
            zones = [zone.id for zone in device_zones(context, name)]
            for host in snapshot.management.syslog_hosts or []:
                place = server_place(context.policy, host, zones, kinds, {})
                if place is None or place[0]:
                    continue
                yield management_finding(
                    self,
                    context,
                    name,
                    snapshot,
                    subject=f"syslog-host:{host}",
                    fact="syslog_hosts",
                    severity=escalate(self.effective_severity(context), kinds),
                    message_en=(
                        f"{name} sends its logs to {host} ({place[1]}), outside the management "
                        "zone and the device's own zones."
                    ),
                    message_ja=(
                        f"{name} のログ送信先 {host} ({place[1]}) が管理系・自区域の外にあります。"
                    ),
                )

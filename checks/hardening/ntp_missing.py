"""HRD-007: no NTP server, or fewer than the policy requires."""

from __future__ import annotations

from collections.abc import Iterator

from pydantic import Field

from auditor.model.findings import Finding, Reference, Severity
from auditor.rules import AuditContext, Check, CheckParams

from ._common import (
    config_known,
    device_zone_kinds,
    management_finding,
    snapshots_in_order,
    unknown_fact,
)


class NtpMissing(Check):
    """The device synchronises its clock with fewer NTP servers than required.

    What it checks:
        The number of entries in ``management.ntp_servers`` against ``min_servers`` (default 1),
        raised per zone kind by ``min_servers_by_zone_kind`` (e.g. ``{mynumber: 2}``). Subject
        ``ntp``. This check only asks that time is synchronised at all: no check yet judges which
        NTP servers a tier may use (the LGWAN WAN provides NTP) or measures the actual clock skew.

    Why is this bad?:
        Log timestamps are evidence. Without synchronised clocks the events of a firewall, a
        switch and a server cannot be put in order after an incident, and an auditor cannot rely
        on them. The guideline requires accurate time on systems that keep important logs
        (時刻同期).

    Example:
        An AlaxalA switch with no ``ntp server`` line yields ``ntp`` ("0 of 1 required").

    Remediation:
        Cisco IOS / AlaxalA AX: ``ntp server 10.99.0.10``. AW+: ``ntp server 10.99.0.10``.
        Yamaha RTX: ``ntpdate 10.99.0.10`` with ``schedule at 1 */* *:00 * ntpdate 10.99.0.10``
        or ``sntpd``. FortiGate: ``config system ntp`` / ``set type custom`` /
        ``config ntpserver``. NEC IX: ``ntp server 10.99.0.10``.

    Parameters:
        ``min_servers`` (int, default 1); ``min_servers_by_zone_kind`` (mapping zone kind → int,
        default empty; the largest value of the device's zones applies).
    """

    id = "HRD-007"
    slug = "ntp-missing"
    severity = Severity.MEDIUM
    title_ja = "NTP サーバー未設定・不足"
    title_en = "No NTP server or fewer than required"
    scope = "device"

    class Params(CheckParams):
        min_servers: int = Field(1, ge=0, description="NTP servers every device needs")
        min_servers_by_zone_kind: dict[str, int] = Field(
            default_factory=dict, description="Zone kind → NTP servers needed there"
        )

    references = (
        Reference(kind="guideline", key="情報システムの監視"),
        Reference(kind="plan", key="4-2-2"),
        Reference(
            kind="cis",
            key="Cisco IOS 15 Benchmark v4.1.1 2.3.2 Set 'ip address' for 'ntp server'",
            note="unverified",
        ),
    )

    def evaluate(self, context: AuditContext) -> Iterator[Finding]:
        params = self.params(context)
        by_kind = dict(params.min_servers_by_zone_kind)
        for name, snapshot in snapshots_in_order(context):
            servers = snapshot.management.ntp_servers
            if servers is None and config_known(snapshot):
                servers = []  # read the configuration: no line configures one
            if servers is None:
                yield unknown_fact(self, context, name, "management.ntp_servers")
                continue
            kinds = device_zone_kinds(context, name)
            required = max([params.min_servers] + [by_kind[k] for k in kinds if k in by_kind])
            if len(servers) >= required:
                continue
            yield management_finding(
                self,
                context,
                name,
                snapshot,
                subject="ntp",
                fact="ntp_servers",
                message_en=f"{name} has {len(servers)} NTP server(s); {required} required.",
                message_ja=f"{name} の NTP サーバーは {len(servers)} 台です (必要数 {required})。",
            )

"""HRD-008: logs are not sent to a remote syslog server."""

from __future__ import annotations

from collections.abc import Iterator

from pydantic import Field

from auditor.model.findings import Finding, Reference, Severity
from auditor.rules import AuditContext, Check, CheckParams

from ._common import (
    config_known,
    management_finding,
    snapshots_in_order,
    unknown_fact,
)


class NoRemoteSyslog(Check):
    """The device keeps its logs only locally.

    What it checks:
        ``management.syslog_hosts`` of every device: empty is a finding (subject ``syslog``).
        When the parameter ``log_servers`` lists the city's log servers, a device sending only to
        other hosts is reported too.

    Why is this bad?:
        A switch or router keeps a few hundred lines in RAM; they are lost on reboot and an
        intruder with admin rights clears them. The guideline asks that logs be acquired and kept
        for a defined period (ログの取得等) and that systems be monitored; only a remote copy
        survives.

    Example:
        An AlaxalA switch without ``logging host`` yields ``syslog``.

    Remediation:
        Cisco IOS / AlaxalA AX: ``logging host 10.99.0.10``. AW+: ``log host 10.99.0.10``.
        Yamaha RTX: ``syslog host 10.99.0.10`` (and ``syslog notice on``). FortiGate:
        ``config log syslogd setting`` / ``set status enable`` / ``set server 10.99.0.10``.
        NEC IX: ``logging host 10.99.0.10`` (syntax unverified).

    Parameters:
        ``log_servers`` (list of addresses, default empty = any remote host is accepted).
    """

    id = "HRD-008"
    slug = "no-remote-syslog"
    severity = Severity.MEDIUM
    title_ja = "syslog 転送先未設定"
    title_en = "No remote syslog"
    scope = "device"

    class Params(CheckParams):
        log_servers: list[str] = Field(
            default_factory=list, description="The city's log servers (empty: any host)"
        )

    references = (
        Reference(kind="guideline", key="コンピュータ及びネットワークの管理"),
        Reference(kind="guideline", key="情報システムの監視"),
        Reference(kind="plan", key="4-2-2"),
        Reference(
            kind="cis",
            key="Cisco IOS 15 Benchmark v4.1.1 2.2.4 Set IP address for 'logging host'",
            note="unverified",
        ),
    )

    def evaluate(self, context: AuditContext) -> Iterator[Finding]:
        allowed = set(self.params(context).log_servers)
        for name, snapshot in snapshots_in_order(context):
            hosts = snapshot.management.syslog_hosts
            if hosts is None and config_known(snapshot):
                hosts = []  # read the configuration: no line configures one
            if hosts is None:
                yield unknown_fact(self, context, name, "management.syslog_hosts")
                continue
            if hosts and (not allowed or allowed & set(hosts)):
                continue
            if hosts:
                message_en = (
                    f"{name} sends syslog only to {', '.join(hosts)}, none of the city's log "
                    f"servers ({', '.join(sorted(allowed))})."
                )
                message_ja = (
                    f"{name} の syslog 転送先 {', '.join(hosts)} は規定のログサーバー "
                    f"({', '.join(sorted(allowed))}) ではありません。"
                )
            else:
                message_en = f"{name} sends its logs to no remote syslog server."
                message_ja = f"{name} に syslog の転送先が設定されていません。"
            yield management_finding(
                self,
                context,
                name,
                snapshot,
                subject="syslog",
                fact="syslog_hosts",
                message_en=message_en,
                message_ja=message_ja,
            )

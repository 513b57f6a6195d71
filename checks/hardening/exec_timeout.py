"""HRD-009: idle management sessions never time out, or only after too long."""

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


class ExecTimeout(Check):
    """Idle administrator sessions are not logged out, or only after longer than allowed.

    What it checks:
        ``management.exec_timeout_seconds``: ``0`` (never), a value above ``max_seconds``
        (default 600 = 10 minutes), or no timeout in a configuration that was read is a finding
        (subject ``exec-timeout``).

    Why is this bad?:
        An administrator session left open on an unattended terminal is a privileged session
        anyone can use. The guideline asks for automatic logout of idle sessions
        (無操作時の自動ログアウト).

    Example:
        Cisco ``line vty 0 15`` / ``exec-timeout 0 0`` yields "never times out".

    Remediation:
        Cisco IOS / AlaxalA AX: ``line vty 0 15`` / ``exec-timeout 5 0`` (and on ``line con 0``).
        AW+: ``line vty 0 4`` / ``exec-timeout 5``. Yamaha RTX: ``login timer 300``.
        FortiGate: ``config system global`` / ``set admintimeout 5``. NEC IX:
        ``line vty`` / ``exec-timeout 300`` (syntax unverified).

    Parameters:
        ``max_seconds`` (int, default 600): the longest idle time allowed.
    """

    id = "HRD-009"
    slug = "exec-timeout"
    severity = Severity.LOW
    title_ja = "無操作タイムアウト未設定・過長"
    title_en = "No or too long idle session timeout"
    scope = "device"

    class Params(CheckParams):
        max_seconds: int = Field(600, gt=0, description="Longest idle time allowed, in seconds")

    references = (
        Reference(kind="guideline", key="アクセス制御"),
        Reference(kind="plan", key="4-1-6"),
        Reference(
            kind="cis",
            key="Cisco IOS 15 Benchmark v4.1.1 1.2.9 Set 'exec-timeout' to less than or "
            "equal to 10 minutes for 'line vty'",
            note="unverified",
        ),
    )

    def evaluate(self, context: AuditContext) -> Iterator[Finding]:
        limit = self.params(context).max_seconds
        for name, snapshot in snapshots_in_order(context):
            timeout = snapshot.management.exec_timeout_seconds
            if timeout is None and not config_known(snapshot):
                yield unknown_fact(self, context, name, "management.exec_timeout_seconds")
                continue
            if timeout is not None and 0 < timeout <= limit:
                continue
            if timeout is None:
                reason_en, reason_ja = (
                    "has no idle timeout configured",
                    "無操作タイムアウトが未設定",
                )
            elif timeout == 0:
                reason_en, reason_ja = (
                    "never logs out idle sessions (timeout 0)",
                    ("無操作タイムアウトが 0 (無期限)"),
                )
            else:
                reason_en = f"logs out idle sessions only after {timeout} s (limit {limit} s)"
                reason_ja = f"無操作タイムアウトが {timeout} 秒 (上限 {limit} 秒)"
            yield management_finding(
                self,
                context,
                name,
                snapshot,
                subject="exec-timeout",
                fact="exec_timeout_seconds",
                message_en=f"{name} {reason_en}.",
                message_ja=f"{name}: {reason_ja}です。",
            )

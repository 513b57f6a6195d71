"""HRD-021: administrator logins or configuration changes are not logged."""

from __future__ import annotations

from collections.abc import Iterator

from auditor.model.findings import Finding, Reference, Severity
from auditor.rules import AuditContext, Check

from ._common import (
    device_zone_kinds,
    escalate,
    management_finding,
    snapshots_in_order,
    unknown_fact,
)

_FACTS = (
    (
        "login_logging",
        "logging:login",
        "administrator login success and failure",
        "管理者ログインの成功・失敗",
    ),
    ("config_change_logging", "logging:config-change", "configuration changes", "設定変更"),
)


class SecurityLoggingDisabled(Check):
    """Administrator logins or configuration changes are not logged on the device.

    What it checks:
        ``management.login_logging`` (login success and failure logged) and
        ``management.config_change_logging`` (configuration changes logged), as the platform
        parser reads them from the configuration. ``False`` is a finding (subjects
        ``logging:login``, ``logging:config-change``); not known is reported as not applicable,
        never as compliant. The retention period is POL-002's ``evidence:log-retention``.

    Why is this bad?:
        The guideline requires logs of who logged in and what was changed (ログの取得等), so that
        unauthorised access and unapproved changes can be traced. Many devices do not log these
        events by default (Yamaha RTX logs them only at ``syslog notice on``).

    Example:
        A Cisco IOS router without ``login on-failure log`` yields ``logging:login``; without
        ``archive`` / ``log config`` / ``logging enable`` it yields ``logging:config-change``.

    Remediation:
        Cisco IOS: ``login on-failure log``, ``login on-success log``, ``archive`` / ``log
        config`` / ``logging enable``. Yamaha RTX: ``syslog notice on``. FortiGate: ``config
        log eventfilter`` / ``set system enable``.

    Parameters:
        None.
    """

    id = "HRD-021"
    slug = "security-logging-disabled"
    severity = Severity.MEDIUM
    title_ja = "ログイン・設定変更のログ未取得"
    title_en = "Logins or configuration changes not logged"
    scope = "device"
    references = (
        Reference(kind="guideline", key="ログの取得等"),
        Reference(kind="guideline", key="情報システムの監視"),
        Reference(kind="plan", key="4-2-2"),
    )

    def evaluate(self, context: AuditContext) -> Iterator[Finding]:
        for name, snapshot in snapshots_in_order(context):
            kinds = device_zone_kinds(context, name)
            for field, subject, what_en, what_ja in _FACTS:
                value = getattr(snapshot.management, field)
                if value is None:
                    yield unknown_fact(self, context, name, f"management.{field}")
                    continue
                if value:
                    continue
                yield management_finding(
                    self,
                    context,
                    name,
                    snapshot,
                    subject=subject,
                    fact=field,
                    severity=escalate(self.effective_severity(context), kinds),
                    message_en=f"{name} does not log {what_en}.",
                    message_ja=f"{name} で{what_ja}のログが取得されていません。",
                )

"""HRD-006: no login banner is configured."""

from __future__ import annotations

from collections.abc import Iterator

from auditor.model.findings import Finding, Reference, Severity
from auditor.rules import AuditContext, Check

from ._common import (
    config_known,
    management_finding,
    snapshots_in_order,
    unknown_fact,
)


class NoLoginBanner(Check):
    """No warning banner is shown before or at login.

    What it checks:
        ``management.banner`` of every device: empty, or absent from a configuration that was
        read, is a finding (subject ``banner``). When no configuration was read the banner is
        unknown and the check reports not applicable.

    Why is this bad?:
        The login warning (ログイン時の表示) tells anyone connecting that access is restricted and
        monitored; without it, prosecuting or even disciplining unauthorised use is harder, and
        auditors ask for it as a basic control.

    Example:
        An AW+ switch without ``banner login`` yields ``banner``.

    Remediation:
        Cisco IOS / AlaxalA AX: ``banner login ^C 許可された職員以外の利用を禁止します ^C``.
        AW+: ``banner login``. Yamaha RTX: not every model has a login banner command (check the
        command reference of the firmware; otherwise record an exception). FortiGate:
        ``config system global`` / ``set pre-login-banner enable``. NEC IX: ``banner motd``
        (model dependent).

    Parameters:
        None.
    """

    id = "HRD-006"
    slug = "no-login-banner"
    severity = Severity.LOW
    title_ja = "ログインバナー未設定"
    title_en = "No login banner"
    scope = "device"
    references = (
        Reference(kind="guideline", key="アクセス制御"),
        Reference(kind="plan", key="4-1-6"),
        Reference(
            kind="cis",
            key="Cisco IOS 15 Benchmark v4.1.1 1.3.2 Set the 'banner-text' for 'banner login'",
            note="unverified",
        ),
    )

    def evaluate(self, context: AuditContext) -> Iterator[Finding]:
        for name, snapshot in snapshots_in_order(context):
            banner = snapshot.management.banner
            if banner is None and not config_known(snapshot):
                yield unknown_fact(self, context, name, "management.banner")
                continue
            if banner is not None and banner.strip():
                continue
            yield management_finding(
                self,
                context,
                name,
                snapshot,
                subject="banner",
                fact="banner",
                message_en=f"{name} shows no login banner.",
                message_ja=f"{name} にログインバナー (警告表示) が設定されていません。",
            )

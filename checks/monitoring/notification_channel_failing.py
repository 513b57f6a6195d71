"""MON-008: a notification channel refuses messages for good, so nobody is being told."""

from __future__ import annotations

from collections.abc import Iterator

from auditor.model.findings import EvidenceRef, Finding, Reference, Severity
from auditor.model.notification import HISTORY_KEY, ChannelState
from auditor.rules import AuditContext, Check


class NotificationChannelFailing(Check):
    """A configured notification channel (mail, syslog, webhook) fails for good.

    What it checks:
        The delivery state of every channel in ``[notify.channels]``, read by the daemon from
        the notification outbox and handed to the run. A channel is failing when a message was
        refused permanently (SMTP 5xx, authentication refused, an untrusted certificate, HTTP
        4xx) or ran out of retries after the channel's last accepted message. One finding per
        failing channel (subject ``channel:<name>``); it resolves once a message goes through.

    Why is this bad?:
        Alerts that cannot be delivered are silence: the 情報管理課 is not told that the My
        Number tier got a path to the Internet or that a core switch stopped answering. The
        monitoring and incident-reporting duties (情報システムの監視, 情報セキュリティインシデント
        の報告) assume that somebody is told.

    Example:
        ``mail-main`` answered ``550 5.1.1 user unknown`` for the 07:00 report: "channel
        mail-main fails since 2026-12-01 07:00 (2 messages)".

    Remediation:
        Fix the channel (recipient address, SMTP account and its systemd credential, CA file,
        webhook URL) and send ``auditor notify test CHANNEL``; failed messages stay listed in
        ``auditor notify list``.

    Parameters:
        None.
    """

    id = "MON-008"
    slug = "notification-channel-failing"
    severity = Severity.HIGH
    title_ja = "通知チャネルが配信に失敗している"
    title_en = "Notification channel failing"
    scope = "history"

    references = (
        Reference(kind="guideline", key="情報システムの監視"),
        Reference(kind="plan", key="4-2-2"),
    )

    def evaluate(self, context: AuditContext) -> Iterator[Finding]:
        states = context.history.extra.get(HISTORY_KEY) or []
        for state in states:
            if not isinstance(state, ChannelState) or not state.failing:
                continue
            since = (
                f"{state.failing_since:%Y-%m-%d %H:%M UTC}" if state.failing_since else "unknown"
            )
            error = state.last_error or "unknown error"
            yield self.finding(
                context,
                subject=f"channel:{state.channel}",
                message_en=f"Notification channel {state.channel} ({state.kind}) fails since "
                f"{since}: {state.failed_messages} message(s) not delivered; last error: {error}.",
                message_ja=f"通知チャネル {state.channel} ({state.kind}) は {since} 以降配信に"
                f"失敗しています。未配信 {state.failed_messages} 件、直近のエラー: {error}。",
                evidence=[
                    EvidenceRef(
                        source="engine",
                        detail=f"notification outbox: channel {state.channel}, "
                        f"{state.failed_messages} failed",
                    )
                ],
            )

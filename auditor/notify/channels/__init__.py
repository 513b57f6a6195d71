"""Delivery channels: the only notify modules that do network I/O.

Each sender takes already-scrubbed events and either returns (the server accepted them) or
raises :class:`~auditor.notify.channels.base.DeliveryError` saying whether a retry can help.
"""

from __future__ import annotations

from collections.abc import Callable

from auditor.notify.channels.base import DeliveryError, Sender
from auditor.notify.settings import MailChannel, SyslogChannel, WebhookChannel

__all__ = ["DeliveryError", "Sender", "build_sender"]


def build_sender(
    name: str,
    config: MailChannel | SyslogChannel | WebhookChannel,
    secret: Callable[[str], str],
) -> Sender:
    """The sender for one configured channel; ``secret(NAME)`` reads a systemd credential."""
    if isinstance(config, MailChannel):
        from auditor.notify.channels.mail import MailSender

        return MailSender(name, config, secret)
    if isinstance(config, SyslogChannel):
        from auditor.notify.channels.syslog import SyslogSender

        return SyslogSender(name, config)
    from auditor.notify.channels.webhook import WebhookSender

    return WebhookSender(name, config, secret)

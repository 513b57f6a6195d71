"""The delivery state of a notification channel, as plain data the checks can read.

The daemon reads it from the outbox and hands it to the run (``RunRequest.history_extra``); the
check ``NOT-001`` turns a channel that fails for good into a finding. Checks never see the store.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

HISTORY_KEY = "notification_channels"
"""Key of ``History.extra`` holding a ``list[ChannelState]``."""


@dataclass(frozen=True)
class ChannelState:
    channel: str
    kind: str
    failing: bool
    failed_messages: int = 0
    last_error: str | None = None
    failing_since: datetime | None = None
    last_sent_at: datetime | None = None

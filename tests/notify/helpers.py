"""Small builders for the notification tests."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from auditor.notify.events import Event
from auditor.notify.service import Notifier
from auditor.notify.settings import NotifySettings
from auditor.store.outbox import Outbox

NOW = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)  # 12:00 JST, outside the quiet hours used


def notifier(outbox: Outbox, channels: dict[str, Any], **extra: Any) -> Notifier:
    settings = NotifySettings.model_validate(
        {
            "channels": channels,
            "rules": [{"name": "all", "channels": list(channels), "min_severity": "high"}],
            "retry_base_seconds": 30,
            **extra,
        }
    )
    return Notifier(settings, outbox, tz="Asia/Tokyo", salt=b"test-salt-0123456789abcdef")


def finding_event(**overrides: Any) -> Event:
    values: dict[str, Any] = {
        "kind": "finding",
        "key": "finding:abc123:new",
        "level": "critical",
        "at": NOW,
        "title_ja": "新規: SEG-001 マイナンバー系からインターネットへの経路 (lg-core1)",
        "title_en": "New: SEG-001 Path from the My Number tier to the Internet (lg-core1)",
        "body_ja": "マイナンバー利用事務系 VLAN 10 からインターネットへ到達できます。",
        "body_en": "VLAN 10 of the My Number tier reaches the Internet.",
        "device": "lg-core1",
        "zone": "mynumber",
        "check_id": "SEG-001",
        "fingerprint": "abc123def4567890abc123def4567890",
        "run_id": 7,
    }
    values.update(overrides)
    return Event(**values)

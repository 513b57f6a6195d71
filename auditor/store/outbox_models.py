"""The notification outbox table (migration ``0010_notification_outbox``).

Kept out of ``models.py`` so the findings tables and the delivery queue evolve separately; the
``models`` module imports it at its end, so ``Base.metadata`` always knows the table.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from auditor.store.base import Base
from auditor.store.tenancy import TenantScoped


class OutboxRow(TenantScoped, Base):
    """One message for one channel: written in the run's aftermath, deleted never, sent once.

    ``dedupe_key`` is unique per channel, so enqueueing the same event twice (a retried job, a
    finding seen again) cannot send it twice; a reopened finding has a new key.
    """

    __tablename__ = "notification_outbox"
    __table_args__ = (
        UniqueConstraint(
            "tenant", "channel", "dedupe_key", name="uq_notification_outbox_tenant_channel_key"
        ),
        Index("ix_notification_outbox_status_next", "status", "next_attempt_at"),
        Index("ix_notification_outbox_subject", "subject"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    channel: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(32))
    dedupe_key: Mapped[str] = mapped_column(String(255))
    subject: Mapped[str | None] = mapped_column(String(255))
    level: Mapped[str] = mapped_column(String(16))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON())
    status: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime]
    next_attempt_at: Mapped[datetime]
    last_attempt_at: Mapped[datetime | None]
    sent_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)

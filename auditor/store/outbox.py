"""The notification outbox: enqueue, pick due messages, and record what each delivery did.

Every method is one transaction. A message becomes ``sent`` only when the dispatcher reports that
the server accepted it; until then it survives restarts and crashes as ``pending``. A message
that a server refused for good is ``failed`` and stays listed (``auditor notify list``).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from auditor.store.engine import WRITE_OPTION, unavailable_on_connection_errors
from auditor.store.outbox_models import OutboxRow
from auditor.store.tenancy import DEFAULT_TENANT, TenantSession, valid_tenant
from auditor.store.types import utc

ERROR_LIMIT = 500


class OutboxStatus(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"


@dataclass(frozen=True)
class OutboxItem:
    """A message to enqueue for one channel; ``not_before`` delays it (quiet hours)."""

    channel: str
    kind: str
    dedupe_key: str
    level: str
    payload: Mapping[str, Any]
    not_before: datetime
    subject: str | None = None


@dataclass(frozen=True)
class OutboxRecord:
    id: int
    channel: str
    kind: str
    dedupe_key: str
    subject: str | None
    level: str
    payload: Mapping[str, Any]
    status: OutboxStatus
    attempts: int
    created_at: datetime
    next_attempt_at: datetime
    last_attempt_at: datetime | None
    sent_at: datetime | None
    last_error: str | None


@dataclass(frozen=True)
class ChannelHealth:
    """The delivery state of one channel: ``failing`` once a message failed for good after the
    channel's last accepted message."""

    channel: str
    failing: bool
    failed_messages: int = 0
    last_error: str | None = None
    failing_since: datetime | None = None
    last_sent_at: datetime | None = None
    pending: int = 0
    extra: Mapping[str, Any] = field(default_factory=dict)


def _record(row: OutboxRow) -> OutboxRecord:
    return OutboxRecord(
        id=row.id,
        channel=row.channel,
        kind=row.kind,
        dedupe_key=row.dedupe_key,
        subject=row.subject,
        level=row.level,
        payload=dict(row.payload),
        status=OutboxStatus(row.status),
        attempts=row.attempts,
        created_at=row.created_at,
        next_attempt_at=row.next_attempt_at,
        last_attempt_at=row.last_attempt_at,
        sent_at=row.sent_at,
        last_error=row.last_error,
    )


class Outbox:
    """The outbox table behind the store's engine (``Outbox(store.engine, store.tenant)``); one
    tenant's messages only."""

    def __init__(self, engine: Engine, tenant: str = DEFAULT_TENANT) -> None:
        self.engine = engine
        self.tenant = valid_tenant(tenant)

    @contextmanager
    def _transaction(self, *, write: bool) -> Iterator[Session]:
        with unavailable_on_connection_errors(self.engine), self.engine.connect() as connection:
            if write:
                connection.execution_options(**{WRITE_OPTION: True})
            with (
                TenantSession(
                    bind=connection, expire_on_commit=False, autoflush=False, tenant=self.tenant
                ) as session,
                session.begin(),
            ):
                yield session

    def enqueue(self, items: Sequence[OutboxItem], *, now: datetime) -> list[int]:
        """Add the items not queued before (same channel and key); returns the new ids."""
        at = utc(now)
        added: list[int] = []
        for item in items:
            with self._transaction(write=True) as session:
                exists = session.scalar(
                    select(OutboxRow.id).where(
                        OutboxRow.channel == item.channel,
                        OutboxRow.dedupe_key == item.dedupe_key,
                    )
                )
                if exists is not None:
                    continue
                row = OutboxRow(
                    channel=item.channel,
                    kind=item.kind,
                    dedupe_key=item.dedupe_key[:255],
                    subject=item.subject[:255] if item.subject else None,
                    level=item.level,
                    payload=dict(item.payload),
                    status=OutboxStatus.PENDING.value,
                    attempts=0,
                    created_at=at,
                    next_attempt_at=utc(item.not_before),
                    last_attempt_at=None,
                    sent_at=None,
                    last_error=None,
                )
                session.add(row)
                try:
                    session.flush()
                except IntegrityError:  # a concurrent enqueue of the same key won
                    session.rollback()
                    continue
                added.append(row.id)
        return added

    def due(self, now: datetime, *, channel: str | None = None) -> list[OutboxRecord]:
        """Pending messages whose time has come, oldest first."""
        query = (
            select(OutboxRow)
            .where(
                OutboxRow.status == OutboxStatus.PENDING.value,
                OutboxRow.next_attempt_at <= utc(now),
            )
            .order_by(OutboxRow.id)
        )
        if channel is not None:
            query = query.where(OutboxRow.channel == channel)
        with self._transaction(write=False) as session:
            return [_record(row) for row in session.scalars(query)]

    def mark_sent(self, ids: Sequence[int], *, now: datetime) -> None:
        """The server accepted these messages (only the dispatcher calls this, after it did)."""
        at = utc(now)
        with self._transaction(write=True) as session:
            session.execute(
                update(OutboxRow)
                .where(OutboxRow.id.in_(list(ids)))
                .values(
                    status=OutboxStatus.SENT.value,
                    sent_at=at,
                    last_attempt_at=at,
                    attempts=OutboxRow.attempts + 1,
                    last_error=None,
                )
            )

    def mark_retry(
        self, ids: Sequence[int], error: str, *, now: datetime, next_attempt_at: datetime
    ) -> None:
        """A passing failure: try again at ``next_attempt_at``."""
        with self._transaction(write=True) as session:
            session.execute(
                update(OutboxRow)
                .where(OutboxRow.id.in_(list(ids)))
                .values(
                    attempts=OutboxRow.attempts + 1,
                    last_attempt_at=utc(now),
                    next_attempt_at=utc(next_attempt_at),
                    last_error=error[:ERROR_LIMIT],
                )
            )

    def postpone(self, ids: Sequence[int], until: datetime) -> None:
        """Not an attempt: wait (quiet hours, rate limit)."""
        with self._transaction(write=True) as session:
            session.execute(
                update(OutboxRow)
                .where(OutboxRow.id.in_(list(ids)))
                .values(next_attempt_at=utc(until))
            )

    def mark_failed(self, ids: Sequence[int], error: str, *, now: datetime) -> None:
        """The server refused for good (or retries ran out): never retried automatically."""
        at = utc(now)
        with self._transaction(write=True) as session:
            session.execute(
                update(OutboxRow)
                .where(OutboxRow.id.in_(list(ids)))
                .values(
                    status=OutboxStatus.FAILED.value,
                    attempts=OutboxRow.attempts + 1,
                    last_attempt_at=at,
                    last_error=error[:ERROR_LIMIT],
                )
            )

    def recent(
        self, *, status: str | None = None, channel: str | None = None, limit: int = 50
    ) -> list[OutboxRecord]:
        """Newest first."""
        query = select(OutboxRow).order_by(OutboxRow.id.desc()).limit(limit)
        if status is not None:
            query = query.where(OutboxRow.status == OutboxStatus(status).value)
        if channel is not None:
            query = query.where(OutboxRow.channel == channel)
        with self._transaction(write=False) as session:
            return [_record(row) for row in session.scalars(query)]

    def sent_since(self, channel: str, since: datetime) -> int:
        """How many deliveries the channel made since ``since`` (rate limits)."""
        query = select(func.count(func.distinct(OutboxRow.sent_at))).where(
            OutboxRow.channel == channel,
            OutboxRow.status == OutboxStatus.SENT.value,
            OutboxRow.sent_at >= utc(since),
        )
        with self._transaction(write=False) as session:
            return int(session.scalar(query) or 0)

    def last_kind(self, subject: str, kinds: Sequence[str]) -> str | None:
        """The kind of the newest message about ``subject`` among ``kinds`` (device up/down)."""
        query = (
            select(OutboxRow.kind)
            .where(OutboxRow.subject == subject, OutboxRow.kind.in_(list(kinds)))
            .order_by(OutboxRow.id.desc())
            .limit(1)
        )
        with self._transaction(write=False) as session:
            return session.scalar(query)

    def health(self, channels: Sequence[str]) -> list[ChannelHealth]:
        """For each channel: failing when a message failed for good after its last success."""
        result: list[ChannelHealth] = []
        with self._transaction(write=False) as session:
            for channel in channels:
                last_sent = session.scalar(
                    select(func.max(OutboxRow.sent_at)).where(
                        OutboxRow.channel == channel,
                        OutboxRow.status == OutboxStatus.SENT.value,
                    )
                )
                failed_query = select(OutboxRow).where(
                    OutboxRow.channel == channel,
                    OutboxRow.status == OutboxStatus.FAILED.value,
                )
                if last_sent is not None:
                    failed_query = failed_query.where(OutboxRow.last_attempt_at > last_sent)
                failed = list(session.scalars(failed_query.order_by(OutboxRow.id)))
                pending = session.scalar(
                    select(func.count(OutboxRow.id)).where(
                        OutboxRow.channel == channel,
                        OutboxRow.status == OutboxStatus.PENDING.value,
                    )
                )
                result.append(
                    ChannelHealth(
                        channel=channel,
                        failing=bool(failed),
                        failed_messages=len(failed),
                        last_error=failed[-1].last_error if failed else None,
                        failing_since=failed[0].last_attempt_at if failed else None,
                        last_sent_at=last_sent,
                        pending=int(pending or 0),
                    )
                )
        return result

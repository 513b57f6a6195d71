"""Appending to the hash-chained event log: lock the head row, hash in id order, move the head."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import insert
from sqlalchemy.orm import Session

from auditor.store.chain import event_fields, event_hash
from auditor.store.errors import StoreError
from auditor.store.models import EventChainRow, FindingEventRow
from auditor.store.records import EventType


def lock_chain(session: Session) -> EventChainRow:
    chain = session.get(EventChainRow, 1, with_for_update=True)
    if chain is None:
        raise StoreError("event_chain head row is missing; was the schema created by upgrade()?")
    return chain


@dataclass
class EventLog:
    """Events of one transaction, hashed in id order onto the locked chain head."""

    chain: EventChainRow
    run_id: int | None
    actor: str
    at: datetime
    rows: list[dict[str, Any]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._last_id = self.chain.last_event_id
        self._last_hash = self.chain.last_hash

    def add(
        self,
        fingerprint: str,
        event_type: EventType,
        payload: Mapping[str, Any],
        *,
        run_id: int | None = None,
    ) -> None:
        """Append one event; ``run_id`` overrides the log's own (a run closed by another)."""
        run = self.run_id if run_id is None else run_id
        self._last_id += 1
        fields = event_fields(
            event_id=self._last_id,
            fingerprint=fingerprint,
            run_id=run,
            event_type=event_type.value,
            actor=self.actor,
            at=self.at,
            payload=payload,
        )
        digest = event_hash(self._last_hash, fields)
        self.rows.append(
            {
                "id": self._last_id,
                "fingerprint": fingerprint,
                "run_id": run,
                "event_type": event_type.value,
                "actor": self.actor,
                "at": self.at,
                "payload": dict(payload),
                "prev_hash": self._last_hash,
                "hash": digest,
            }
        )
        self._last_hash = digest

    def flush(self, session: Session) -> None:
        if not self.rows:
            return
        for start in range(0, len(self.rows), 2000):
            session.execute(
                insert(FindingEventRow.metadata.tables["finding_events"]),
                self.rows[start : start + 2000],
            )
        self.chain.last_event_id = self._last_id
        self.chain.last_hash = self._last_hash
        self.chain.event_count = self.chain.event_count + len(self.rows)
        session.flush()

"""Appending to the hash-chained event log: lock the head row, hash in id order, move the head."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from auditor.store.chain import GENESIS_HASH, event_fields, event_hash
from auditor.store.errors import StoreError
from auditor.store.models import EventChainRow, FindingEventRow
from auditor.store.records import EventType
from auditor.store.tenancy import DEFAULT_TENANT, session_tenant

CHAIN_ROW_ID = 1


def chain_row(session: Session, *, lock: bool = False) -> EventChainRow | None:
    """The session's tenant's chain head (tenant-filtered by the session), if it has one."""
    query = select(EventChainRow).where(EventChainRow.id == CHAIN_ROW_ID)
    if lock:
        query = query.with_for_update()
    return session.scalars(query).first()


def lock_chain(session: Session) -> EventChainRow:
    """Lock the tenant's chain head; a tenant's first write creates it at the genesis hash.

    The ``default`` tenant's head comes from the migrations, so a missing one there means a
    schema that ``upgrade()`` did not create.
    """
    chain = chain_row(session, lock=True)
    if chain is not None:
        return chain
    if session_tenant(session) == DEFAULT_TENANT:
        raise StoreError("event_chain head row is missing; was the schema created by upgrade()?")
    try:
        with session.begin_nested():
            session.add(
                EventChainRow(
                    id=CHAIN_ROW_ID, last_event_id=0, last_hash=GENESIS_HASH, event_count=0
                )
            )
    except IntegrityError:
        pass  # another writer created it first; lock theirs
    chain = chain_row(session, lock=True)
    if chain is None:
        raise StoreError("could not create the tenant's event_chain head row")
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

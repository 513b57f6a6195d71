"""The chain's head and whether it is intact, without re-hashing every event on every report.

A full walk (:meth:`Store.verify`) costs one SHA-256 and one canonical JSON per event: about half
of an export's store load at 100,000 findings. Reports only print the head (``None`` when the
chain is broken), so they walk from the last checkpoint: the checkpoint's event must still carry
the hash it had, and every event after it is hashed and linked as ``verify`` does. A rewrite that
recomputes hashes changes the checkpoint's event and is caught here; an edit of an older event's
content that leaves its hash alone is caught by ``auditor verify``, which ignores the checkpoint.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from auditor.store.chain import GENESIS_HASH, ChainBrokenError, linked_events
from auditor.store.events import chain_row
from auditor.store.models import ChainCheckpointRow, FindingEventRow
from auditor.store.records import ChainStatus
from auditor.store.tenancy import tenant_rows

log = logging.getLogger(__name__)
CHECKPOINT_ID = 1
CHAIN_COLUMNS = (
    FindingEventRow.id,
    FindingEventRow.fingerprint,
    FindingEventRow.run_id,
    FindingEventRow.event_type,
    FindingEventRow.actor,
    FindingEventRow.at,
    FindingEventRow.payload,
    FindingEventRow.prev_hash,
    FindingEventRow.hash,
)
"""The columns every chain walk reads, in :func:`linked_events`' order."""


def walk_from_checkpoint(session: Session) -> ChainStatus:
    """Check the chain from the stored checkpoint to the head row, in ``session``."""
    head = chain_row(session)
    head_id = head.last_event_id if head is not None else 0
    checkpoint = _checkpoint(session)
    start, previous_hash, anchor = 0, GENESIS_HASH, 0
    if checkpoint is not None and checkpoint.event_id > 0:
        if checkpoint.event_id > head_id:
            return _broken(head_id, 0, checkpoint.event_id, "the chain ends before its checkpoint")
        stored = session.execute(
            select(FindingEventRow.hash, FindingEventRow.prev_hash).where(
                FindingEventRow.id == checkpoint.event_id
            )
        ).first()
        if stored is None or stored[0] != checkpoint.hash:
            return _broken(
                head_id, 0, checkpoint.event_id, "the checkpoint's event was changed or deleted"
            )
        # The walk re-hashes the checkpoint's own event too (its content against its hash).
        start, previous_hash = checkpoint.event_id - 1, str(stored[1])
        anchor = checkpoint.event_id
    rows = tenant_rows(
        session,
        select(*CHAIN_COLUMNS).where(FindingEventRow.id > start).order_by(FindingEventRow.id),
        yield_per=5000,
    )
    checked = 0
    try:
        for event in linked_events(rows, first_id=start + 1, previous_hash=previous_hash):
            checked += 1
            previous_hash = event[-1]
    except ChainBrokenError as exc:
        return _broken(head_id, exc.checked, anchor, _describe(exc))
    expected_id = start + checked + 1
    if head is None:
        return _broken(head_id, checked, anchor, "event_chain head row is missing")
    if head.last_event_id != expected_id - 1 or head.last_hash != previous_hash:
        return _broken(
            head_id,
            checked,
            anchor,
            f"chain ends at event {expected_id - 1} but its head says {head.last_event_id}",
        )
    return ChainStatus(True, head.last_event_id, previous_hash, checked, anchor)


def save_checkpoint(session: Session, event_id: int, digest: str) -> None:
    """Remember that the chain up to ``event_id`` (hash ``digest``) was found intact."""
    row = _checkpoint(session)
    now = datetime.now(UTC)
    if row is None:
        session.add(
            ChainCheckpointRow(id=CHECKPOINT_ID, event_id=event_id, hash=digest, checked_at=now)
        )
    elif event_id > row.event_id:
        row.event_id, row.hash, row.checked_at = event_id, digest, now


def _checkpoint(session: Session) -> ChainCheckpointRow | None:
    """The session tenant's checkpoint (one per city chain; the select is tenant-filtered)."""
    return session.scalar(select(ChainCheckpointRow).where(ChainCheckpointRow.id == CHECKPOINT_ID))


def checkpoint_failed(exc: Exception) -> None:
    """A read-only database or a busy writer: the next report walks a little further, no more."""
    log.debug("chain checkpoint not saved: %s", type(exc).__name__)


def _describe(exc: ChainBrokenError) -> str:
    if exc.kind == "gap":
        return f"events {exc.expected_id}..{exc.event_id - 1} missing"
    if exc.kind == "prev_hash":
        return f"event {exc.event_id}: prev_hash does not match"
    return f"event {exc.event_id}: content does not match"


def _broken(head_id: int, checked: int, start: int, reason: str) -> ChainStatus:
    return ChainStatus(False, head_id, None, checked, start, reason)

"""Retention: drop old snapshots, evidence and collection-error rows; never findings or events.

Findings and their hash-chained events are the audit trail and are kept for ever. What goes is
bulk data older than the cut-off, with two guards: each device keeps its newest snapshot (checks
compare against it), and evidence a finding still cites (``EvidenceRef.blob_sha256``) stays.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from auditor.store.models import (
    CollectionErrorRow,
    EvidenceRow,
    FindingRow,
    RunEvidenceRow,
    RunRow,
    SnapshotRow,
)
from auditor.store.recording import chunks


def prune(session: Session, before: datetime) -> int:
    """Delete what is older than ``before``; returns the number of rows removed."""
    return (
        _prune_snapshots(session, before)
        + _prune_evidence(session, before)
        + _delete_count(session, delete(CollectionErrorRow).where(CollectionErrorRow.at < before))
    )


def _delete_count(session: Session, statement: Any) -> int:
    result = session.execute(statement)
    return int(getattr(result, "rowcount", 0) or 0)


def _prune_snapshots(session: Session, before: datetime) -> int:
    newest = select(func.max(SnapshotRow.id)).group_by(SnapshotRow.device_id)
    old = (SnapshotRow.collected_at < before) & SnapshotRow.id.not_in(newest)
    # A kept sighting without its own JSON borrows it from an older row of the same content:
    # copy the JSON onto the oldest kept borrower before the row holding it goes. (The holder has
    # a smaller id than the borrower, so it is never its device's newest row: it goes iff old.)
    borrowers = session.execute(
        select(SnapshotRow.id, SnapshotRow.device_id, SnapshotRow.content_hash)
        .where(SnapshotRow.data.is_(None), ~old)
        .order_by(SnapshotRow.id)
    ).all()
    adopted: set[tuple[int, str]] = set()
    for row_id, device_id, content_hash in borrowers:
        if (device_id, content_hash) in adopted:
            continue
        adopted.add((device_id, content_hash))
        holder = session.execute(
            select(SnapshotRow.collected_at, SnapshotRow.data)
            .where(
                SnapshotRow.device_id == device_id,
                SnapshotRow.content_hash == content_hash,
                SnapshotRow.data.is_not(None),
                SnapshotRow.id < row_id,
            )
            .order_by(SnapshotRow.id.desc())
            .limit(1)
        ).first()
        if holder is not None and holder.collected_at < before:
            session.execute(
                update(SnapshotRow).where(SnapshotRow.id == row_id).values(data=holder.data)
            )
    return _delete_count(session, delete(SnapshotRow).where(old))


def _prune_evidence(session: Session, before: datetime) -> int:
    old_runs = select(RunRow.id).where(RunRow.started_at < before)
    removed = _delete_count(
        session, delete(RunEvidenceRow).where(RunEvidenceRow.run_id.in_(old_runs))
    )
    cited: set[str] = set()
    evidence_lists: list[list[Any]] = list(session.scalars(select(FindingRow.evidence)))
    for items in evidence_lists:
        cited.update(
            str(item["blob_sha256"])
            for item in items
            if isinstance(item, dict) and item.get("blob_sha256")
        )
    linked = select(RunEvidenceRow.sha256)
    orphans = [
        sha
        for sha in session.scalars(
            select(EvidenceRow.sha256).where(EvidenceRow.sha256.not_in(linked))
        )
        if sha not in cited
    ]
    for chunk in chunks(orphans):
        removed += _delete_count(session, delete(EvidenceRow).where(EvidenceRow.sha256.in_(chunk)))
    return removed

"""Retention: drop old snapshots, evidence and collection-error rows; never findings or events.

Findings and their hash-chained events are the audit trail and are kept for ever. What goes is
bulk data older than the cut-off, with two guards: each device keeps its newest snapshot (checks
compare against it), and evidence a finding still cites (``EvidenceRef.blob_sha256``) stays.

The hand-over tables go too: a distributed dispatch's ``device_collections`` once every report of
that dispatch (``run_key``) is older than the cut-off (a dispatch still being reported, or read by
its run, keeps all its rows); ``imported_bundles`` entries older than the cut-off except each
collector's newest, which alone refuses a replay (a sequence not above it); expired web sessions.
None of them is read by ``verify``, which replays runs and findings only. Result sets (the
control matrix, stored once per distinct set) go when no run links them. The notification outbox
is not pruned: its rows are the register that keeps a notification from being sent twice.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from auditor.store.models import (
    CollectionErrorRow,
    DeviceCollectionRow,
    EvidenceRow,
    FindingRow,
    ImportedBundleRow,
    ResultSetCellRow,
    ResultSetRow,
    RunEvidenceRow,
    RunResultSetRow,
    RunRow,
    SnapshotRow,
    WebSessionRow,
)
from auditor.store.recording import chunks


def prune(session: Session, before: datetime) -> int:
    """Delete what is older than ``before``; returns the number of rows removed."""
    return (
        _prune_snapshots(session, before)
        + _prune_evidence(session, before)
        + _delete_count(session, delete(CollectionErrorRow).where(CollectionErrorRow.at < before))
        + _prune_device_collections(session, before)
        + _prune_imported_bundles(session, before)
        + _delete_count(session, delete(WebSessionRow).where(WebSessionRow.expires_at < before))
        + _prune_result_sets(session)
    )


def _prune_result_sets(session: Session) -> int:
    """Result sets no run links any more (their cells first). Runs are never pruned, so a
    set only loses its last link when its runs' links were removed; one city's sets are its own
    (the session is tenant-filtered), so another city's links never keep them."""
    orphans = list(
        session.scalars(
            select(ResultSetRow.id).where(
                ResultSetRow.id.not_in(select(RunResultSetRow.set_id).distinct())
            )
        )
    )
    removed = 0
    for chunk in chunks(orphans):
        removed += _delete_count(
            session, delete(ResultSetCellRow).where(ResultSetCellRow.set_id.in_(chunk))
        )
        removed += _delete_count(session, delete(ResultSetRow).where(ResultSetRow.id.in_(chunk)))
    return removed


def _prune_device_collections(session: Session, before: datetime) -> int:
    """A dispatch's rows go together, and only when its newest report is older than ``before``."""
    stale = (
        select(DeviceCollectionRow.run_key)
        .group_by(DeviceCollectionRow.run_key)
        .having(func.max(DeviceCollectionRow.reported_at) < before)
    )
    keys = list(session.scalars(stale))
    removed = 0
    for chunk in chunks(keys):
        removed += _delete_count(
            session, delete(DeviceCollectionRow).where(DeviceCollectionRow.run_key.in_(chunk))
        )
    return removed


def _prune_imported_bundles(session: Session, before: datetime) -> int:
    """Old register entries, keeping each collector's highest sequence (the replay guard)."""
    newest = dict(
        session.execute(
            select(ImportedBundleRow.collector_id, func.max(ImportedBundleRow.sequence)).group_by(
                ImportedBundleRow.collector_id
            )
        ).all()
    )
    old = session.execute(
        select(
            ImportedBundleRow.id, ImportedBundleRow.collector_id, ImportedBundleRow.sequence
        ).where(ImportedBundleRow.imported_at < before)
    ).all()
    doomed = [row_id for row_id, collector, sequence in old if sequence < newest[collector]]
    removed = 0
    for chunk in chunks(doomed):
        removed += _delete_count(
            session, delete(ImportedBundleRow).where(ImportedBundleRow.id.in_(chunk))
        )
    return removed


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

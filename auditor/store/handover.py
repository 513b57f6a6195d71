"""Store side of collection that happens elsewhere: imported bundles and distributed workers.

Kept beside the repository instead of in :class:`~auditor.store.protocol.AuditStore`: the audit
service never needs these, only ``auditor import`` and the Celery workers and dispatcher do.
Both tables rely on unique constraints, so a replayed bundle or a re-delivered task is refused
by the database itself, even when two processes race.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError

from auditor.store.models import DeviceCollectionRow, ImportedBundleRow
from auditor.store.repository import Store


class BundleAlreadyImportedError(Exception):
    """A bundle id or (collector, sequence) that the register already holds."""


@dataclass(frozen=True)
class BundleClaim:
    bundle_id: str
    collector_id: str
    sequence: int
    sha256: str
    created_at: datetime


@dataclass(frozen=True)
class ImportedBundle:
    bundle_id: str
    collector_id: str
    sequence: int
    imported_at: datetime
    run_id: int | None


def last_sequence(store: Store, collector_id: str) -> int | None:
    """The highest sequence number imported from ``collector_id`` (``None``: none yet)."""
    with store._transaction(write=False) as session:
        value = session.scalar(
            select(func.max(ImportedBundleRow.sequence)).where(
                ImportedBundleRow.collector_id == collector_id
            )
        )
    return None if value is None else int(value)


def find_bundle(store: Store, bundle_id: str) -> ImportedBundle | None:
    with store._transaction(write=False) as session:
        row = session.scalar(
            select(ImportedBundleRow).where(ImportedBundleRow.bundle_id == bundle_id)
        )
        if row is None:
            return None
        return ImportedBundle(
            row.bundle_id, row.collector_id, row.sequence, row.imported_at, row.run_id
        )


def claim_bundles(store: Store, claims: Sequence[BundleClaim], *, now: datetime) -> None:
    """Enter ``claims`` into the register in one transaction, or none of them."""
    try:
        with store._transaction(write=True) as session:
            for claim in claims:
                session.add(
                    ImportedBundleRow(
                        bundle_id=claim.bundle_id,
                        collector_id=claim.collector_id,
                        sequence=claim.sequence,
                        sha256=claim.sha256,
                        created_at=claim.created_at,
                        imported_at=now,
                        run_id=None,
                    )
                )
    except IntegrityError as exc:
        raise BundleAlreadyImportedError(str(exc.orig)) from exc


def attach_run(store: Store, bundle_ids: Sequence[str], run_id: int | None) -> None:
    with store._transaction(write=True) as session:
        session.execute(
            update(ImportedBundleRow)
            .where(ImportedBundleRow.bundle_id.in_(list(bundle_ids)))
            .values(run_id=run_id)
        )


def release_bundles(store: Store, bundle_ids: Sequence[str]) -> None:
    """Take claims back when the audit of the bundles failed: nothing of them stays stored."""
    with store._transaction(write=True) as session:
        session.execute(
            delete(ImportedBundleRow).where(ImportedBundleRow.bundle_id.in_(list(bundle_ids)))
        )


# -- distributed collection -----------------------------------------------------------------


@dataclass(frozen=True)
class DeviceReport:
    device: str
    queue: str
    worker: str
    snapshot: str | None
    failures: str
    evidence: str
    reported_at: datetime


def _row(run_key: str, report: DeviceReport) -> DeviceCollectionRow:
    return DeviceCollectionRow(
        run_key=run_key,
        device=report.device,
        queue=report.queue,
        worker=report.worker,
        snapshot=report.snapshot,
        failures=report.failures,
        evidence=report.evidence,
        reported_at=report.reported_at,
    )


def report_collection(store: Store, run_key: str, report: DeviceReport) -> bool:
    """Write one device's collection for ``run_key``; ``False`` when it was already reported.

    The unique (run_key, device) constraint makes this idempotent across re-delivered tasks and
    racing workers: the first report stays, later ones are dropped.
    """
    try:
        with store._transaction(write=True) as session:
            session.add(_row(run_key, report))
    except IntegrityError:
        return False
    return True


def report_collections(store: Store, run_key: str, batch: Sequence[DeviceReport]) -> set[str]:
    """Write a batch of devices' collections in one transaction; returns the devices written.

    One commit per batch instead of one per device (a worker's batch task). When any device of
    the batch was already reported (a re-delivered batch racing another worker), the batch falls
    back to one transaction per device, so each device still keeps exactly its first report.
    """
    if not batch:
        return set()
    try:
        with store._transaction(write=True) as session:
            session.add_all(_row(run_key, report) for report in batch)
    except IntegrityError:
        return {r.device for r in batch if report_collection(store, run_key, r)}
    return {report.device for report in batch}


def reported_devices(store: Store, run_key: str, devices: Sequence[str]) -> set[str]:
    """Which of ``devices`` already reported for ``run_key`` (one query for a batch)."""
    if not devices:
        return set()
    with store._transaction(write=False) as session:
        found = session.scalars(
            select(DeviceCollectionRow.device).where(
                DeviceCollectionRow.run_key == run_key,
                DeviceCollectionRow.device.in_(list(devices)),
            )
        ).all()
    return {str(name) for name in found}


def is_reported(store: Store, run_key: str, device: str) -> bool:
    with store._transaction(write=False) as session:
        found = session.scalar(
            select(DeviceCollectionRow.id).where(
                DeviceCollectionRow.run_key == run_key, DeviceCollectionRow.device == device
            )
        )
    return found is not None


def reported_count(store: Store, run_key: str) -> int:
    with store._transaction(write=False) as session:
        value = session.scalar(
            select(func.count(DeviceCollectionRow.id)).where(DeviceCollectionRow.run_key == run_key)
        )
    return int(value or 0)


def reports(store: Store, run_key: str) -> list[DeviceReport]:
    with store._transaction(write=False) as session:
        rows = session.scalars(
            select(DeviceCollectionRow)
            .where(DeviceCollectionRow.run_key == run_key)
            .order_by(DeviceCollectionRow.id)
        ).all()
        return [
            DeviceReport(
                r.device, r.queue, r.worker, r.snapshot, r.failures, r.evidence, r.reported_at
            )
            for r in rows
        ]


def utcnow() -> datetime:
    return datetime.now(UTC)

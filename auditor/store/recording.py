"""What ``Store.record_run`` does inside its transaction: devices, snapshots, evidence, lifecycle."""

from __future__ import annotations

import hashlib
import json
import mimetypes
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, func, insert, select, update
from sqlalchemy.orm import Session

from auditor.model.findings import Finding, Outcome
from auditor.model.snapshot import DeviceSnapshot
from auditor.policy.models import Policy
from auditor.redact import installation_salt, redact_text
from auditor.store.events import EventLog
from auditor.store.integrity import content_digest, seen_key
from auditor.store.lifecycle import exception_key, matching_exception, may_resolve
from auditor.store.models import (
    CollectionErrorRow,
    DeviceRow,
    EvidenceRow,
    FindingRow,
    ResultSetCellRow,
    ResultSetRow,
    RunEvidenceRow,
    RunResultSetRow,
    SnapshotRow,
)
from auditor.store.records import CheckResult, EventType, FindingStatus, RunStatus
from auditor.store.types import utc

CHUNK = 500
_FINDINGS = FindingRow.metadata.tables["findings"]
COLLECTION_CHECK_PREFIX = "COL-"


def chunks(items: Sequence[Any], size: int = CHUNK) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def device_ids(session: Session, names: Sequence[str]) -> dict[str, int]:
    known: dict[str, int] = {}
    for chunk in chunks(names):
        query = select(DeviceRow.name, DeviceRow.id).where(DeviceRow.name.in_(chunk))
        for name, device_id in session.execute(query):
            known[name] = device_id
    return known


def ensure_devices(session: Session, names: Iterable[str], at: datetime) -> dict[str, int]:
    wanted = sorted(set(names))
    known = device_ids(session, wanted)
    missing = [name for name in wanted if name not in known]
    if missing:
        session.execute(insert(DeviceRow), [{"name": name, "first_seen": at} for name in missing])
        known.update(device_ids(session, missing))
    return known


def store_snapshots(
    session: Session,
    run_id: int,
    snapshots: Mapping[str, DeviceSnapshot],
    device_ids: Mapping[str, int],
) -> tuple[int, int]:
    """Full JSON only when the content hash differs from the device's previous snapshot."""
    if not snapshots:
        return 0, 0
    ids = sorted({device_ids[name] for name in snapshots})
    previous: dict[int, str] = {}
    for chunk in chunks(ids):
        newest = (
            select(func.max(SnapshotRow.id))
            .where(SnapshotRow.device_id.in_(chunk))
            .group_by(SnapshotRow.device_id)
        )
        query = select(SnapshotRow.device_id, SnapshotRow.content_hash).where(
            SnapshotRow.id.in_(newest)
        )
        for device_id, content_hash in session.execute(query):
            previous[device_id] = content_hash
    rows: list[dict[str, Any]] = []
    written = 0
    for name, snapshot in snapshots.items():
        device_id = device_ids[name]
        content_hash = snapshot.content_hash()
        changed = previous.get(device_id) != content_hash
        written += changed
        rows.append(
            {
                "run_id": run_id,
                "device_id": device_id,
                "collected_at": utc(snapshot.collected_at),
                "schema_version": snapshot.schema_version,
                "content_hash": content_hash,
                "changed": changed,
                "data": snapshot.model_dump(mode="json") if changed else None,
                "volatile": snapshot.volatile_state(),
            }
        )
    session.execute(insert(SnapshotRow), rows)
    return written, len(rows) - written


def media_type(label: str, data: bytes) -> str:
    guessed, _ = mimetypes.guess_type(label)
    if guessed:
        return guessed
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return "application/octet-stream"
    return "text/plain; charset=utf-8"


def store_evidence(
    session: Session,
    run_id: int,
    evidence: Mapping[str, Sequence[tuple[str, bytes]]],
    at: datetime,
) -> int:
    """Blobs by SHA-256 (each stored once, ever) plus one link row per (run, device, label)."""
    blobs: dict[str, dict[str, Any]] = {}
    links: list[dict[str, Any]] = []
    for device, items in evidence.items():
        for label, data in items:
            digest = hashlib.sha256(data).hexdigest()
            blobs.setdefault(
                digest,
                {
                    "sha256": digest,
                    "media_type": media_type(label, data),
                    "size": len(data),
                    "data": data,
                    "created_at": at,
                },
            )
            links.append(
                {"run_id": run_id, "device": device or None, "label": label, "sha256": digest}
            )
    if not links:
        return 0
    existing: set[str] = set()
    for chunk in chunks(sorted(blobs)):
        existing.update(
            session.scalars(select(EvidenceRow.sha256).where(EvidenceRow.sha256.in_(chunk)))
        )
    new_blobs = [blob for digest, blob in blobs.items() if digest not in existing]
    if new_blobs:
        session.execute(insert(EvidenceRow), new_blobs)
    session.execute(insert(RunEvidenceRow), links)
    return len(new_blobs)


@dataclass
class Tally:
    seen: int = 0
    new: int = 0
    reopened: int = 0
    resolved: int = 0
    suppressed: int = 0
    unsuppressed: int = 0
    errors: int = 0
    by_severity: dict[str, int] = field(default_factory=dict)
    seen_digests: dict[str, str] = field(default_factory=dict)
    """Fingerprint prefix → content digest of each finding seen, for the run_finished event."""

    def as_json(self) -> dict[str, Any]:
        return {
            "seen": self.seen,
            "new": self.new,
            "reopened": self.reopened,
            "resolved": self.resolved,
            "suppressed": self.suppressed,
            "unsuppressed": self.unsuppressed,
            "errors": self.errors,
            "by_severity": dict(self.by_severity),
        }


EXISTING_COLUMNS = (
    FindingRow.id,
    FindingRow.fingerprint,
    FindingRow.status,
    FindingRow.severity,
    FindingRow.device,
    FindingRow.check_id,
    FindingRow.exception_id,
)


def apply_lifecycle(
    session: Session,
    *,
    run_id: int,
    findings: Sequence[Finding],
    covered_devices: set[str],
    evaluated_checks: set[str],
    policy: Policy,
    at: datetime,
    complete: bool,
    events: EventLog,
) -> Tally:
    """new → open, resolved → reopened, unseen → resolved (when allowed), exceptions → suppressed."""
    seen: dict[str, Finding] = {}
    for finding in findings:
        if finding.outcome != Outcome.NOT_APPLICABLE:
            seen.setdefault(finding.fingerprint, finding)

    existing = {
        row.fingerprint: row
        for row in session.execute(
            select(*EXISTING_COLUMNS).where(FindingRow.status != FindingStatus.RESOLVED.value)
        )
    }
    unknown = [fingerprint for fingerprint in seen if fingerprint not in existing]
    for chunk in chunks(unknown):
        for row in session.execute(
            select(*EXISTING_COLUMNS).where(FindingRow.fingerprint.in_(chunk))
        ):
            existing[row.fingerprint] = row

    tally = Tally(seen=len(seen))
    redact_once.use_installation_salt()
    digests: dict[str, str] = {}
    inserts: list[dict[str, Any]] = []
    updates: list[dict[str, Any]] = []
    reopen_updates: list[dict[str, Any]] = []
    for fingerprint, finding in seen.items():
        exception = matching_exception(
            policy.exceptions,
            check_id=finding.check_id,
            device=finding.device,
            subject=finding.subject,
            now=at,
        )
        exception_id = exception_key(exception) if exception is not None else None
        values = finding_values(finding, run_id, at)
        digests[seen_key(fingerprint)] = content_digest(values)
        if finding.outcome == Outcome.ERROR:
            tally.errors += 1
        old = existing.get(fingerprint)
        if old is None:
            status = FindingStatus.SUPPRESSED if exception_id else FindingStatus.NEW
            inserts.append(
                {
                    **values,
                    "fingerprint": fingerprint,
                    "status": status.value,
                    "first_seen": at,
                    "first_run_id": run_id,
                    "resolved_at": None,
                    "exception_id": exception_id,
                }
            )
            tally.new += 1
            events.add(fingerprint, EventType.CREATED, created_payload(finding, status))
            if exception_id:
                tally.suppressed += 1
                events.add(fingerprint, EventType.SUPPRESSED, {"exception_id": exception_id})
        else:
            old_status = FindingStatus(old.status)
            status = transition(old_status, old.exception_id, exception_id, fingerprint, events)
            if status == FindingStatus.SUPPRESSED and old_status != FindingStatus.SUPPRESSED:
                tally.suppressed += 1
            elif status == FindingStatus.REOPENED:
                tally.reopened += 1
            elif old_status == FindingStatus.SUPPRESSED and status == FindingStatus.OPEN:
                tally.unsuppressed += 1
            if old.severity != finding.severity.value:
                events.add(
                    fingerprint,
                    EventType.SEVERITY_CHANGED,
                    {"from": old.severity, "to": finding.severity.value},
                )
            change = {
                **values,
                "id": old.id,
                "status": status.value,
                "resolved_at": None,
                "exception_id": exception_id,
            }
            if status == FindingStatus.REOPENED:
                reopen_updates.append({**change, "acknowledged_by": None, "acknowledged_at": None})
            else:
                updates.append(change)
        if status != FindingStatus.SUPPRESSED and finding.outcome == Outcome.FAIL:
            severity = finding.severity.value
            tally.by_severity[severity] = tally.by_severity.get(severity, 0) + 1

    resolved: list[dict[str, Any]] = []
    for fingerprint, old in existing.items():
        if fingerprint in seen or old.status == FindingStatus.RESOLVED.value:
            continue
        if may_resolve(
            device=old.device,
            check_id=old.check_id,
            covered_devices=covered_devices,
            evaluated_checks=evaluated_checks,
            complete=complete,
        ):
            resolved.append(
                {
                    "id": old.id,
                    "status": FindingStatus.RESOLVED.value,
                    "resolved_at": at,
                    "exception_id": None,
                }
            )
            events.add(fingerprint, EventType.RESOLVED, {"from": old.status})
    tally.resolved = len(resolved)
    tally.seen_digests = digests

    for chunk in chunks(inserts, 2000):
        session.execute(insert(_FINDINGS), list(chunk))
    for batch in (updates, reopen_updates, resolved):
        for chunk in chunks(batch, 2000):
            _update_by_id(session, chunk)
    return tally


def transition(
    old: FindingStatus,
    old_exception: str | None,
    exception_id: str | None,
    fingerprint: str,
    events: EventLog,
) -> FindingStatus:
    """The status of a finding seen again, appending the event that explains the change."""
    if exception_id is not None:
        if old != FindingStatus.SUPPRESSED or old_exception != exception_id:
            events.add(
                fingerprint, EventType.SUPPRESSED, {"from": old.value, "exception_id": exception_id}
            )
        return FindingStatus.SUPPRESSED
    if old == FindingStatus.SUPPRESSED:
        events.add(fingerprint, EventType.UNSUPPRESSED, {"exception_id": old_exception})
        return FindingStatus.OPEN
    if old == FindingStatus.RESOLVED:
        events.add(fingerprint, EventType.REOPENED, {})
        return FindingStatus.REOPENED
    if old == FindingStatus.IN_PROGRESS:
        return FindingStatus.IN_PROGRESS  # still there: the city is still working on it
    if old in (FindingStatus.NEW, FindingStatus.REOPENED):
        events.add(fingerprint, EventType.SEEN, {"from": old.value})
    return FindingStatus.OPEN


class _TextRedactor:
    """Redacts a finding's free text once, when it is recorded, so no export has to again.

    The salt is the installation's (:func:`auditor.redact.installation_salt`), the one the
    collected configurations and the exports use: a secret redacts to the same marker in every
    process and every run, so a finding's stored text (and its content digest) stays put.
    Messages repeat from run to run, so a bounded cache makes a daemon's later runs cheap.
    Device and subject stay as the checks wrote them: the lifecycle, exceptions and manual
    suppressions match on them (the report still redacts those two, through its cache).
    """

    LIMIT = 250_000

    def __init__(self) -> None:
        self._salt: bytes | None = None
        self._cache: dict[str, str] = {}

    def use_installation_salt(self) -> None:
        """Pick up the installation salt (once per recorded run; a changed salt empties the cache)."""
        salt = installation_salt()
        if salt != self._salt:
            self._salt = salt
            self._cache.clear()

    def __call__(self, text: str) -> str:
        if not text:
            return text
        if self._salt is None:
            self.use_installation_salt()
        cached = self._cache.get(text)
        if cached is None:
            assert self._salt is not None
            cached = redact_text(text, salt=self._salt)
            if len(self._cache) >= self.LIMIT:
                self._cache.clear()
            self._cache[text] = cached
        return cached


redact_once = _TextRedactor()


def finding_values(finding: Finding, run_id: int, at: datetime) -> dict[str, Any]:
    """The row's values; messages and evidence details are stored redacted (``redacted``)."""
    evidence = [item.model_dump(mode="json") for item in finding.evidence]
    for item in evidence:
        if isinstance(item.get("detail"), str):
            item["detail"] = redact_once(item["detail"])
    return {
        "check_id": finding.check_id,
        "device": finding.device,
        "subject": finding.subject,
        "zone": finding.zone,
        "severity": finding.severity.value,
        "outcome": finding.outcome.value,
        "message_en": redact_once(finding.message_en),
        "message_ja": redact_once(finding.message_ja),
        "references": [reference.model_dump(mode="json") for reference in finding.references],
        "evidence": evidence,
        "last_seen": at,
        "last_run_id": run_id,
        "redacted": True,
    }


def created_payload(finding: Finding, status: FindingStatus) -> dict[str, Any]:
    return {
        "check_id": finding.check_id,
        "device": finding.device,
        "subject": finding.subject,
        "severity": finding.severity.value,
        "outcome": finding.outcome.value,
        "status": status.value,
    }


def record_collection_errors(
    session: Session, run_id: int, findings: Sequence[Finding], at: datetime
) -> None:
    rows = {
        (finding.device, finding.check_id)
        for finding in findings
        if finding.outcome == Outcome.ERROR
        and finding.device is not None
        and finding.check_id.startswith(COLLECTION_CHECK_PREFIX)
    }
    if rows:
        session.execute(
            insert(CollectionErrorRow),
            [
                {"run_id": run_id, "device": device, "check_id": check_id, "at": at}
                for device, check_id in sorted(rows)
            ],
        )


def run_status(attempted: Sequence[str], covered: set[str], complete: bool) -> RunStatus:
    if not complete:
        return RunStatus.INCOMPLETE
    missing = set(attempted) - covered
    if attempted and missing == set(attempted):
        return RunStatus.FAILED
    return RunStatus.PARTIAL if missing else RunStatus.COMPLETE


def _update_by_id(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    """A Core executemany UPDATE keyed on ``id`` (rows share their keys); ORM bulk updates spend
    most of their time in Python bookkeeping that is not needed here."""
    table = _FINDINGS
    columns = [name for name in rows[0] if name != "id"]
    statement = (
        update(table)
        .where(table.c.id == bindparam("old_id"))
        .values({name: bindparam(f"new_{name}") for name in columns})
    )
    parameters = [
        {"old_id": row["id"], **{f"new_{name}": row[name] for name in columns}} for row in rows
    ]
    session.execute(statement, parameters)


ResultCell = tuple[str, str, str | None, str | None]
"""One stored result of a check: (target, outcome, reason_en, reason_ja)."""


def result_set_digest(cells: Sequence[ResultCell]) -> str:
    """SHA-256 of a check's cells sorted by target: equal sets of results, equal digests."""
    canonical = json.dumps(sorted(cells), ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def store_results(session: Session, run_id: int, results: Sequence[CheckResult]) -> int:
    """The control matrix of the run: one cell per (check, target), the last result wins.

    Each check's cells are stored content-addressed: a set this city already stored with the
    same digest is linked, not copied, so an unchanged poll adds one link per check and no
    cells. Returns the number of cells the run has (stored or reused).
    """
    by_check: dict[str, dict[str, ResultCell]] = {}
    for result in results:
        target = result.target[:255]
        cells = by_check.setdefault(result.check_id, {})
        cells[target] = (target, result.outcome.value, result.reason_en, result.reason_ja)
    digests = {check: result_set_digest(list(cells.values())) for check, cells in by_check.items()}
    known: dict[tuple[str, str], int] = {}
    for chunk in chunks(sorted(set(digests.values()))):
        query = select(ResultSetRow.check_id, ResultSetRow.digest, ResultSetRow.id).where(
            ResultSetRow.digest.in_(chunk)
        )
        for check_id, digest, known_id in session.execute(query):
            known[(check_id, digest)] = known_id
    links: list[dict[str, Any]] = []
    new_cells: list[dict[str, Any]] = []
    for check_id in sorted(by_check):
        digest = digests[check_id]
        found = known.get((check_id, digest))
        if found is None:
            row = ResultSetRow(check_id=check_id, digest=digest)
            session.add(row)
            session.flush()
            set_id = known[(check_id, digest)] = row.id
            new_cells.extend(
                {
                    "set_id": set_id,
                    "target": target,
                    "outcome": outcome,
                    "reason_en": reason_en,
                    "reason_ja": reason_ja,
                }
                for target, outcome, reason_en, reason_ja in sorted(by_check[check_id].values())
            )
        else:
            set_id = found
        links.append({"run_id": run_id, "set_id": set_id})
    for chunk in chunks(new_cells, 2000):
        session.execute(insert(ResultSetCellRow), list(chunk))
    if links:
        session.execute(insert(RunResultSetRow), links)
    return sum(len(cells) for cells in by_check.values())

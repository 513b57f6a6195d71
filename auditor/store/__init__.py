"""The findings store: SQLAlchemy models, Alembic migrations and the :class:`Store` repository."""

from auditor.store.errors import (
    AmbiguousFingerprint,
    EvidenceNotFound,
    FindingNotFound,
    RunAlreadyRecorded,
    RunNotFound,
    SchemaNotCurrent,
    StoreError,
    StoreUnavailable,
)
from auditor.store.migrate import upgrade
from auditor.store.outbox_models import OutboxRow  # noqa: F401 (registers the table)
from auditor.store.protocol import AuditStore
from auditor.store.records import (
    EventRecord,
    EventType,
    EvidenceLink,
    FindingRecord,
    FindingStatus,
    MatrixRecord,
    RunRecord,
    RunScope,
    RunStatus,
    RunSummary,
    VerifyResult,
)
from auditor.store.repository import Store
from auditor.store.url import resolve_db_url

__all__ = [
    "AmbiguousFingerprint",
    "AuditStore",
    "EventRecord",
    "EventType",
    "EvidenceLink",
    "EvidenceNotFound",
    "FindingNotFound",
    "FindingRecord",
    "FindingStatus",
    "MatrixRecord",
    "RunAlreadyRecorded",
    "RunNotFound",
    "RunRecord",
    "RunScope",
    "RunStatus",
    "RunSummary",
    "SchemaNotCurrent",
    "Store",
    "StoreError",
    "StoreUnavailable",
    "VerifyResult",
    "resolve_db_url",
    "upgrade",
]

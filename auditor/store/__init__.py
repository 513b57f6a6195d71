"""The findings store: SQLAlchemy models, Alembic migrations and the :class:`Store` repository.

The names below are loaded on first use (PEP 562): importing a light submodule such as
``auditor.store.records`` or ``auditor.store.errors`` must not pull in SQLAlchemy and Alembic,
which cost a command that never opens the store a third of a second at start-up.
"""

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
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

_HOMES = {
    **dict.fromkeys(
        (
            "AmbiguousFingerprint",
            "EvidenceNotFound",
            "FindingNotFound",
            "RunAlreadyRecorded",
            "RunNotFound",
            "SchemaNotCurrent",
            "StoreError",
            "StoreUnavailable",
        ),
        "errors",
    ),
    **dict.fromkeys(
        (
            "EventRecord",
            "EventType",
            "EvidenceLink",
            "FindingRecord",
            "FindingStatus",
            "MatrixRecord",
            "RunRecord",
            "RunScope",
            "RunStatus",
            "RunSummary",
            "VerifyResult",
        ),
        "records",
    ),
    "upgrade": "migrate",
    "AuditStore": "protocol",
    "Store": "repository",
    "resolve_db_url": "url",
}


def __getattr__(name: str) -> Any:
    """Load a public name from its submodule the first time it is asked for."""
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f"{__name__}.{home}"), name)
    globals()[name] = value
    return value

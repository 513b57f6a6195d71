"""Store errors: callers branch on the class, never on driver messages."""

from __future__ import annotations


class StoreError(Exception):
    """Base class of everything the findings store raises on purpose."""


class StoreUnavailable(StoreError):  # noqa: N818 (public API names)
    """The database is busy, locked or unreachable; the operation may be retried later."""


class SchemaNotCurrent(StoreError):  # noqa: N818 (public API names)
    """The database has no (or an older) store schema; ``auditor db upgrade`` creates it."""


class RunNotFound(StoreError, LookupError):  # noqa: N818 (public API names)
    """No run has the given id."""


class RunAlreadyRecorded(StoreError):  # noqa: N818 (public API names)
    """``record_run`` was called for a run that is no longer running (recording is one-shot)."""


class FindingNotFound(StoreError, LookupError):  # noqa: N818 (public API names)
    """No finding fingerprint starts with the given prefix."""


class AmbiguousFingerprint(StoreError, LookupError):  # noqa: N818 (public API names)
    """Several findings share the given fingerprint prefix; a longer prefix is needed."""


class EvidenceNotFound(StoreError, LookupError):  # noqa: N818 (public API names)
    """No evidence blob has the given SHA-256."""

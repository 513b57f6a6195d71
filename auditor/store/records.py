"""What the store hands out: frozen records and the status vocabularies, never ORM objects."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from auditor.model.findings import EvidenceRef, Outcome, Reference, Severity


class FindingStatus(StrEnum):
    NEW = "new"
    OPEN = "open"
    RESOLVED = "resolved"
    REOPENED = "reopened"
    SUPPRESSED = "suppressed"
    IN_PROGRESS = "in_progress"
    """対応中: the city works on it; a later run keeps it so, or resolves it when it is gone."""


ACTIVE_STATUSES = frozenset(
    {
        FindingStatus.NEW,
        FindingStatus.OPEN,
        FindingStatus.REOPENED,
        FindingStatus.SUPPRESSED,
        FindingStatus.IN_PROGRESS,
    }
)
"""Statuses of a finding that is still present on the network (suppressed ones included)."""


class EventType(StrEnum):
    CREATED = "created"
    SEEN = "seen"
    RESOLVED = "resolved"
    REOPENED = "reopened"
    SUPPRESSED = "suppressed"
    UNSUPPRESSED = "unsuppressed"
    ACKED = "acked"
    SEVERITY_CHANGED = "severity_changed"
    RUN_FINISHED = "run_finished"
    """One per ended run (fingerprint ``run:<id>``): its end state and the findings it saw."""
    CONFIG_EXPORTED = "config_exported"
    """An operator exported configurations (recovery kit); subject: ``operator_subject()``."""
    # The city's workflow (``auditor findings assign|comment|due|progress``); the payload of the
    # two status events names the new status under ``"to"``.
    ASSIGNED = "assigned"
    COMMENTED = "commented"
    DUE_SET = "due_set"
    PROGRESS_STARTED = "progress_started"
    PROGRESS_STOPPED = "progress_stopped"
    SUPPRESSION_REQUESTED = "suppression_requested"
    """Someone asked for a manual suppression (web console); an approver's ``suppressed`` event
    follows. Changes no state: the request lives in the chain only."""
    # The web console's accounts (subject ``operator:web``; the payload names the address and
    # outcome, never a password): operator events, chained only.
    WEB_SIGNED_IN = "web_signed_in"
    WEB_SIGNED_OUT = "web_signed_out"
    WEB_SIGN_IN_FAILED = "web_sign_in_failed"
    WEB_USER_CHANGED = "web_user_changed"
    """``auditor web user add|passwd|disable``: ``action``, ``user``, ``role``."""


WORKFLOW_EVENTS = frozenset(
    {
        EventType.ASSIGNED,
        EventType.COMMENTED,
        EventType.DUE_SET,
        EventType.PROGRESS_STARTED,
        EventType.PROGRESS_STOPPED,
    }
)


class RunStatus(StrEnum):
    RUNNING = "running"
    COMPLETE = "complete"
    PARTIAL = "partial"
    INCOMPLETE = "incomplete"
    FAILED = "failed"


class RunScope(StrEnum):
    FULL = "full"
    PARTIAL = "partial"


@dataclass(frozen=True, slots=True)
class FindingRecord:
    fingerprint: str
    check_id: str
    device: str | None
    subject: str
    zone: str | None
    severity: Severity
    outcome: Outcome
    message_en: str
    message_ja: str
    references: tuple[Reference, ...]
    evidence: tuple[EvidenceRef, ...]
    status: FindingStatus
    first_seen: datetime
    last_seen: datetime
    resolved_at: datetime | None
    first_run_id: int | None
    last_run_id: int | None
    exception_id: str | None
    acknowledged_by: str | None
    acknowledged_at: datetime | None
    owner: str | None = None
    """所管課: the department the city assigned the finding to."""
    due: date | None = None
    redacted: bool = False
    """Messages and evidence details were redacted when recorded: the report need not again."""


@dataclass(frozen=True, slots=True)
class EventRecord:
    id: int
    fingerprint: str
    run_id: int | None
    event_type: EventType
    actor: str
    at: datetime
    payload: Mapping[str, Any]
    prev_hash: str
    hash: str


@dataclass(frozen=True)
class RunRecord:
    id: int
    kind: str
    scope: RunScope
    status: RunStatus
    started_at: datetime
    finished_at: datetime | None
    devices: tuple[str, ...]
    devices_attempted: int
    devices_collected: int
    finding_counts: Mapping[str, Any]
    tool_version: str
    rule_pack_hash: str | None
    policy_hash: str | None
    note: str | None
    pid: int | None = None
    """Process that opened the run, on ``host`` (``None`` in databases before revision 0003)."""
    host: str | None = None


@dataclass(frozen=True)
class RunSummary:
    """What one ``record_run`` changed; ``finding_counts`` is also stored on the run row."""

    run_id: int
    status: RunStatus
    findings_seen: int
    new: int
    reopened: int
    resolved: int
    suppressed: int
    unsuppressed: int
    errors: int
    by_severity: Mapping[str, int] = field(default_factory=dict)
    snapshots_written: int = 0
    snapshots_unchanged: int = 0
    evidence_blobs_stored: int = 0
    events_appended: int = 0
    results_stored: int = 0


@dataclass(frozen=True)
class EvidenceLink:
    run_id: int
    device: str | None
    label: str
    sha256: str
    media_type: str
    size: int


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    events_checked: int
    first_broken_event_id: int | None
    reason: str | None
    head_hash: str | None = None
    """Hash of the last event: print it somewhere else (report, log) to anchor the chain."""
    findings_checked: int = 0
    runs_checked: int = 0
    mismatches: tuple[str, ...] = ()
    """Rows of ``findings``/``runs`` that differ from what their events say (first 200)."""
    mismatch_count: int = 0
    unprovable_findings: int = 0
    """Findings last seen before runs recorded ``run_finished`` events (older databases): their
    last sighting and content cannot be proven, only their lifecycle."""
    unprovable_runs: int = 0
    expected_head: str | None = None
    expected_head_found: bool | None = None
    """``None`` when no head was expected; else whether the expected head is in the chain."""
    events_after_expected: int | None = None


@dataclass(frozen=True)
class ChainHead:
    """The chain's head row: print it in reports so a later ``verify --expect-head`` can anchor."""

    event_id: int
    hash: str


@dataclass(frozen=True)
class ChainStatus:
    """The head of an intact chain (``head_hash``), or why it is not intact (``head_hash=None``)."""

    intact: bool
    head_event_id: int
    head_hash: str | None
    events_checked: int
    from_event_id: int
    """The checkpoint's event, re-hashed first (0: no checkpoint, the walk began at event 1)."""
    reason: str | None = None


@dataclass(frozen=True)
class MatrixRecord:
    """The zone matrix a run stored: its JSON (``ZoneMatrix.to_json``) or why it is missing."""

    run_id: int
    run_kind: str
    run_started_at: datetime
    computed_at: datetime
    data: Mapping[str, Any] | None
    error: str | None


class ResultOutcome(StrEnum):
    """One cell of the control matrix: what a run concluded about one check on one target."""

    PASS = "pass"  # noqa: S105 (an outcome, not a password)
    FAIL = "fail"
    NOT_APPLICABLE = "not_applicable"
    NOT_EVALUATED = "not_evaluated"


NETWORK_TARGET = "network"
"""The target of a check that judges the whole network rather than one device."""


@dataclass(frozen=True)
class CheckResult:
    """What one run concluded for one (check, target); the reason says why N/A or not evaluated."""

    check_id: str
    target: str
    outcome: ResultOutcome
    reason_en: str | None = None
    reason_ja: str | None = None


@dataclass(frozen=True)
class ResultRecord:
    """A stored :class:`CheckResult` of run ``run_id``."""

    run_id: int
    check_id: str
    target: str
    outcome: ResultOutcome
    reason_en: str | None
    reason_ja: str | None

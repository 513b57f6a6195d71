"""Plain dataclasses the renderers consume: no ORM objects, no store handles, no I/O."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone

from auditor.model.findings import AuditGrade, Severity

JST = timezone(timedelta(hours=9), "JST")
"""Readers are in Japan: every timestamp a person reads is shown in Japan Standard Time."""

SEVERITY_ORDER: tuple[Severity, ...] = (
    Severity.CRITICAL,
    Severity.HIGH,
    Severity.MEDIUM,
    Severity.LOW,
    Severity.INFO,
)


GRADE_ORDER: tuple[AuditGrade, ...] = (
    AuditGrade.MAJOR,
    AuditGrade.MINOR,
    AuditGrade.OBSERVATION,
    AuditGrade.EVIDENCE_REQUIRED,
    AuditGrade.SCOPE_LIMITATION,
)


@dataclass(frozen=True, slots=True)
class ReferenceLabel:
    """One reference of a finding as a reader sees it (guideline section, plan item, CIS…)."""

    kind: str
    key: str
    label_ja: str
    label_en: str


@dataclass(frozen=True, slots=True)
class Suppression:
    """Why a finding is suppressed: a policy exception or a manual ``findings suppress``."""

    exception_id: str | None
    reason: str
    approver: str
    approval_number: str
    expires: date | None
    actor: str | None = None
    at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Comment:
    """A comment of the city's workflow (``auditor findings comment``), from the event log."""

    by: str
    at: datetime
    text: str


@dataclass(frozen=True, slots=True)
class EvidenceItem:
    source: str
    detail: str
    blob_sha256: str | None


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    """One change in a finding's life (``seen`` events left out): when, what, who, and any note."""

    at: datetime
    event: str
    actor: str
    note: str = ""
    status: str = ""
    """The status the change led to, where it is known (``resolved``, ``reopened``…)."""


@dataclass(frozen=True, slots=True)
class ReportFinding:
    """A finding flattened for every output format; text fields are already redacted."""

    fingerprint: str
    check_id: str
    device: str | None
    subject: str
    zone: str | None
    severity: Severity
    outcome: str
    status: str
    message_ja: str
    message_en: str
    first_seen: datetime
    last_seen: datetime
    resolved_at: datetime | None
    age_days: int
    guideline: tuple[ReferenceLabel, ...] = ()
    plan: tuple[ReferenceLabel, ...] = ()
    other_references: tuple[ReferenceLabel, ...] = ()
    evidence: tuple[EvidenceItem, ...] = ()
    acknowledged_by: str | None = None
    acknowledged_at: datetime | None = None
    suppression: Suppression | None = None
    is_new: bool = False
    grade: AuditGrade = AuditGrade.OBSERVATION
    """The audit grade (``auditor.policy.grades.audit_grade``), computed once when flattened."""
    owner: str | None = None
    """所管課 (``auditor findings assign``): the to-do list groups by it."""
    due: date | None = None
    comments: tuple[Comment, ...] = ()

    @property
    def in_progress(self) -> bool:
        """対応中: the city has started on it (still open, counted as open)."""
        return self.status == "in_progress"

    edition: str | None = None
    """The guideline edition the guideline references are numbered for (``R6.10``…)."""
    history: tuple[HistoryEntry, ...] = ()
    """Status changes and acknowledgements, oldest first (loaded for exports, empty otherwise)."""
    recommendation: str = ""
    """The rule's Remediation text."""
    title_ja: str = ""
    """The rule's Japanese title: what the to-do list names."""
    title_en: str = ""
    responsible: str = ""
    """Who acts (所管課): the finding's owner, else the zone's or device's department, else the
    information-management division."""

    @property
    def is_collection_error(self) -> bool:
        return self.check_id.startswith("COL-")

    @property
    def is_scope_limitation(self) -> bool:
        """The auditor's own limit (監査範囲の制約), not a non-conformity of the city."""
        return self.grade is AuditGrade.SCOPE_LIMITATION

    @property
    def is_evidence_required(self) -> bool:
        """What the network cannot show (証跡確認が必要): neither a pass nor a non-conformity."""
        return self.grade is AuditGrade.EVIDENCE_REQUIRED

    def message(self, lang: str) -> str:
        return self.message_ja if lang == "ja" else self.message_en


@dataclass(frozen=True, slots=True)
class ExceptionNotice:
    """A policy exception and how long it still holds (negative days: already expired)."""

    exception_id: str
    check_id: str
    device: str
    subject: str
    reason: str
    approver: str
    approval_number: str
    expires: date
    days_left: int


@dataclass(frozen=True, slots=True)
class MatrixCell:
    """One ordered zone pair: what the policy allows, what configs permit, what traffic showed.

    ``None`` means "not known" (no matrix source for that layer), which the picture draws as grey.
    """

    source: str
    target: str
    allowed: bool | None
    permitted: bool | None
    observed: bool | None
    excess: bool = False
    """A permit goes beyond what the policy allows for this pair (e.g. more services)."""
    path: str | None = None
    """Reachable by path (``reachable`` / ``not-reachable`` / ``unknown``; ``None``: not computed)."""
    path_violation: bool = False
    """A path across devices reaches the target beyond the policy (SEG-013)."""

    @property
    def violation(self) -> bool:
        """Permitted or observed although the policy does not allow it, or permitted beyond it."""
        return self.excess or (self.allowed is False and bool(self.permitted or self.observed))


@dataclass(frozen=True, slots=True)
class MatrixSource:
    """Which run's stored matrix the report shows, or the coverage gap that leaves it policy-only.

    ``gap``: ``none-stored`` (no run stored a matrix), ``failed`` (the run could not compute it,
    ``error`` says why), ``missing`` (the latest run, ``latest_run_id``, stored none; an older
    one is shown). ``None``: the matrix is the latest run's.
    """

    run_id: int | None = None
    run_started_at: datetime | None = None
    gap: str | None = None
    error: str | None = None
    latest_run_id: int | None = None
    missing_devices: tuple[str, ...] = ()
    """Devices the matrix's run could not collect: their permits are unknown, not absent."""


@dataclass(frozen=True, slots=True)
class TrendPoint:
    day: date
    open: int | None
    """``None``: no run on that day, drawn as a gap (not as 0)."""


@dataclass(frozen=True, slots=True)
class ActionItem:
    """One line of the report's to-do list: a rule's open findings and who should act."""

    check_id: str
    title_ja: str
    title_en: str
    grade: AuditGrade
    severity: Severity
    responsible: str
    count: int
    devices: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ZoneInfo:
    id: str
    name_ja: str
    name_en: str

    def name(self, lang: str) -> str:
        return self.name_ja if lang == "ja" else self.name_en


@dataclass(frozen=True, slots=True)
class DeviceSection:
    device: str
    zone: str | None
    reached: bool
    findings: tuple[ReportFinding, ...]


@dataclass(frozen=True, slots=True)
class RunInfo:
    id: int
    status: str
    scope: str
    started_at: datetime
    finished_at: datetime | None
    devices_attempted: int
    devices_collected: int
    tool_version: str
    rule_pack_hash: str | None
    policy_hash: str | None


@dataclass(slots=True)
class ReportData:
    """Everything the nightly report shows, computed once."""

    generated_at: datetime
    report_date: date
    municipality: str | None
    zones: tuple[ZoneInfo, ...]
    current_run: RunInfo | None
    previous_run: RunInfo | None
    findings: tuple[ReportFinding, ...]
    """Every finding known at the report time (active and resolved), most severe first."""
    counts: dict[str, dict[str, int]] = field(default_factory=dict)
    """Open (not suppressed) findings: zone id (or "-") → severity → count."""
    new: tuple[ReportFinding, ...] = ()
    resolved: tuple[ReportFinding, ...] = ()
    still_open: tuple[ReportFinding, ...] = ()
    suppressed: tuple[ReportFinding, ...] = ()
    exceptions_expiring: tuple[ExceptionNotice, ...] = ()
    exceptions_expired: tuple[ExceptionNotice, ...] = ()
    collection_errors: tuple[ReportFinding, ...] = ()
    unreached_devices: tuple[str, ...] = ()
    devices: tuple[DeviceSection, ...] = ()
    matrix: tuple[MatrixCell, ...] = ()
    matrix_source: MatrixSource | None = None
    """Where ``matrix`` comes from; ``None`` when the matrix was not asked for (exports)."""
    trend: tuple[TrendPoint, ...] = ()
    chain_head: str | None = None
    tool_version: str = ""
    rule_pack_hash: str | None = None
    as_of: datetime | None = None
    """Set when the report is of a past date: statuses were replayed from the event history."""
    reopened: tuple[ReportFinding, ...] = ()
    """Open again since the previous report (status ``reopened``, seen after the previous run)."""
    actions: tuple[ActionItem, ...] = ()
    """The three to five things to do first, most urgent first."""
    edition: str | None = None
    """The policy's guideline edition."""

    def zone_name(self, zone_id: str | None, lang: str) -> str:
        if zone_id in (None, "-"):
            return "(区域なし)" if lang == "ja" else "(no zone)"
        for zone in self.zones:
            if zone.id == zone_id:
                return zone.name(lang)
        return zone_id or "-"

    def grade_totals(self) -> dict[AuditGrade, int]:
        """Open, not suppressed findings per audit grade (scope limitations counted apart)."""
        totals = dict.fromkeys(GRADE_ORDER, 0)
        for finding in self.still_open:
            totals[finding.grade] += 1
        return totals

    @property
    def nonconformities(self) -> tuple[ReportFinding, ...]:
        """Open findings that grade the city (scope limitations left out)."""
        return tuple(
            f for f in self.still_open if not (f.is_scope_limitation or f.is_evidence_required)
        )

    @property
    def evidence_required(self) -> tuple[ReportFinding, ...]:
        """Open items whose evidence (証跡) the city has still to show: listed apart."""
        return tuple(f for f in self.still_open if f.is_evidence_required)

    @property
    def scope_limitations(self) -> tuple[ReportFinding, ...]:
        """Open findings the auditor could not judge or collect: listed apart, never counted."""
        return tuple(f for f in self.still_open if f.is_scope_limitation)

    def severity_totals(self) -> dict[str, int]:
        totals = {severity.value: 0 for severity in SEVERITY_ORDER}
        for per_zone in self.counts.values():
            for severity, count in per_zone.items():
                totals[severity] = totals.get(severity, 0) + count
        return totals

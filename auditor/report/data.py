"""Read the store once and compute everything the report and the exports show.

The renderers never touch the store: this module is the only place that knows its API, so a
change there is a change here only.
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from enum import Enum
from typing import Any, Protocol

from auditor.fastinit import frozen_builder
from auditor.gcpause import gc_paused
from auditor.model.findings import Outcome, Severity
from auditor.policy.grades import audit_grade
from auditor.policy.models import Policy
from auditor.report.asof import events_by_finding, findings_as_of
from auditor.report.cleaning import Redactor
from auditor.report.model import (
    GRADE_ORDER,
    JST,
    SEVERITY_ORDER,
    ActionItem,
    Comment,
    DeviceSection,
    EvidenceItem,
    ExceptionNotice,
    HistoryEntry,
    MatrixCell,
    MatrixSource,
    ReportData,
    ReportFinding,
    RunInfo,
    Suppression,
    TrendPoint,
    ZoneInfo,
)
from auditor.report.references import matches_clause, split_references
from auditor.store.records import (
    ChainStatus,
    EventRecord,
    EventType,
    FindingRecord,
    FindingStatus,
    MatrixRecord,
    RunRecord,
)

OPEN_STATUSES = frozenset(
    {FindingStatus.NEW, FindingStatus.OPEN, FindingStatus.REOPENED, FindingStatus.IN_PROGRESS}
)
EXPIRY_WARNING_DAYS = 30
TREND_DAYS = 30
RUNS_READ = 1000
ACTIONS_MAX = 5
"""The to-do list names at most this many rules: a reader acts on a few things, not on 150."""
HISTORY_EVENTS = frozenset(
    {
        EventType.CREATED,
        EventType.RESOLVED,
        EventType.REOPENED,
        EventType.SUPPRESSED,
        EventType.UNSUPPRESSED,
        EventType.ACKED,
        EventType.SEVERITY_CHANGED,
    }
)
"""Events an auditor reads as the finding's history; ``seen`` repeats every night and is left out."""
SUPPRESSION_EVENTS = frozenset({EventType.SUPPRESSED.value, EventType.UNSUPPRESSED.value})
"""What a suppressed finding's suppression is read from."""
READ_EVENTS = frozenset(
    {str(e) for e in HISTORY_EVENTS} | SUPPRESSION_EVENTS | {EventType.COMMENTED.value}
)
"""Every event type an export reads: history, suppressions and comments."""


@dataclass(frozen=True)
class RuleText:
    """What the report needs of a rule: titles and the Remediation text of its documentation."""

    title_ja: str
    title_en: str
    remediation: str = ""


@dataclass(frozen=True)
class Departments:
    """Who owns what (所管課), from the asset ledger: per device (hostname) and per zone."""

    by_device: Mapping[str, str] = field(default_factory=dict)
    by_zone: Mapping[str, str] = field(default_factory=dict)

    def responsible(self, owner: str | None, device: str | None, zone: str | None) -> str:
        """The finding's owner, else the device's or zone's department; "" means 情報管理課."""
        if owner:
            return owner
        if device and device in self.by_device:
            return self.by_device[device]
        return self.by_zone.get(zone or "", "")


class ReportStore(Protocol):
    """The part of ``auditor.store.Store`` the report reads."""

    def list_findings(self) -> Sequence[FindingRecord]: ...

    def list_runs(self, kind: str | None = None, limit: int = 50) -> Sequence[RunRecord]: ...

    def get_finding(self, fingerprint: str) -> tuple[FindingRecord, Sequence[EventRecord]]: ...

    def chain_status(self) -> ChainStatus: ...

    def iter_events(
        self, *, until: datetime | None = None, types: Collection[str] | None = None
    ) -> Iterator[EventRecord]: ...

    def latest_matrix(self, before: datetime | None = None) -> MatrixRecord | None: ...

    def list_events(
        self,
        *,
        until: datetime | None = None,
        types: Collection[str] | None = None,
        fingerprints: Collection[str] | None = None,
    ) -> Sequence[EventRecord]: ...


@dataclass(frozen=True)
class ExportFilter:
    """The ``--since/--until/--zone/--severity/--status/--check/--clause`` options of ``export``."""

    since: datetime | None = None
    until: datetime | None = None
    zones: frozenset[str] = frozenset()
    severities: frozenset[str] = frozenset()
    statuses: frozenset[str] = frozenset()
    checks: frozenset[str] = frozenset()
    clauses: tuple[str, ...] = ()

    def accepts(self, finding: ReportFinding) -> bool:
        """A finding is in the range when it was seen (last_seen) within [since, until]."""
        if self.since is not None and finding.last_seen < self.since:
            return False
        if self.until is not None and finding.first_seen > self.until:
            return False
        if self.zones and (finding.zone or "-") not in self.zones:
            return False
        if self.severities and finding.severity.value not in self.severities:
            return False
        if self.statuses and finding.status not in self.statuses:
            return False
        if self.checks and not any(finding.check_id.startswith(c) for c in self.checks):
            return False
        return not self.clauses or any(
            matches_clause(clause, finding.guideline, finding.plan) for clause in self.clauses
        )

    def apply(self, findings: Iterable[ReportFinding]) -> list[ReportFinding]:
        return [finding for finding in findings if self.accepts(finding)]


def end_of_day(day: date) -> datetime:
    """The last instant of ``day`` in Japan: a report "for 11/24" includes everything of 11/24 JST."""
    return datetime.combine(day + timedelta(days=1), time(0, 0), tzinfo=JST) - timedelta(
        microseconds=1
    )


def run_info(run: RunRecord) -> RunInfo:
    return RunInfo(
        id=run.id,
        status=str(run.status),
        scope=str(run.scope),
        started_at=run.started_at,
        finished_at=run.finished_at,
        devices_attempted=run.devices_attempted,
        devices_collected=run.devices_collected,
        tool_version=run.tool_version,
        rule_pack_hash=run.rule_pack_hash,
        policy_hash=run.policy_hash,
    )


def suppression_from_events(events: Sequence[EventRecord]) -> Suppression | None:
    """The latest ``suppressed`` event's payload, unless an ``unsuppressed`` came after it."""
    for event in reversed(events):
        if event.event_type == EventType.UNSUPPRESSED:
            return None
        if event.event_type == EventType.SUPPRESSED:
            payload = event.payload
            expires = payload.get("expires")
            return Suppression(
                exception_id=_str_or_none(payload.get("exception_id")),
                reason=str(payload.get("reason", "")),
                approver=str(payload.get("approver", "")),
                approval_number=str(payload.get("approval_number", "")),
                expires=date.fromisoformat(str(expires)) if expires else None,
                actor=event.actor,
                at=event.at,
            )
    return None


def history_from_events(events: Iterable[EventRecord]) -> tuple[HistoryEntry, ...]:
    """The changes of one finding, oldest first, with the note or reason each one carries."""
    return tuple(history_entry(event) for event in events if event.event_type in HISTORY_EVENTS)


class _EventFold:
    """Events folded one at a time into what the report keeps of them.

    Per finding: its history entries, its (un)suppression events (few), and its comments.
    """

    def __init__(self) -> None:
        self.history: dict[str, tuple[HistoryEntry, ...]] = {}
        self._entries: dict[HistoryEntry, tuple[HistoryEntry]] = {}
        """Equal entries shared, each with its one-entry history: a run's ``created`` events read
        alike for each of its findings, so the exports format each distinct one once
        (``exports._history_memo``), and most findings' history is a shared tuple."""
        self.suppression: dict[str, list[EventRecord]] = defaultdict(list)
        self.comments: dict[str, list[Comment]] = defaultdict(list)

    def add(self, event: EventRecord) -> None:
        kind = event.event_type
        if kind in HISTORY_EVENTS:
            entry = history_entry(event)
            alone = self._entries.get(entry)
            if alone is None:
                alone = self._entries[entry] = (entry,)
            earlier = self.history.get(event.fingerprint)
            self.history[event.fingerprint] = alone if earlier is None else (*earlier, alone[0])
        if kind in SUPPRESSION_EVENTS:
            self.suppression[event.fingerprint].append(event)
        if kind == EventType.COMMENTED:
            self.comments[event.fingerprint].append(
                Comment(event.actor, event.at, str(event.payload.get("text", "")))
            )


_HISTORY_STATUS = {
    EventType.RESOLVED: "resolved",
    EventType.REOPENED: "reopened",
    EventType.SUPPRESSED: "suppressed",
}
"""The status a history event led to (``created`` carries its own in the payload)."""


def history_entry(event: EventRecord) -> HistoryEntry:
    """One history line of a finding: the change, who made it, and its note or reason."""
    payload = event.payload
    note = payload.get("note") or payload.get("reason") or payload.get("exception_id") or ""
    if event.event_type == EventType.SEVERITY_CHANGED:
        note = f"{payload.get('from', '')} -> {payload.get('to', '')}"
    kind = event.event_type
    status = (
        str(payload.get("status", "new"))
        if kind == EventType.CREATED
        else _HISTORY_STATUS.get(kind, "")
    )
    return _new_history_entry(event.at, str(kind), event.actor, str(note), status)


def _str_or_none(value: Any) -> str | None:
    return None if value is None else str(value)


def suppression_from_policy(exception_id: str | None, policy: Policy | None) -> Suppression | None:
    if exception_id is None or policy is None:
        return None
    for exception in policy.exceptions:
        if exception_id in (exception.id, exception.approval_number):
            return Suppression(
                exception_id=exception_id,
                reason=exception.reason,
                approver=exception.approver,
                approval_number=exception.approval_number,
                expires=exception.expires,
            )
    return None


class _Labels:
    """Reference labels and audit grades of one policy, computed once per distinct input.

    A check's findings share their references and, per zone and severity, their grade: at
    100,000 findings labelling each row anew was a tenth of the store load.
    """

    def __init__(self, policy: Policy | None) -> None:
        self._policy = policy
        self._references: dict[tuple[Any, ...], Any] = {}
        self._grades: dict[tuple[str, str, str, str | None], Any] = {}

    def references(self, references: Sequence[Any]) -> Any:
        key = tuple(references)
        found = self._references.get(key)
        if found is None:
            found = self._references[key] = split_references(key, self._policy)
        return found

    def grade(self, record: FindingRecord) -> Any:
        key = (record.check_id, str(record.severity), str(record.outcome), record.zone)
        found = self._grades.get(key)
        if found is None:
            found = self._grades[key] = audit_grade(*key, self._policy)
        return found


_new_report_finding = frozen_builder(ReportFinding)
_new_history_entry = frozen_builder(HistoryEntry)


def to_report_finding(
    record: FindingRecord,
    *,
    policy: Policy | None,
    now: datetime,
    clean: Callable[[str], str],
    suppression: Suppression | None = None,
    new_after: datetime | None = None,
    comments: Sequence[Comment] = (),
    history: tuple[HistoryEntry, ...] = (),
    rule: RuleText | None = None,
    departments: Departments | None = None,
    labels: _Labels | None = None,
) -> ReportFinding:
    labels = labels or _Labels(policy)
    guideline, plan, other = labels.references(record.references)
    end = record.resolved_at or now
    # Rows the store redacted when it recorded them skip the regexes here (38 % of an export's
    # load at 100,000 findings); device and subject repeat, so the redactor's cache serves them.
    texts = _as_is if getattr(record, "redacted", False) else clean
    owner = getattr(record, "owner", None)  # the finding workflow's owner, where the store has one
    departments = departments or Departments()
    severity = record.severity
    return _new_report_finding(
        fingerprint=record.fingerprint,
        check_id=record.check_id,
        device=clean(record.device) if record.device else None,
        subject=clean(record.subject),
        zone=record.zone,
        severity=severity if type(severity) is Severity else Severity(severity),
        outcome=_PLAIN.get(record.outcome) or _plain(record.outcome),
        status=_PLAIN.get(record.status) or _plain(record.status),
        message_ja=texts(record.message_ja),
        message_en=texts(record.message_en),
        first_seen=record.first_seen,
        last_seen=record.last_seen,
        resolved_at=record.resolved_at,
        age_days=max(0, (end - record.first_seen).days),
        guideline=guideline,
        plan=plan,
        other_references=other,
        evidence=tuple(
            EvidenceItem(e.source, texts(e.detail), e.blob_sha256) for e in record.evidence
        )
        if record.evidence
        else (),
        acknowledged_by=record.acknowledged_by,
        acknowledged_at=record.acknowledged_at,
        suppression=suppression,
        is_new=new_after is not None
        and record.first_seen > new_after
        and record.status != FindingStatus.RESOLVED,
        grade=labels.grade(record),
        owner=clean(record.owner) if record.owner else None,
        due=record.due,
        comments=tuple(Comment(c.by, c.at, clean(c.text)) for c in comments) if comments else (),
        edition=policy.guideline_edition if policy is not None and guideline else None,
        history=history,
        recommendation=rule.remediation if rule else "",
        title_ja=rule.title_ja if rule else "",
        title_en=rule.title_en if rule else "",
        responsible=departments.responsible(
            str(owner) if owner else None, record.device, record.zone
        ),
    )


_PLAIN: dict[Any, str] = {
    member: member.value for enum in (Outcome, FindingStatus) for member in enum
}
"""Each outcome's and status's value string: one lookup per row instead of ``_plain``."""


def _plain(value: Any) -> str:
    """An enum's own value string (shared by every row), or ``str`` of anything else."""
    return value.value if isinstance(value, Enum) else str(value)


def _as_is(text: str) -> str:
    return text


def _sort_key(finding: ReportFinding) -> tuple[int, str, str, str]:
    return (-finding.severity.rank, finding.check_id, finding.device or "", finding.subject)


def exception_notices(policy: Policy | None, today: date) -> list[ExceptionNotice]:
    if policy is None:
        return []
    notices = [
        ExceptionNotice(
            exception_id=exception.id or exception.approval_number,
            check_id=exception.check,
            device=exception.selector.device,
            subject=exception.selector.subject,
            reason=exception.reason,
            approver=exception.approver,
            approval_number=exception.approval_number,
            expires=exception.expires,
            days_left=(exception.expires - today).days,
        )
        for exception in policy.exceptions
    ]
    return sorted(notices, key=lambda n: n.expires)


def manual_notices(suppressed: Iterable[ReportFinding], today: date) -> list[ExceptionNotice]:
    """Suppressions recorded with ``findings suppress`` expire like policy exceptions do."""
    notices = []
    for finding in suppressed:
        manual = finding.suppression
        if manual is None or manual.expires is None or manual.actor is None:
            continue
        if manual.exception_id and not manual.exception_id.startswith("manual:"):
            continue
        notices.append(
            ExceptionNotice(
                exception_id=manual.exception_id or manual.approval_number,
                check_id=finding.check_id,
                device=finding.device or "-",
                subject=finding.subject,
                reason=manual.reason,
                approver=manual.approver,
                approval_number=manual.approval_number,
                expires=manual.expires,
                days_left=(manual.expires - today).days,
            )
        )
    return notices


def trend(
    findings: Sequence[FindingRecord],
    last_day: date,
    days: int = TREND_DAYS,
    run_days: frozenset[date] | None = None,
) -> list[TrendPoint]:
    """Open findings at the end of each of the last ``days`` days, from first_seen/resolved_at.

    Suppressed findings are left out of every day (their suppression history is not replayed).
    A day not in ``run_days`` (no run finished that day, JST) has no count: nobody looked, so
    the picture shows a gap instead of a 0 or a made-up carry-over.
    """
    opened = sorted(f.first_seen for f in findings if f.status != FindingStatus.SUPPRESSED)
    closed = sorted(
        f.resolved_at
        for f in findings
        if f.resolved_at is not None and f.status == FindingStatus.RESOLVED
    )
    points = []
    for offset in range(days - 1, -1, -1):
        day = last_day - timedelta(days=offset)
        cutoff = end_of_day(day)
        if run_days is not None and day not in run_days:
            points.append(TrendPoint(day, None))
            continue
        count = bisect.bisect_right(opened, cutoff) - bisect.bisect_right(closed, cutoff)
        points.append(TrendPoint(day, max(0, count)))
    return points


def coerce_matrix(matrix: Any, policy: Policy | None) -> list[MatrixCell]:
    """Accept ``auditor.analysis.matrix.zone_matrix`` output, a plain mapping, or nothing.

    Shapes understood: an object with ``cells`` (or an iterable) of items with source/target (or
    from_zone/to_zone) and allowed/permitted/observed attributes or keys; a mapping
    ``{(source, target): {"allowed": …, "permitted": …, "observed": …}}``. Without a matrix, the
    policy's flows give the "allowed" layer and the other two are unknown.
    """
    if matrix is None:
        return _matrix_from_policy(policy)
    if isinstance(matrix, Mapping) and "cells" in matrix and "zones" in matrix:
        items: Iterable[Any] = matrix["cells"]  # ``ZoneMatrix.to_json``, as the store keeps it
    elif isinstance(matrix, Mapping):
        items = (
            {"source": key[0], "target": key[1], **dict(value)} for key, value in matrix.items()
        )
    else:
        items = getattr(matrix, "cells", matrix)
        if isinstance(items, Mapping):
            items = items.values()
    cells = [_cell(item) for item in items]
    return sorted(cells, key=lambda c: (c.source, c.target))


def _field(item: Any, *names: str) -> Any:
    for name in names:
        if isinstance(item, Mapping) and name in item:
            return item[name]
        if hasattr(item, name):
            return getattr(item, name)
    return None


def _flag(value: Any) -> bool | None:
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, (list, tuple, set, frozenset)):
        return bool(value)
    return bool(value)


def _cell(item: Any) -> MatrixCell:
    return MatrixCell(
        source=str(_field(item, "source", "from_zone", "src", "from_", "from")),
        target=str(_field(item, "target", "destination", "to_zone", "dst", "to")),
        allowed=_flag(_field(item, "allowed", "allowed_by_policy")),
        permitted=_flag(_field(item, "permitted", "permitted_by_config")),
        observed=_flag(_field(item, "observed", "observed_in_traffic")),
        excess=_field(item, "status") == "excess" or bool(_field(item, "excess")),
        path=_path_status(_field(item, "reachable_by_path", "path")),
        path_violation=_path_violation(_field(item, "reachable_by_path", "path")),
    )


def _path_status(path: Any) -> str | None:
    """The stored "reachable by path" column (``ZoneCell.path``) or a plain status string."""
    if isinstance(path, Mapping):
        return str(path.get("status")) if path.get("status") else None
    return str(path) if isinstance(path, str) else None


def _path_violation(path: Any) -> bool:
    return isinstance(path, Mapping) and bool(path.get("violations"))


def action_items(open_findings: Iterable[ReportFinding]) -> list[ActionItem]:
    """The to-do list: open non-conformities grouped by rule and 所管課, most urgent first.

    Urgency is the audit grade, then severity, then how many findings; scope limitations are the
    auditor's own gaps and never a to-do of the city.
    """
    groups: dict[tuple[str, str], list[ReportFinding]] = defaultdict(list)
    for finding in open_findings:
        if not finding.is_scope_limitation:
            groups[(finding.check_id, finding.responsible)].append(finding)
    items = []
    for (check_id, responsible), rows in groups.items():
        worst = min(rows, key=lambda f: (GRADE_ORDER.index(f.grade), -f.severity.rank))
        items.append(
            ActionItem(
                check_id=check_id,
                title_ja=worst.title_ja or check_id,
                title_en=worst.title_en or check_id,
                grade=worst.grade,
                severity=worst.severity,
                responsible=responsible,
                count=len(rows),
                devices=tuple(sorted({f.device for f in rows if f.device})),
            )
        )
    items.sort(key=lambda a: (GRADE_ORDER.index(a.grade), -a.severity.rank, -a.count, a.check_id))
    return items[:ACTIONS_MAX]


def _should_store_matrix(run: RunRecord) -> bool:
    """Runs the audit service gives a matrix: full audits and traffic analyses."""
    return run.kind == "traffic" or (run.kind == "audit" and str(run.scope) == "full")


def stored_matrix(
    stored: MatrixRecord | None, runs: Sequence[RunRecord], cutoff: datetime
) -> tuple[Mapping[str, Any] | None, MatrixSource]:
    """The matrix to draw and where it comes from; every way of not having one is a named gap."""
    if stored is None:
        return None, MatrixSource(gap="none-stored")
    if stored.data is None:
        return None, MatrixSource(
            run_id=stored.run_id,
            run_started_at=stored.run_started_at,
            gap="failed",
            error=stored.error or "unknown error",
        )
    done = [r for r in runs if r.started_at <= cutoff and str(r.status) != "running"]
    latest = max(done, key=lambda r: (r.started_at, r.id), default=None)
    missing = (
        latest is not None
        and latest.id != stored.run_id
        and latest.started_at >= stored.run_started_at
        and _should_store_matrix(latest)
    )
    return stored.data, MatrixSource(
        run_id=stored.run_id,
        run_started_at=stored.run_started_at,
        gap="missing" if missing else None,
        latest_run_id=latest.id if missing and latest is not None else None,
        missing_devices=tuple(str(d) for d in stored.data.get("missing_devices", ())),
    )


def _matrix_from_policy(policy: Policy | None) -> list[MatrixCell]:
    if policy is None:
        return []
    allowed = {(flow.from_, flow.to) for flow in policy.flows}
    zone_ids = [zone.id for zone in policy.zones]
    return [
        MatrixCell(source, target, (source, target) in allowed, None, None)
        for source in zone_ids
        for target in zone_ids
        if source != target
    ]


def build_report_data(
    findings: Sequence[FindingRecord],
    runs: Sequence[RunRecord],
    *,
    policy: Policy | None = None,
    now: datetime | None = None,
    report_date: date | None = None,
    matrix: Any = None,
    matrix_source: MatrixSource | None = None,
    suppressions: Mapping[str, Suppression] | None = None,
    chain_head: str | None = None,
    redactor: Callable[[str], str] | None = None,
    comments: Mapping[str, Sequence[Comment]] | None = None,
    as_of: datetime | None = None,
    histories: Mapping[str, tuple[HistoryEntry, ...]] | None = None,
    rules: Mapping[str, RuleText] | None = None,
    departments: Departments | None = None,
    sections: bool = True,
) -> ReportData:
    """Compute the report of ``report_date`` (JST; default today) from records already read.

    ``as_of`` says the records were replayed to that moment (a report of a past date).
    ``sections=False``: only the findings and the header fields (runs, zones, chain head) that
    the row exports (CSV, XLSX, JSON, SARIF) write; the summary sections stay empty.
    """
    comments = comments or {}
    now = now or datetime.now(JST)
    report_date = report_date or now.astimezone(JST).date()
    cutoff = min(now, end_of_day(report_date))
    clean = redactor or Redactor()
    suppressions = suppressions or {}
    histories = histories or {}
    rules = rules or {}

    done_runs = sorted(
        (r for r in runs if r.started_at <= cutoff and str(r.status) != "running"),
        key=lambda r: r.started_at,
    )
    current = done_runs[-1] if done_runs else None
    previous = done_runs[-2] if len(done_runs) > 1 else None
    # The first report ever: everything it shows is new to its readers.
    first_ever = datetime.min.replace(tzinfo=JST)
    new_after = previous.started_at if previous is not None else first_ever

    visible = [f for f in findings if f.first_seen <= cutoff]
    rows: list[ReportFinding] = []
    labels = _Labels(policy)
    for record in visible:
        suppression = None
        if record.status == FindingStatus.SUPPRESSED:
            suppression = suppressions.get(record.fingerprint) or suppression_from_policy(
                record.exception_id, policy
            )
        rows.append(
            to_report_finding(
                record,
                policy=policy,
                now=cutoff,
                clean=clean,
                suppression=suppression,
                new_after=new_after,
                comments=comments.get(record.fingerprint, ()),
                history=histories.get(record.fingerprint, ()),
                rule=rules.get(record.check_id),
                departments=departments,
                labels=labels,
            )
        )
    rows.sort(key=_sort_key)
    if not sections:
        return ReportData(
            generated_at=now,
            report_date=report_date,
            municipality=policy.municipality if policy else None,
            zones=_zones(policy),
            current_run=run_info(current) if current else None,
            previous_run=run_info(previous) if previous else None,
            findings=tuple(rows),
            chain_head=chain_head,
            tool_version=current.tool_version if current else "",
            rule_pack_hash=current.rule_pack_hash if current else None,
            as_of=as_of,
            edition=policy.guideline_edition if policy is not None else None,
        )

    counts: dict[str, dict[str, int]] = defaultdict(
        lambda: {severity.value: 0 for severity in SEVERITY_ORDER}
    )
    still_open: list[ReportFinding] = []
    for row in rows:
        if row.status in OPEN_STATUSES:
            counts[row.zone or "-"][row.severity.value] += 1
            still_open.append(row)

    since = new_after
    resolved = [
        r
        for r in rows
        if r.status == FindingStatus.RESOLVED and r.resolved_at and r.resolved_at > since
    ]
    suppressed = [r for r in rows if r.status == FindingStatus.SUPPRESSED]
    reopened = [
        r
        for r in still_open
        if r.status == FindingStatus.REOPENED and not r.is_new and r.last_seen > since
    ]
    errors = [r for r in still_open if r.is_collection_error]
    unreached = sorted({r.device for r in errors if r.device})

    by_device: dict[str, list[ReportFinding]] = defaultdict(list)
    for row in rows:
        if row.status != FindingStatus.RESOLVED and row.device:
            by_device[row.device].append(row)
    devices = tuple(
        DeviceSection(
            device=name,
            zone=next((r.zone for r in items if r.zone), None),
            reached=name not in unreached,
            findings=tuple(items),
        )
        for name, items in sorted(by_device.items())
    )

    today = report_date
    notices = exception_notices(policy, today) + manual_notices(suppressed, today)
    zones = _zones(policy)
    return ReportData(
        generated_at=now,
        report_date=report_date,
        municipality=policy.municipality if policy else None,
        zones=zones,
        current_run=run_info(current) if current else None,
        previous_run=run_info(previous) if previous else None,
        findings=tuple(rows),
        counts=dict(counts),
        new=tuple(r for r in rows if r.is_new),
        resolved=tuple(resolved),
        still_open=tuple(still_open),
        suppressed=tuple(suppressed),
        exceptions_expiring=tuple(n for n in notices if 0 <= n.days_left <= EXPIRY_WARNING_DAYS),
        exceptions_expired=tuple(n for n in notices if n.days_left < 0),
        collection_errors=tuple(errors),
        unreached_devices=tuple(unreached),
        devices=devices,
        matrix=tuple(coerce_matrix(matrix, policy)),
        matrix_source=matrix_source,
        trend=tuple(trend(visible, report_date, run_days=_run_days(done_runs))),
        chain_head=chain_head,
        tool_version=current.tool_version if current else "",
        rule_pack_hash=current.rule_pack_hash if current else None,
        as_of=as_of,
        reopened=tuple(reopened),
        actions=tuple(action_items(still_open)),
        edition=policy.guideline_edition if policy is not None else None,
    )


def _zones(policy: Policy | None) -> tuple[ZoneInfo, ...]:
    return tuple(ZoneInfo(z.id, z.name_ja, z.name_en) for z in policy.zones) if policy else ()


def _run_days(runs: Iterable[RunRecord]) -> frozenset[date]:
    """Days (JST) on which a run finished: the days the trend has a count for."""
    return frozenset((r.finished_at or r.started_at).astimezone(JST).date() for r in runs)


@gc_paused()
def load_report_data(
    store: ReportStore,
    *,
    policy: Policy | None = None,
    now: datetime | None = None,
    report_date: date | None = None,
    matrix: Any = None,
    redactor: Callable[[str], str] | None = None,
    with_chain_head: bool = True,
    with_matrix: bool = True,
    with_history: bool = False,
    rules: Mapping[str, RuleText] | None = None,
    departments: Departments | None = None,
    sections: bool = True,
) -> ReportData:
    """Read findings, runs, suppression events, the chain head and the stored zone matrix.

    The matrix is the one the newest run up to the report time stored (``matrix`` overrides it);
    it is never rebuilt here, and a missing or failed one is reported as a coverage gap.
    """
    now = now or datetime.now(JST)
    report_date = report_date or now.astimezone(JST).date()
    cutoff = min(now, end_of_day(report_date))
    findings = list(store.list_findings())
    runs = list(store.list_runs(limit=RUNS_READ))
    source: MatrixSource | None = None
    if with_matrix and matrix is None:
        matrix, source = stored_matrix(store.latest_matrix(before=cutoff), runs, cutoff)
    as_of: datetime | None = None
    suppressions: dict[str, Suppression] = {}
    histories: dict[str, tuple[HistoryEntry, ...]] = {}
    comments: dict[str, list[Comment]] = defaultdict(list)
    if report_date < now.astimezone(JST).date():
        # A past date: rebuild each finding's state from its events up to the end of that day.
        as_of = cutoff
        history = events_by_finding(store.list_events(until=cutoff))
        findings = findings_as_of(findings, (e for h in history.values() for e in h), cutoff)
        fold = _EventFold()
        for event in sorted((e for h in history.values() for e in h), key=lambda e: e.id):
            fold.add(event)
        del history
    else:
        # One streamed read of the events the report shows (not the ``seen``/``run_finished``
        # events, whose payload names every finding a run saw), folded as they arrive: 100,000
        # events are never held beside the findings.
        wanted = READ_EVENTS if with_history else SUPPRESSION_EVENTS | {EventType.COMMENTED.value}
        fold = _EventFold()
        for event in store.iter_events(until=cutoff, types=sorted(wanted)):
            fold.add(event)
    for record in findings:
        if with_history:
            histories[record.fingerprint] = fold.history.get(record.fingerprint, ())
        needs_suppression = record.status == FindingStatus.SUPPRESSED and (
            suppression_from_policy(record.exception_id, policy) is None
        )
        if needs_suppression:
            found = suppression_from_events(fold.suppression.get(record.fingerprint, ()))
            if found is not None:
                suppressions[record.fingerprint] = found
    comments = fold.comments
    # The head of an intact chain, None when it is broken (the report says so). Only events after
    # the last verified checkpoint are re-hashed; ``auditor verify`` still walks them all.
    chain_head = store.chain_status().head_hash if with_chain_head else None
    del fold  # summarised in ``histories``/``suppressions``/``comments`` by now
    return build_report_data(
        findings,
        runs,
        policy=policy,
        now=now,
        report_date=report_date,
        matrix=matrix,
        matrix_source=source,
        suppressions=suppressions,
        chain_head=chain_head,
        redactor=redactor,
        comments=comments,
        as_of=as_of,
        histories=histories,
        rules=rules,
        departments=departments,
        sections=sections,
    )


def restrict(data: ReportData, export_filter: ExportFilter) -> ReportData:
    """The same report limited to the findings ``export_filter`` accepts (PDF with filters)."""
    keep = export_filter.accepts
    counts: dict[str, dict[str, int]] = defaultdict(
        lambda: {severity.value: 0 for severity in SEVERITY_ORDER}
    )
    for row in data.still_open:
        if keep(row):
            counts[row.zone or "-"][row.severity.value] += 1
    devices = tuple(
        DeviceSection(s.device, s.zone, s.reached, tuple(f for f in s.findings if keep(f)))
        for s in data.devices
    )
    return replace(
        data,
        findings=tuple(f for f in data.findings if keep(f)),
        counts=dict(counts),
        new=tuple(f for f in data.new if keep(f)),
        resolved=tuple(f for f in data.resolved if keep(f)),
        reopened=tuple(f for f in data.reopened if keep(f)),
        actions=tuple(action_items(f for f in data.still_open if keep(f))),
        still_open=tuple(f for f in data.still_open if keep(f)),
        suppressed=tuple(f for f in data.suppressed if keep(f)),
        collection_errors=tuple(f for f in data.collection_errors if keep(f)),
        devices=tuple(s for s in devices if s.findings),
    )

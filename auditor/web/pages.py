"""What each page shows, read from the store (and the policy, for zone names and grades).

The overview reuses the report's data (``load_report_data``): summary, to-do list, trend and
the stored matrix. The findings list does not: it pages over indexed columns in the store so it
stays fast at 100,000 findings. Downloads reuse the report's export writers.
"""

from __future__ import annotations

import difflib
import logging
import threading
import time
from collections.abc import Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from itertools import pairwise
from pathlib import Path
from typing import Any

from auditor.model.findings import AuditGrade, Severity
from auditor.policy.grades import audit_grade
from auditor.policy.models import Policy
from auditor.report.charts import matrix_picture
from auditor.report.cleaning import Redactor
from auditor.report.config_history import configurations, diff_config
from auditor.report.data import (
    RuleText,
    load_report_data,
    suppression_from_events,
    suppression_from_policy,
)
from auditor.report.labels import keyed, status_label
from auditor.report.model import JST, ReportData
from auditor.report.service import (
    ReportInputs,
    departments,
    load_inputs,
    rule_texts,
    run_export,
)
from auditor.store import console
from auditor.store.records import (
    ChainStatus,
    EventRecord,
    EventType,
    FindingRecord,
    FindingStatus,
    MatrixRecord,
    RunRecord,
    VerifyResult,
)
from auditor.store.repository import Store
from auditor.web.cells import PATH_CHECK, TRAFFIC_PREFIX, CellSelection, selections
from auditor.web.charts import trend_chart
from auditor.web.evidence import config_excerpt, path_hops, permit_lines
from auditor.web.i18n import TEXTS, WebLang, text

log = logging.getLogger(__name__)

MAX_OFFSET = 100_000
"""Deepest page offset served; narrow the filter to reach further."""
CONFIG_CHANGES = 10
"""Configuration changes shown on a device page (newest first); ``auditor config diff`` has all."""
INPUTS_TTL = 60.0
"""Seconds the loaded policy/inventory are reused before they are read again."""
SEVERITIES = tuple(s.value for s in Severity)
STATUSES = tuple(s.value for s in FindingStatus)
ACTIVE = frozenset(s.value for s in FindingStatus if s is not FindingStatus.RESOLVED)
GRADES = tuple(g.value for g in AuditGrade)
FILTER_FIELDS = ("zone", "grade", "severity", "status", "check", "device", "owner", "q", "pair")


def when(value: datetime | None) -> str:
    """A moment in Japan time, to the minute."""
    return value.astimezone(JST).strftime("%Y-%m-%d %H:%M") if value else ""


@dataclass
class Filters:
    """The findings list's query string, validated: unknown values are dropped, not echoed."""

    zone: str = ""
    grade: str = ""
    severity: str = ""
    status: str = ""
    check: str = ""
    device: str = ""
    owner: str = ""
    q: str = ""
    pair: str = ""
    page: int = 1

    @classmethod
    def parse(cls, params: Mapping[str, str]) -> Filters:
        def get(name: str, limit: int = 255) -> str:
            return str(params.get(name) or "").strip()[:limit]

        page_text = get("page", 8)
        return cls(
            zone=get("zone", 64),
            grade=get("grade") if get("grade") in GRADES else "",
            severity=get("severity") if get("severity") in SEVERITIES else "",
            status=get("status") if get("status") in (*STATUSES, "active") else "",
            check=get("check", 64),
            device=get("device"),
            owner=get("owner"),
            q=get("q", 200),
            pair=get("pair", 130) if "->" in get("pair", 130) else "",
            page=max(1, int(page_text)) if page_text.isdigit() else 1,
        )

    def query_string(self, **override: Any) -> str:
        from urllib.parse import urlencode

        values: dict[str, Any] = {name: getattr(self, name) for name in FILTER_FIELDS}
        values["page"] = self.page
        values.update(override)
        kept = {
            key: value
            for key, value in values.items()
            if value not in ("", None) and not (key == "page" and value == 1)
        }
        return urlencode(kept)


class PageData:
    """Reads for the pages; the policy and inventory are reloaded at most once a minute."""

    def __init__(self, store: Store, policy_path: Path | None, inventory_path: Path | None) -> None:
        self.store = store
        self.policy_path = policy_path
        self.inventory_path = inventory_path
        self._inputs: ReportInputs | None = None
        self._loaded_at = 0.0
        self._lock = threading.Lock()
        self._report: tuple[tuple[str, str], ReportData] | None = None
        self._refreshing = False
        self._done = threading.Event()
        self._rules: dict[str, RuleText] | None = None
        self._choices: dict[str, tuple[str, list[str]]] = {}
        self._grade_keys: tuple[str, list[tuple[str, str, str, str]]] | None = None
        self._matrix: tuple[str, Mapping[str, Any] | None] | None = None
        self._cells: tuple[str, dict[tuple[str, str], CellSelection]] | None = None
        self._cell_counts: tuple[str, dict[tuple[str, str], int]] | None = None

    def inputs(self) -> ReportInputs:
        with self._lock:
            if self._inputs is None or time.monotonic() - self._loaded_at > INPUTS_TTL:
                self._inputs = load_inputs(self.policy_path, self.inventory_path)
                self._loaded_at = time.monotonic()
            return self._inputs

    @property
    def policy(self) -> Policy | None:
        return self.inputs().policy

    def zone_name(self, zone: str | None, lang: WebLang) -> str:
        if not zone:
            return "-"
        policy = self.policy
        found = policy.zone(zone) if policy is not None else None
        if found is None:
            return zone
        return found.name_ja if lang == "ja" else found.name_en

    def grade(self, record: FindingRecord) -> AuditGrade:
        return audit_grade(
            record.check_id, record.severity, record.outcome, record.zone, self.policy
        )

    def row(self, record: FindingRecord, lang: WebLang) -> dict[str, Any]:
        grade = self.grade(record)
        return {
            "fingerprint": record.fingerprint,
            "short": record.fingerprint[:12],
            "check_id": record.check_id,
            "device": record.device,
            "subject": record.subject,
            "zone": self.zone_name(record.zone, lang),
            "severity": record.severity.value,
            "severity_label": record.severity.label_ja if lang == "ja" else record.severity.value,
            "grade": grade.value,
            "grade_label": grade.label(lang),
            "status": record.status.value,
            "status_label": status_label(record.status.value, lang),
            "message": record.message_ja if lang == "ja" else record.message_en,
            "owner": record.owner,
            "due": record.due.isoformat() if record.due else "",
            "last_seen": when(record.last_seen),
            "first_seen": when(record.first_seen),
        }

    # -- overview ---------------------------------------------------------------------------

    def overview(self, lang: WebLang, wait: float = 0.0) -> dict[str, Any]:
        """The overview's context; ``{"preparing": True}`` while its first copy is being read."""
        data, stale = self.report_data(wait)
        if data is None:
            return {"preparing": True}
        matrix = matrix_picture(data.matrix, data.zones, lang) if data.matrix else None
        return {
            "preparing": False,
            "data": data,
            "stale": stale,
            "grades": [(g.label(lang), n, g.value) for g, n in data.grade_totals().items()],
            "severities": [
                (Severity(s).label_ja if lang == "ja" else s, n, s)
                for s, n in data.severity_totals().items()
            ],
            "actions": data.actions,
            "trend": trend_chart(data.trend),
            "matrix": matrix,
            "cell_counts": {f"{a}->{b}": n for (a, b), n in self.cell_counts().items()}
            if matrix
            else {},
            "run": data.current_run,
            "when": when,
        }

    def report_data(self, wait: float = 0.0) -> tuple[ReportData | None, bool]:
        """The report's data for the overview, and whether it is a stale copy.

        It reads every finding (tens of seconds and hundreds of MiB at 100,000), so it is kept
        until the content head (any run or triage; not a sign-in, see
        :func:`console.content_head`) or the day moves; then the last copy is shown
        (``stale``) while one background thread reads the new one. No request ever reads it
        itself: before the first copy exists (just after start, unless :meth:`warm` has
        finished) a request waits at most ``wait`` seconds for the background read, then gets
        ``None`` and the page says the overview is being prepared.
        """
        key = self._report_key()
        with self._lock:
            cached = self._report
            if cached is not None and cached[0] == key:
                return cached[1], False
            done = self._done if self._refreshing else self._start_refresh()
            if cached is not None:
                return cached[1], True
        done.wait(max(wait, 0.0))
        with self._lock:
            cached = self._report
        if cached is None:
            return None, True
        return cached[1], cached[0] != key

    def warm(self) -> None:
        """Read the overview's data in the background now (``auditor web`` calls it at start)."""
        with self._lock:
            if self._refreshing or self._report is not None:
                return
            self._start_refresh()

    def _start_refresh(self) -> threading.Event:
        """Start the one background read (the caller holds the lock); set when it ends."""
        self._refreshing = True
        self._done = threading.Event()
        threading.Thread(target=self._refresh, args=(self._done,), daemon=True).start()
        return self._done

    def _report_key(self) -> tuple[str, str]:
        return console.content_head(self.store), datetime.now(JST).date().isoformat()

    def _refresh(self, done: threading.Event) -> None:
        try:
            key = self._report_key()
            data = self._read_report()
            with self._lock:
                self._report = (key, data)
        except Exception:  # the next view tries again; the page keeps the last copy
            log.exception("the overview could not be read")
        finally:
            with self._lock:
                self._refreshing = False
            done.set()

    def _read_report(self) -> ReportData:
        """The chain head is read from its row, not verified: ``auditor verify`` (and the
        daemon's nightly verification) prove the chain; replaying it per view would not."""
        head = self.store.chain_head().hash
        inputs = self.inputs()
        data = load_report_data(
            self.store,
            policy=inputs.policy,
            redactor=Redactor(),
            with_chain_head=False,
            rules=self.rule_texts(),
            departments=departments(inputs),
        )
        data.chain_head = head
        return data

    def cell_selections(self) -> dict[tuple[str, str], CellSelection]:
        """Each cell's findings as the newest stored matrix says, read again when the chain
        head moves (every run that stores a matrix moves it)."""
        head = console.content_head(self.store)
        with self._lock:
            if self._cells is not None and self._cells[0] == head:
                return self._cells[1]
        found = selections(self.matrix_data())
        with self._lock:
            self._cells = (head, found)
        return found

    def matrix_data(self) -> Mapping[str, Any] | None:
        """The newest stored matrix (``ZoneMatrix.to_json``), read again when the chain moves."""
        head = console.content_head(self.store)
        with self._lock:
            if self._matrix is not None and self._matrix[0] == head:
                return self._matrix[1]
        record = self.store.latest_matrix()
        data = record.data if record is not None else None
        with self._lock:
            self._matrix = (head, data)
        return data

    def cell_selection(self, source: str, target: str) -> CellSelection:
        return self.cell_selections().get((source, target)) or CellSelection(
            source, target, frozenset()
        )

    def cell_counts(self) -> dict[tuple[str, str], int]:
        """Open (not resolved) findings per cell, by the same definition as the cell's link."""
        head = console.content_head(self.store)
        with self._lock:
            if self._cell_counts is not None and self._cell_counts[0] == head:
                return self._cell_counts[1]
        cells = self.cell_selections()
        rows = console.cell_candidates(
            self.store,
            ACTIVE,
            permits={p for c in cells.values() for p in c.permits},
            check_prefixes=(PATH_CHECK, TRAFFIC_PREFIX),
        )
        counts = {
            pair: sum(1 for row in rows if cell.matches(*row)) for pair, cell in cells.items()
        }
        with self._lock:
            self._cell_counts = (head, counts)
        return counts

    def grade_keys(self) -> list[tuple[str, str, str, str]]:
        """(check, severity, outcome, zone) combinations, read again when the chain head moves."""
        head = console.content_head(self.store)
        with self._lock:
            if self._grade_keys is not None and self._grade_keys[0] == head:
                return self._grade_keys[1]
        keys = console.grade_keys(self.store)
        with self._lock:
            self._grade_keys = (head, keys)
        return keys

    def choices(self, column: str) -> list[str]:
        """A filter's choices (zones, owners), read again only when the chain head moves."""
        head = console.content_head(self.store)
        with self._lock:
            cached = self._choices.get(column)
            if cached is not None and cached[0] == head:
                return cached[1]
        values = console.distinct_values(self.store, column)
        with self._lock:
            self._choices[column] = (head, values)
        return values

    def rule_texts(self) -> dict[str, RuleText]:
        if self._rules is None:
            self._rules = rule_texts()
        return self._rules

    # -- the findings list ------------------------------------------------------------------

    def query(self, filters: Filters) -> console.FindingQuery:
        statuses: frozenset[str] = frozenset()
        if filters.status == "active":
            statuses = ACTIVE
        elif filters.status:
            statuses = frozenset({filters.status})
        keys = None
        if filters.grade:
            policy = self.policy
            keys = frozenset(
                key
                for key in self.grade_keys()
                if audit_grade(key[0], key[1], key[2], key[3] or None, policy).value
                == filters.grade
            )
        cell = None
        if filters.pair:
            source, _, target = filters.pair.partition("->")
            cell = self.cell_selection(source, target).filter()
        return console.FindingQuery(
            zone=filters.zone or None,
            severities=frozenset({filters.severity}) if filters.severity else frozenset(),
            statuses=statuses,
            check=filters.check or None,
            device=filters.device or None,
            owner=filters.owner or None,
            text=filters.q or None,
            cell=cell,
            keys=keys,
        )

    def findings(self, params: Mapping[str, str], page_size: int, lang: WebLang) -> dict[str, Any]:
        filters = Filters.parse(params)
        offset = min((filters.page - 1) * page_size, MAX_OFFSET)
        records, total = console.page_findings(
            self.store, self.query(filters), limit=page_size, offset=offset
        )
        return {
            "filters": filters,
            "rows": [self.row(r, lang) for r in records],
            "total": total,
            "first": offset + 1 if records else 0,
            "last": offset + len(records),
            "previous": filters.query_string(page=filters.page - 1) if filters.page > 1 else None,
            "next": filters.query_string(page=filters.page + 1)
            if offset + len(records) < total and offset + page_size <= MAX_OFFSET
            else None,
            "download": filters.query_string(page=""),
            "severities": [(s, Severity(s).label_ja if lang == "ja" else s) for s in SEVERITIES],
            "statuses": [("active", "active" if lang == "en" else "未解消")]
            + [(s, status_label(s, lang)) for s in STATUSES],
            "grades": [(g.value, g.label(lang)) for g in AuditGrade],
            "zones": [(z, self.zone_name(z, lang)) for z in self.choices("zone")],
            "owners": self.choices("owner"),
        }

    def export(self, params: Mapping[str, str], fmt: str, out: Path, lang: WebLang) -> int:
        """The current filter's findings through the report's own CSV/XLSX writers.

        The report's loader reads a view of the store limited to those findings and their
        events, so a narrow download does not read all 100,000 findings.
        """
        wanted = console.matching_fingerprints(self.store, self.query(Filters.parse(params)))
        inputs = self.inputs()
        data = load_report_data(
            _Selection(self.store, wanted),
            policy=inputs.policy,
            redactor=Redactor(),
            with_chain_head=False,
            with_matrix=False,
            with_history=True,
            rules=self.rule_texts(),
            departments=departments(inputs),
        )
        data.chain_head = self.store.chain_head().hash
        return run_export("csv" if fmt == "csv" else "xlsx", out, data, lang=lang)

    # -- one finding --------------------------------------------------------------------------

    def finding(self, fingerprint: str, lang: WebLang) -> dict[str, Any]:
        record, events = console.finding_with_events(self.store, fingerprint)
        history = [
            {
                "id": e.id,
                "at": when(e.at),
                "event": event_label(e.event_type.value, lang),
                "type": e.event_type.value,
                "actor": e.actor,
                "details": _details(e.payload),
                "hash": e.hash[:16],
            }
            for e in events
            if e.event_type != EventType.SEEN
        ]
        comments = [
            {"at": when(e.at), "by": e.actor, "text": str(e.payload.get("text", ""))}
            for e in events
            if e.event_type == EventType.COMMENTED
        ]
        suppression = None
        if record.status == FindingStatus.SUPPRESSED:
            suppression = suppression_from_policy(
                record.exception_id, self.policy
            ) or suppression_from_events(events)
        pending = console.pending_request(self.store, record.fingerprint)
        config_diff = ""
        if record.device:
            try:
                config_diff = diff_config(self.store, record.device)
            except LookupError:
                config_diff = ""
        matrix = self.matrix_data()
        permits = permit_lines(matrix, record.device, record.subject)
        hops = path_hops(matrix, record.subject) if record.check_id == PATH_CHECK else []
        excerpt, collected = "", ""
        if record.device:
            snapshot = self.store.latest_snapshots([record.device]).get(record.device)
            if snapshot is not None:
                wanted = [p.line for p in permits] + [e.detail for e in record.evidence]
                excerpt = config_excerpt(snapshot.config_redacted, [*wanted, record.subject])
                collected = when(snapshot.collected_at)
        return {
            "f": self.row(record, lang),
            "record": record,
            "evidence": [
                {"source": e.source, "detail": e.detail, "blob": e.blob_sha256}
                for e in record.evidence
            ],
            "permits": permits,
            "hops": hops,
            "excerpt": excerpt,
            "excerpt_at": collected,
            "is_path": record.check_id == "SEG-013",
            "history": history,
            "seen_count": sum(1 for e in events if e.event_type == EventType.SEEN),
            "comments": comments,
            "suppression": suppression,
            "pending": pending,
            "config_diff": config_diff,
            "references": [r.label() for r in record.references],
            "ack": (record.acknowledged_by, when(record.acknowledged_at)),
            "in_progress": record.status == FindingStatus.IN_PROGRESS,
        }

    # -- devices, runs, rules ------------------------------------------------------------

    def device(self, name: str, lang: WebLang) -> dict[str, Any]:
        snapshots = self.store.latest_snapshots([name])
        snapshot = snapshots.get(name)
        history = configurations(self.store.snapshot_history(name))
        records = self.store.list_findings(device=name)
        if snapshot is None and not records and not history:
            raise LookupError(name)
        changes = []
        for before, after in list(pairwise(history))[-CONFIG_CHANGES:]:
            lines = difflib.unified_diff(
                (before.config_redacted or "").splitlines(),
                (after.config_redacted or "").splitlines(),
                fromfile=when(before.collected_at),
                tofile=when(after.collected_at),
                lineterm="",
            )
            changes.append({"at": when(after.collected_at), "diff": "\n".join(lines)})
        changes.reverse()  # newest first
        return {
            "name": name,
            "snapshot": snapshot,
            "collected": when(snapshot.collected_at) if snapshot else "",
            "interfaces": snapshot.interfaces if snapshot else [],
            "configs": [(when(s.collected_at), (s.config_hash or "")[:16]) for s in history],
            "changes": changes,
            "rows": [self.row(r, lang) for r in records[:500]],
        }

    def runs(self, lang: WebLang) -> dict[str, Any]:
        runs = self.store.list_runs(limit=50)
        failures = [
            self.row(r, lang)
            for r in self.store.list_findings(
                status=[s.value for s in FindingStatus if s is not FindingStatus.RESOLVED],
                limit=None,
            )
            if r.check_id.startswith("COL-")
        ][:200]
        return {
            "runs": [
                {
                    "id": r.id,
                    "kind": r.kind,
                    "status": r.status.value,
                    "scope": r.scope.value,
                    "started": when(r.started_at),
                    "finished": when(r.finished_at),
                    "coverage": f"{r.devices_collected}/{r.devices_attempted}",
                    "note": r.note or "",
                }
                for r in runs
            ],
            "failures": failures,
        }

    def rules(self, lang: WebLang) -> dict[str, Any]:
        from auditor.rules import discover

        return {
            "rules": [
                {
                    "id": check.id,
                    "title": check.title_ja if lang == "ja" else check.title_en,
                    "other": check.title_en if lang == "ja" else check.title_ja,
                    "severity": check.severity.label_ja if lang == "ja" else check.severity.value,
                    "scope": check.scope,
                    "references": "; ".join(ref.label() for ref in check.references),
                    "sections": check.documentation(),
                }
                for check in sorted(discover(), key=lambda c: c.id)
            ]
        }


class _Selection:
    """The part of the store the report's loader reads, limited to some findings."""

    def __init__(self, store: Store, fingerprints: set[str]) -> None:
        self.store = store
        self.fingerprints = fingerprints

    def list_findings(self) -> Sequence[FindingRecord]:
        return console.findings_by_fingerprint(self.store, self.fingerprints)

    def list_runs(self, kind: str | None = None, limit: int = 50) -> Sequence[RunRecord]:
        return self.store.list_runs(kind, limit)

    def get_finding(self, fingerprint: str) -> tuple[FindingRecord, Sequence[EventRecord]]:
        return console.finding_with_events(self.store, fingerprint)

    def verify(self) -> VerifyResult:
        return self.store.verify()

    def latest_matrix(self, before: datetime | None = None) -> MatrixRecord | None:
        return self.store.latest_matrix(before)

    def list_events(
        self,
        *,
        until: datetime | None = None,
        types: Collection[str] | None = None,
        fingerprints: Collection[str] | None = None,
    ) -> Sequence[EventRecord]:
        chosen = (
            self.fingerprints if fingerprints is None else set(fingerprints) & self.fingerprints
        )
        return self.store.list_events(until=until, types=types, fingerprints=chosen)

    def iter_events(
        self, *, until: datetime | None = None, types: Collection[str] | None = None
    ) -> Iterator[EventRecord]:
        """The selection's events only, streamed as the report's loader folds them."""
        yield from self.store.list_events(until=until, types=types, fingerprints=self.fingerprints)

    def chain_status(self) -> ChainStatus:
        return self.store.chain_status()


def event_label(event_type: str, lang: WebLang) -> str:
    """The report's label of an event, or the console's for the workflow events."""
    key = f"event.{event_type}"
    return text(key, lang) if key in TEXTS else keyed("event", event_type, lang)


def _details(payload: Mapping[str, Any]) -> str:
    """An event's payload as ``key: value`` pairs (run bookkeeping left out)."""
    skip = {"seen", "run", "content"}
    return "; ".join(f"{k}: {v}" for k, v in sorted(payload.items()) if k not in skip)

"""The prefecture overview: every city of a multi-city deployment on one page.

For a prefectural CSIRT or a shared-service vendor that audits many municipalities: per city the
open findings by audit grade, by zone and by severity, the control-matrix compliance of its
newest run, the trend over its recent audits, and whether it was audited at all in the last
``stale_days`` days.

Each city is read through its OWN tenant-scoped store (``Store.for_tenant``): the overview never
needs, and never gets, a view across tenants, so the isolation of ``store/tenancy.py`` holds here
too. Output: HTML (the morning report's style, Japanese first), JSON and CSV.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol
from zoneinfo import ZoneInfo

from markupsafe import Markup

from auditor.model.findings import AuditGrade
from auditor.policy.grades import audit_grade
from auditor.policy.models import Policy
from auditor.store.records import FindingRecord, ResultOutcome, ResultRecord, RunRecord

if TYPE_CHECKING:
    from auditor.store.repository import Store

OPEN_STATUSES = ("new", "open", "reopened", "in_progress")
AUDIT_KINDS = ("audit", "offline")
RECORDED = ("complete", "partial")
GRADES = tuple(grade.value for grade in AuditGrade)
NO_ZONE = "-"
JST = ZoneInfo("Asia/Tokyo")
DAILY_DAYS = 14


class OverviewStore(Protocol):
    """What the overview reads of one city's store (a tenant-scoped ``Store``)."""

    def list_findings(
        self, status: Sequence[str] | str | None = None, *args: Any, **kwargs: Any
    ) -> list[FindingRecord]: ...

    def list_runs(self, kind: str | None = None, limit: int = 50) -> list[RunRecord]: ...

    def results_run(self, before: datetime | None = None) -> RunRecord | None: ...

    def run_results(self, run_id: int) -> list[ResultRecord]: ...


@dataclass(frozen=True)
class City:
    """A city to put on the overview: its tenant key, names and (optional) policy for grades."""

    tenant: str
    name_ja: str
    name_en: str
    policy: Policy | None = None


@dataclass(frozen=True)
class TrendPoint:
    run_id: int
    started_at: datetime
    status: str
    findings_seen: int
    new: int
    resolved: int


@dataclass(frozen=True)
class CityOverview:
    tenant: str
    name_ja: str
    name_en: str
    last_audit_at: datetime | None
    last_audit_status: str | None
    last_audit_run_id: int | None
    days_since_audit: float | None
    stale: bool
    devices: int
    open_findings: int
    by_grade: dict[str, int]
    by_severity: dict[str, int]
    by_zone: dict[str, dict[str, int]]
    """zone → grade → open findings."""
    compliance: float | None
    """pass / (pass + fail) of the newest control matrix; None when it has no verdicts."""
    results: dict[str, int]
    trend: list[TrendPoint] = field(default_factory=list)


@dataclass(frozen=True)
class PrefectureOverview:
    generated_at: datetime
    stale_days: float
    cities: list[CityOverview]

    @property
    def stale(self) -> list[CityOverview]:
        return [city for city in self.cities if city.stale]

    def totals(self) -> dict[str, int]:
        counts: Counter[str] = Counter()
        for city in self.cities:
            counts.update(city.by_grade)
        return {grade: counts.get(grade, 0) for grade in GRADES}

    def daily(self, days: int = DAILY_DAYS) -> list[tuple[date, int | None]]:
        """Per day (JST) of the last ``days``: findings seen by that day's audits, each audited
        city's last audit of the day summed; ``None`` when no city was audited that day."""
        today = self.generated_at.astimezone(JST).date()
        first = today - timedelta(days=days - 1)
        seen: dict[date, dict[str, int]] = {}
        for city in self.cities:
            for point in city.trend:  # oldest first: a later audit of the day replaces it
                day = point.started_at.astimezone(JST).date()
                if first <= day <= today:
                    seen.setdefault(day, {})[city.tenant] = point.findings_seen
        return [
            (day, sum(seen[day].values()) if day in seen else None)
            for day in (first + timedelta(days=n) for n in range(days))
        ]


def city_overview(
    city: City, store: OverviewStore, *, now: datetime, stale_days: float, trend_runs: int = 10
) -> CityOverview:
    """One city's line of the overview, read from that city's store only."""
    audits = [
        run
        for kind in AUDIT_KINDS
        for run in store.list_runs(kind=kind, limit=max(trend_runs, 1) * 3)
        if run.status.value in RECORDED
    ]
    audits.sort(key=lambda run: (run.started_at, run.id), reverse=True)
    last = audits[0] if audits else None
    age = (now - last.started_at).total_seconds() / 86400 if last else None
    by_grade: Counter[str] = Counter(dict.fromkeys(GRADES, 0))
    by_severity: Counter[str] = Counter()
    by_zone: dict[str, Counter[str]] = {}
    findings = store.list_findings(status=list(OPEN_STATUSES))
    for finding in findings:
        grade = audit_grade(
            finding.check_id, finding.severity, finding.outcome, finding.zone, city.policy
        ).value
        by_grade[grade] += 1
        by_severity[finding.severity.value] += 1
        by_zone.setdefault(finding.zone or NO_ZONE, Counter())[grade] += 1
    results: Counter[str] = Counter()
    matrix_run = store.results_run()
    if matrix_run is not None:
        results.update(result.outcome.value for result in store.run_results(matrix_run.id))
    decided = results[ResultOutcome.PASS.value] + results[ResultOutcome.FAIL.value]
    trend = [
        TrendPoint(
            run_id=run.id,
            started_at=run.started_at,
            status=run.status.value,
            findings_seen=int(run.finding_counts.get("seen", 0)),
            new=int(run.finding_counts.get("new", 0)),
            resolved=int(run.finding_counts.get("resolved", 0)),
        )
        for run in reversed(audits[:trend_runs])
    ]
    return CityOverview(
        tenant=city.tenant,
        name_ja=city.name_ja,
        name_en=city.name_en,
        last_audit_at=last.started_at if last else None,
        last_audit_status=last.status.value if last else None,
        last_audit_run_id=last.id if last else None,
        days_since_audit=round(age, 2) if age is not None else None,
        stale=age is None or age > stale_days,
        devices=len(last.devices) if last else 0,
        open_findings=len(findings),
        by_grade={grade: by_grade[grade] for grade in GRADES},
        by_severity=dict(sorted(by_severity.items())),
        by_zone={
            zone: {grade: counts.get(grade, 0) for grade in GRADES}
            for zone, counts in sorted(by_zone.items())
        },
        compliance=round(results[ResultOutcome.PASS.value] / decided, 4) if decided else None,
        results=dict(sorted(results.items())),
        trend=trend,
    )


def build_overview(
    cities: Iterable[tuple[City, OverviewStore]],
    *,
    now: datetime | None = None,
    stale_days: float = 2,
    trend_runs: int = 10,
) -> PrefectureOverview:
    at = now or datetime.now(UTC)
    return PrefectureOverview(
        generated_at=at,
        stale_days=stale_days,
        cities=[
            city_overview(city, store, now=at, stale_days=stale_days, trend_runs=trend_runs)
            for city, store in cities
        ],
    )


@dataclass(frozen=True)
class CitySource:
    """A configured city as the overview needs it: tenant, names and the policy's folder."""

    tenant: str
    name_ja: str
    name_en: str
    policy_path: Path | None = None

    def city(self) -> City:
        """The city with its policy (for grades); the default grade table when it cannot load."""
        from auditor.policy.loader import PolicyError, load_policy

        policy: Policy | None = None
        if self.policy_path is not None:
            try:
                policy = load_policy(self.policy_path).policy
            except (PolicyError, OSError, ValueError):
                policy = None
        return City(self.tenant, self.name_ja, self.name_en, policy)


def read_overview(
    base: Store,
    sources: Sequence[CitySource],
    *,
    stale_days: float,
    now: datetime | None = None,
    trend_runs: int = 10,
) -> PrefectureOverview:
    """The overview of ``sources``, each city read through its own tenant-scoped store opened
    from ``base`` (the CLI report and the prefecture console both call this)."""
    opened: list[tuple[City, OverviewStore]] = []
    stores: list[Store] = []
    try:
        for source in sources:
            store = base.for_tenant(source.tenant)
            stores.append(store)
            opened.append((source.city(), store))
        return build_overview(opened, now=now, stale_days=stale_days, trend_runs=trend_runs)
    finally:
        for store in stores:
            store.close()


# -- output -------------------------------------------------------------------------------------

LABELS: dict[str, tuple[str, str]] = {
    "title": ("都道府県 監査概況", "Prefecture audit overview"),
    "generated_at": ("作成日時", "Generated at"),
    "stale_title": ("{days} 日以上監査されていない自治体", "Cities not audited in {days} days"),
    "none_stale": ("すべての自治体が期間内に監査されています。", "Every city was audited in time."),
    "never": ("未監査", "never audited"),
    "cities": ("自治体別", "By city"),
    "city": ("自治体", "City"),
    "last_audit": ("最終監査", "Last audit"),
    "days": ("経過日数", "Days since"),
    "devices": ("機器数", "Devices"),
    "open": ("未対応", "Open"),
    "compliance": ("準拠率", "Compliance"),
    "zones": ("自治体・ゾーン別 (判定)", "By city and zone (grade)"),
    "zone": ("ゾーン", "Zone"),
    "trend": ("推移 (直近の監査)", "Trend (recent audits)"),
    "run": ("実行", "Run"),
    "seen": ("検出", "Seen"),
    "new": ("新規", "New"),
    "resolved": ("解消", "Resolved"),
    "total": ("合計", "Total"),
    AuditGrade.MAJOR.value: ("重大な不適合", "Major nonconformity"),
    AuditGrade.MINOR.value: ("軽微な不適合", "Minor nonconformity"),
    AuditGrade.OBSERVATION.value: ("観察事項", "Observation"),
    AuditGrade.SCOPE_LIMITATION.value: ("監査範囲の制約", "Scope limitation"),
    AuditGrade.EVIDENCE_REQUIRED.value: ("証跡確認が必要", "Evidence required"),
}


def label(key: str, lang: str, **values: object) -> str:
    ja, en = LABELS[key]
    text = ja if lang == "ja" else en
    return text.format(**values) if values else text


def to_json(overview: PrefectureOverview) -> str:
    def plain(value: Any) -> Any:
        if isinstance(value, datetime):
            return value.isoformat()
        if isinstance(value, dict):
            return {key: plain(item) for key, item in value.items()}
        if isinstance(value, list):
            return [plain(item) for item in value]
        return value

    document = {
        "$schema": "urn:kyojin-auditor:prefecture-overview:v1",
        "generated_at": overview.generated_at.isoformat(),
        "stale_days": overview.stale_days,
        "totals": overview.totals(),
        "stale": [city.tenant for city in overview.stale],
        "daily": [{"day": day.isoformat(), "seen": seen} for day, seen in overview.daily()],
        "cities": [plain(asdict(city)) for city in overview.cities],
    }
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


CSV_COLUMNS = (
    "tenant",
    "city_ja",
    "city_en",
    "zone",
    *GRADES,
    "open_findings",
    "compliance",
    "last_audit_at",
    "days_since_audit",
    "stale",
)


def to_csv(overview: PrefectureOverview) -> str:
    """One row per city (zone ``*``), then one per city and zone; UTF-8 with BOM for Excel."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for city in overview.cities:
        common = (city.tenant, city.name_ja, city.name_en)
        last = city.last_audit_at.isoformat() if city.last_audit_at else ""
        tail = (
            "" if city.compliance is None else f"{city.compliance:.4f}",
            last,
            "" if city.days_since_audit is None else city.days_since_audit,
            "yes" if city.stale else "no",
        )
        writer.writerow((*common, "*", *city.by_grade.values(), city.open_findings, *tail))
        for zone, grades in city.by_zone.items():
            writer.writerow((*common, zone, *grades.values(), sum(grades.values()), "", "", "", ""))
    return "\ufeff" + buffer.getvalue()


def report_style() -> str:
    """The morning report's stylesheet, taken from its template (one style for both pages)."""
    from auditor.report.render import _environment

    env = _environment()
    assert env.loader is not None
    source, _, _ = env.loader.get_source(env, "report.html.j2")
    found = re.search(r"<style>\n(.*?)</style>", source, re.DOTALL)
    css = found.group(1) if found else ""
    return env.from_string(css).render(pack=False)


def to_html(overview: PrefectureOverview, lang: str = "ja") -> str:
    from auditor.report.render import _environment, jst

    template = _environment().get_template("prefecture.html.j2")
    other = "en" if lang == "ja" else "ja"

    def both(key: str, **values: object) -> str:
        return f"{label(key, lang, **values)} / {label(key, other, **values)}"

    def name(city: CityOverview) -> str:
        return city.name_ja if lang == "ja" else city.name_en

    return template.render(
        lang=lang,
        data=overview,
        grades=GRADES,
        style=Markup(report_style()),  # noqa: S704 (the report's own stylesheet, not input)
        L=lambda key, **values: label(key, lang, **values),
        both=both,
        name=name,
        jst=jst,
        pct=lambda value: "-" if value is None else f"{value * 100:.1f}%",
        stale_limit=lambda: overview.generated_at - timedelta(days=overview.stale_days),
    )

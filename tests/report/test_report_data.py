"""The data layer: matrix inputs, trend, filters, clause matching, suppression events."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from auditor.model.findings import Reference
from auditor.policy.models import Policy
from auditor.report.charts import matrix_picture
from auditor.report.data import (
    ExportFilter,
    coerce_matrix,
    load_report_data,
    restrict,
    trend,
)
from auditor.report.model import ReferenceLabel, ZoneInfo
from auditor.report.references import matches_clause, split_references
from tests.report.city import City


def test_a_plain_dict_matrix_marks_a_permitted_but_not_allowed_pair_as_violation() -> None:
    cells = coerce_matrix(
        {
            ("internet", "mynumber"): {"allowed": False, "permitted": True, "observed": False},
            ("lgwan", "internet"): {"allowed": True, "permitted": True, "observed": True},
        },
        None,
    )
    by_pair = {(c.source, c.target): c for c in cells}
    assert by_pair[("internet", "mynumber")].violation
    assert not by_pair[("lgwan", "internet")].violation
    picture = matrix_picture(cells, [ZoneInfo("mynumber", "マイナンバー", "My Number")], "ja")
    assert picture is not None
    states = {(b.source, b.target): b.state for b in picture.boxes}
    assert states[("internet", "mynumber")] == "violation"
    assert states[("lgwan", "internet")] == "ok"


@dataclass
class _Cell:
    source: str
    destination: str
    allowed: list[str]
    permitted: list[str]
    observed: list[str]
    status: str


@dataclass
class _Matrix:
    cells: dict[tuple[str, str], _Cell]


def test_a_zone_matrix_like_object_with_lists_and_excess_status_is_understood() -> None:
    matrix = _Matrix(
        {
            ("lgwan", "internet"): _Cell("lgwan", "internet", ["f1"], ["acl"], [], "excess"),
            ("internet", "lgwan"): _Cell("internet", "lgwan", [], [], [], "denied"),
        }
    )
    cells = {(c.source, c.target): c for c in coerce_matrix(matrix, None)}
    assert cells[("lgwan", "internet")].violation
    assert cells[("lgwan", "internet")].allowed is True
    assert cells[("internet", "lgwan")].allowed is False
    assert not cells[("internet", "lgwan")].violation


def test_the_real_zone_matrix_shape_is_accepted_when_the_module_exists() -> None:
    from auditor.analysis.matrix import AllowedFlow, ZoneCell, ZoneMatrix

    cell = ZoneCell("lgwan", "internet", allowed=[AllowedFlow("f", ["https"], [], [], None)])
    cells = coerce_matrix(ZoneMatrix(["lgwan", "internet"], {("lgwan", "internet"): cell}), None)
    assert [(c.source, c.target, c.allowed, c.permitted) for c in cells] == [
        ("lgwan", "internet", True, False)
    ]


def test_the_trend_counts_findings_open_at_the_end_of_each_day(stored_city: City) -> None:
    findings = stored_city.store.list_findings()
    points = trend(findings, stored_city.now.date(), days=30)
    assert len(points) == 30
    assert points[0].open == 0
    assert points[-1].day == stored_city.now.date()
    assert max(p.open for p in points) > 0


def test_a_clause_matches_a_plan_item_its_prefix_or_a_title_substring() -> None:
    guideline, plan, _ = split_references(
        [Reference(kind="guideline", key="アクセス制御"), Reference(kind="plan", key="4-1-2")],
        None,
    )
    assert matches_clause("4-1-2", guideline, plan)
    assert matches_clause("4-1", guideline, plan)
    assert not matches_clause("4-1-4", guideline, plan)
    assert matches_clause("アクセス", guideline, plan)
    assert matches_clause("access control", guideline, plan)
    assert not matches_clause("ログ", guideline, plan)
    assert plan[0].label_ja.startswith("4-1-2 ")
    assert isinstance(guideline[0], ReferenceLabel) and "アクセス制御" in guideline[0].label_ja


def test_filters_select_by_zone_severity_status_check_and_clause(stored_city: City) -> None:
    data = load_report_data(stored_city.store, policy=stored_city.policy, now=stored_city.now)
    only = ExportFilter(clauses=("4-1-2",)).apply(data.findings)
    assert {f.check_id for f in only} == {"SEG-001", "SEG-002"}
    assert {f.zone for f in ExportFilter(zones=frozenset({"lgwan"})).apply(data.findings)} == {
        "lgwan"
    }
    critical = ExportFilter(severities=frozenset({"critical"})).apply(data.findings)
    assert [f.check_id for f in critical] == ["SEG-001"]
    resolved = ExportFilter(statuses=frozenset({"resolved"})).apply(data.findings)
    assert resolved and all(f.status == "resolved" for f in resolved)
    assert all(
        f.check_id.startswith("HRD")
        for f in ExportFilter(checks=frozenset({"HRD-"})).apply(data.findings)
    )
    future = datetime.now(UTC) + timedelta(days=2)
    assert ExportFilter(since=future).apply(data.findings) == []
    narrowed = restrict(data, ExportFilter(clauses=("4-1-2",)))
    assert {s.device for s in narrowed.devices} == {"mn-sw1", "lg-sw1"}


def test_a_manual_suppression_is_read_back_from_its_chain_event(stored_city: City) -> None:
    data = load_report_data(stored_city.store, policy=stored_city.policy, now=stored_city.now)
    manual = next(f for f in data.suppressed if f.fingerprint == stored_city.manual_fingerprint)
    assert manual.suppression is not None
    assert manual.suppression.actor == "yamada"
    assert manual.suppression.expires == stored_city.now.date() + timedelta(days=20)
    assert stored_city.store.verify().ok


def test_a_report_for_an_earlier_date_leaves_out_later_findings(stored_city: City) -> None:
    earlier: date = stored_city.now.date() - timedelta(days=8)
    data = load_report_data(
        stored_city.store, policy=stored_city.policy, now=stored_city.now, report_date=earlier
    )
    assert "SEG-002" not in {f.check_id for f in data.findings}
    assert data.current_run is not None and data.current_run.id == stored_city.run_ids[0]


def test_the_first_report_ever_shows_every_open_finding_as_new(tmp_path: Path) -> None:
    from auditor.store import Store
    from tests.report.city import SEG, TELNET

    with Store(f"sqlite:///{tmp_path / 'first.db'}") as store:
        store.upgrade()
        at = datetime.now(UTC) - timedelta(hours=1)
        run_id = store.begin_run("audit", "full", ["mn-sw1", "core-sw1"], "t", None, None, at)
        store.record_run(
            run_id,
            snapshots={},
            findings=[SEG, TELNET],
            covered_devices={"mn-sw1", "core-sw1"},
            evaluated_checks={"SEG-001", "HRD-001"},
            policy=Policy(),
            now=at,
            complete=True,
        )
        data = load_report_data(store)
    assert {f.check_id for f in data.new} == {"SEG-001", "HRD-001"}
    assert data.previous_run is None and data.resolved == ()

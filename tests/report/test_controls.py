"""The control matrix of the example city: every check × device, passes recorded, exports."""

from __future__ import annotations

import csv
import json
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from auditor.cli.app import build_app
from auditor.report.controls import (
    ControlMatrix,
    appendix_context,
    load_control_matrix,
    write_controls,
)
from auditor.rules import discover
from auditor.store import Store
from auditor.store.records import NETWORK_TARGET, ResultOutcome
from tests.builders import example_city
from tests.report.example_city import POLICY_DIR, audited_example_city_at

NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def city(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[Path, ControlMatrix, list[tuple[str, str]]]:
    path = tmp_path_factory.mktemp("controls") / "auditor.db"
    policy, _ = audited_example_city_at(path, NOW)
    with Store(f"sqlite:///{path}") as store:
        store.upgrade()
        latest = store.list_runs()[0]
        matrix = load_control_matrix(store, policy=policy)
        failing = sorted(
            {
                (r.check_id, r.device or NETWORK_TARGET)
                for r in store.list_findings()
                if r.last_run_id == latest.id and r.outcome.value == "fail"
            }
        )
        assert matrix.run is not None and matrix.run.id == latest.id
    return path, matrix, failing


def test_every_check_has_a_row_and_every_device_a_column(
    city: tuple[Path, ControlMatrix, list[tuple[str, str]]],
) -> None:
    _, matrix, _ = city
    scenario = example_city()
    assert {row.check.check_id for row in matrix.rows} == set(discover().ids())
    assert set(matrix.targets) == {d.name for d in scenario.devices} | {NETWORK_TARGET}
    assert matrix.targets[-1] == NETWORK_TARGET


def test_fail_cells_are_exactly_the_failing_findings_and_passes_are_recorded(
    city: tuple[Path, ControlMatrix, list[tuple[str, str]]],
) -> None:
    _, matrix, failing = city
    fail_cells = sorted(
        (row.check.check_id, target)
        for row in matrix.rows
        for target, cell in row.cells.items()
        if cell.outcome is ResultOutcome.FAIL
    )
    assert fail_cells == failing
    assert matrix.totals[ResultOutcome.PASS] > len(failing)
    # (this fixture audits without the city's asset ledger, so only segmentation is clean there)
    clean = {entry for entry in example_city().clean if ":" not in entry}
    for row in (r for r in matrix.rows if r.check.check_id.startswith("SEG-")):
        for target in clean & set(row.cells):
            assert row.cells[target].outcome is not ResultOutcome.FAIL, (row.check.check_id, target)


def test_checks_without_their_input_are_not_evaluated_with_the_gap(
    city: tuple[Path, ControlMatrix, list[tuple[str, str]]],
) -> None:
    _, matrix, _ = city
    traffic = [row for row in matrix.rows if row.check.check_id.startswith("TRF-")]
    assert traffic
    for row in traffic:
        for cell in row.cells.values():
            assert cell.outcome is ResultOutcome.NOT_EVALUATED
            assert cell.reason_en == "no traffic capture in this run"
            assert cell.reason_ja
    counts = Counter(cell.outcome for row in matrix.rows for cell in row.cells.values())
    assert counts == Counter(matrix.totals)
    assert all(row.check.guideline or row.check.plan for row in matrix.rows)


def test_the_exports_hold_the_same_matrix(
    city: tuple[Path, ControlMatrix, list[tuple[str, str]]], tmp_path: Path
) -> None:
    _, matrix, failing = city
    write_controls("controls-csv", matrix, tmp_path / "m.csv", lang="ja")
    with (tmp_path / "m.csv").open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0][:5] == ["チェックID", "名称", "重大度", "ガイドライン", "計画項目"]
    assert rows[0][5:] == list(matrix.targets)
    assert len(rows) == len(matrix.rows) + 1
    check, target = failing[0]
    line = next(r for r in rows if r[0] == check)
    assert line[rows[0].index(target)] == "不適合"

    write_controls("controls-json", matrix, tmp_path / "m.json")
    document = json.loads((tmp_path / "m.json").read_text(encoding="utf-8"))
    assert document["run"]["id"] == matrix.run.id if matrix.run else False
    control = next(c for c in document["controls"] if c["check_id"] == check)
    assert control["cells"][target]["outcome"] == "fail"
    assert sum(document["totals"].values()) == sum(matrix.totals.values())

    write_controls("controls-xlsx", matrix, tmp_path / "m.xlsx", lang="en")
    book = load_workbook(tmp_path / "m.xlsx")
    sheet = book["Control matrix"]
    assert sheet.max_row == len(matrix.rows) + 1
    reasons = book["Reasons"]
    assert reasons.max_row - 1 == sum(
        1 for r in matrix.rows for c in r.cells.values() if c.outcome is not ResultOutcome.PASS
    )

    context = appendix_context(matrix, "ja")
    assert len(context["rows"]) == len(matrix.rows)
    assert context["header"][-1] == NETWORK_TARGET


def test_auditor_export_controls_from_the_command_line(
    city: tuple[Path, ControlMatrix, list[tuple[str, str]]], tmp_path: Path
) -> None:
    path, matrix, _ = city
    out = tmp_path / "controls.json"
    result = CliRunner().invoke(
        build_app("en"),
        [
            "export",
            "--format",
            "controls-json",
            "--out",
            str(out),
            "--db",
            f"sqlite:///{path}",
            "--policy",
            str(POLICY_DIR),
        ],
    )
    assert result.exit_code == 0, result.output
    document = json.loads(out.read_text(encoding="utf-8"))
    assert len(document["controls"]) == len(matrix.rows)

"""Exports round-trip, stay free of secrets and formulas, and follow their published formats."""

from __future__ import annotations

import csv
import json
import subprocess
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from auditor.report.cleaning import Redactor, encodable, neutralize_formula
from auditor.report.data import ExportFilter, load_report_data
from auditor.report.exports import COLUMNS, HEADERS_JA, flat_from_json, headers
from auditor.report.model import ReportData
from auditor.report.service import ReportInputs, run_export
from tests.report.city import (
    CONFIG_SHA,
    FORMULA_SUBJECT,
    NOT_CP932,
    PLANTED_SECRET,
    POLICY_DIR,
    City,
)

REPO = Path(__file__).resolve().parents[2]
SCHEMA = REPO / "docs" / "export-schema.json"
TITLES = {"SEG-001": ("VLAN 混在", "Mixed VLANs")}


@pytest.fixture(scope="module")
def data(stored_city: City) -> ReportData:
    return load_report_data(stored_city.store, policy=stored_city.policy, now=stored_city.now)


@pytest.fixture(scope="module")
def exported(
    stored_city: City, data: ReportData, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("exports")
    inputs = ReportInputs(policy=stored_city.policy, policy_path=POLICY_DIR)
    paths = {}
    for name, fmt, encoding in (
        ("csv", "csv", "utf-8"),
        ("cp932", "csv", "cp932"),
        ("xlsx", "xlsx", "utf-8"),
        ("json", "json", "utf-8"),
        ("sarif", "sarif", "utf-8"),
        ("bundle", "bundle", "utf-8"),
    ):
        path = folder / f"findings-{name}.{'zip' if fmt == 'bundle' else fmt}"
        run_export(
            fmt,  # type: ignore[arg-type]
            path,
            data,
            encoding=encoding,
            store=stored_city.store,
            inputs=inputs,
            titles=TITLES,
        )
        paths[name] = path
    return paths


def _json(paths: dict[str, Path]) -> dict[str, object]:
    return json.loads(paths["json"].read_text(encoding="utf-8"))


def _csv_rows(path: Path, encoding: str = "utf-8-sig") -> list[dict[str, str]]:
    """The Japanese CSV's rows keyed by column id (its header row is the Japanese names)."""
    with path.open(encoding=encoding, newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        assert header == [encodable(h, encoding) for h in headers("ja")]
        return [dict(zip(COLUMNS, row, strict=True)) for row in reader]


def _unneutralize(value: str, original: str) -> str:
    return value[1:] if value.startswith("'") and not original.startswith("'") else value


def test_the_json_export_validates_against_the_published_schema(exported: dict[str, Path]) -> None:
    import jsonschema  # only this test validates (0.05 s to import)

    document = _json(exported)
    jsonschema.validate(document, json.loads(SCHEMA.read_text(encoding="utf-8")))
    assert document["count"] == len(document["findings"]) > 0  # type: ignore[arg-type]


def test_the_utf8_csv_has_a_bom_and_equals_the_json(exported: dict[str, Path]) -> None:
    raw = exported["csv"].read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = _csv_rows(exported["csv"])
    expected = [flat_from_json(item, "ja") for item in _json(exported)["findings"]]  # type: ignore[union-attr]
    assert len(rows) == len(expected)
    for row, want in zip(rows, expected, strict=True):
        assert {k: _unneutralize(v, want[k]) for k, v in row.items()} == want


def test_the_cp932_csv_opens_and_replaces_what_cp932_cannot_hold_visibly(
    exported: dict[str, Path],
) -> None:
    rows = _csv_rows(exported["cp932"], "cp932")
    expected = [flat_from_json(item, "ja") for item in _json(exported)["findings"]]  # type: ignore[union-attr]
    assert len(rows) == len(expected)
    for row, want in zip(rows, expected, strict=True):
        assert {k: _unneutralize(v, want[k]) for k, v in row.items()} == {
            k: encodable(v, "cp932") for k, v in want.items()
        }
    syslog = next(r for r in rows if r["check_id"] == "MON-001")
    assert "?(U+20BB7)" in syslog["message_en"] and "田課の端末" in syslog["message_en"]
    assert NOT_CP932 not in exported["cp932"].read_bytes().decode("cp932")


def test_formula_like_cells_are_neutralized_in_csv_and_xlsx(exported: dict[str, Path]) -> None:
    rows = _csv_rows(exported["csv"])
    formula = next(r for r in rows if r["check_id"] == "HRD-003")
    assert formula["subject"] == "'" + FORMULA_SUBJECT
    assert formula["message_en"].startswith("'-1+2")
    sheet = load_workbook(exported["xlsx"])["全指摘"]
    header = [c.value for c in sheet[1]]
    subjects = [
        row[header.index(HEADERS_JA["subject"])]
        for row in sheet.iter_rows(min_row=2, values_only=True)
    ]
    assert "'" + FORMULA_SUBJECT in subjects
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            assert cell.data_type != "f"
    assert neutralize_formula("@SUM(A1)") == "'@SUM(A1)"
    assert neutralize_formula("\tx") == "'\tx"
    assert neutralize_formula("plain") == "plain"


def test_the_xlsx_writes_each_finding_once_unless_zone_sheets_are_asked_for(
    exported: dict[str, Path], data: ReportData, tmp_path: Path
) -> None:
    zone_names = {z.id: z.name_ja for z in data.zones}
    zones_present = {f.zone or "-" for f in data.findings}
    zone_names["-"] = "区域なし"
    wanted = {zone_names.get(zone, zone)[:28] for zone in zones_present}
    plain = load_workbook(exported["xlsx"])
    assert not wanted & set(plain.sheetnames)
    header = [c.value for c in plain["全指摘"][1]]
    assert HEADERS_JA["zone"] in header  # one sheet, filtered by zone instead
    out = tmp_path / "zones.xlsx"
    run_export("xlsx", out, data, titles=TITLES, zone_sheets=True)
    book = load_workbook(out)
    assert wanted <= set(book.sheetnames)
    assert "-" not in book.sheetnames
    assert sum(book[name].max_row - 1 for name in wanted) == len(data.findings)


def test_the_xlsx_has_a_summary_frozen_headers_and_filters(
    exported: dict[str, Path], data: ReportData
) -> None:
    book = load_workbook(exported["xlsx"])
    assert book.sheetnames[0] == "集計" and book.sheetnames[1] == "全指摘"
    findings_sheet = book["全指摘"]
    graded = [f for f in data.findings if not f.is_scope_limitation]
    limits = [f for f in data.findings if f.is_scope_limitation]
    assert limits and all(f.check_id.startswith("COL-") or f.outcome != "fail" for f in limits)
    assert findings_sheet.freeze_panes == "A2"
    last = get_column_letter(len(COLUMNS))
    assert findings_sheet.auto_filter.ref == f"A1:{last}{len(graded) + 1}"
    assert findings_sheet.max_row == len(graded) + 1
    assert book["監査範囲の制約"].max_row == len(limits) + 1
    grade_rows = dict(book["監査の判定"].iter_rows(min_row=2, values_only=True))
    assert sum(grade_rows.values()) == len(data.findings)
    assert grade_rows["監査範囲の制約"] == len(limits)
    summary = book["集計"]
    rows = list(summary.iter_rows(min_row=2, values_only=True))
    totals = sum(row[-1] for row in rows if isinstance(row[-1], int))  # the zone table
    assert totals == len(data.findings)
    assert str(rows[-1][0]).startswith("件数の内訳: ")  # the reconciliation line below it


def test_sarif_has_one_rule_per_check_and_a_result_per_finding(
    exported: dict[str, Path], data: ReportData
) -> None:
    sarif = json.loads(exported["sarif"].read_text(encoding="utf-8"))
    assert sarif["version"] == "2.1.0"
    run = sarif["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert len({r["id"] for r in rules}) == len(rules) == len({f.check_id for f in data.findings})
    assert len(run["results"]) == len(data.findings)
    by_rule = {r["ruleId"]: r for r in run["results"]}
    assert by_rule["SEG-001"]["level"] == "error"
    assert by_rule["MON-001"]["level"] == "warning"
    assert by_rule["HRD-003"]["level"] == "note"
    assert rules[by_rule["SEG-001"]["ruleIndex"]]["id"] == "SEG-001"
    assert rules[by_rule["SEG-001"]["ruleIndex"]]["shortDescription"]["text"] == "VLAN 混在"
    assert "4-1-2" in rules[by_rule["SEG-001"]["ruleIndex"]]["properties"]["plan"]
    suppressed = [r for r in run["results"] if "suppressions" in r]
    assert len(suppressed) == len(data.suppressed)


def test_the_bundle_verifies_with_sha256sum_and_holds_evidence_policy_and_versions(
    exported: dict[str, Path], tmp_path: Path
) -> None:
    with zipfile.ZipFile(exported["bundle"]) as archive:
        archive.extractall(tmp_path)
    (root,) = list(tmp_path.iterdir())
    result = subprocess.run(
        ["sha256sum", "-c", "SHA256SUMS"], cwd=root, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
    names = {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()}
    assert {"findings.json", "findings.csv", "manifest.json", "SHA256SUMS"} <= names
    assert "policy/policy.yaml" in names
    assert any(n.startswith(f"evidence/{CONFIG_SHA[:16]}") for n in names)
    assert sum(n.startswith("evidence/") for n in names) >= 2
    assert "configs/core-sw1.cfg" in names
    diff = (root / "diffs" / "core-sw1.diff").read_text(encoding="utf-8")
    assert "-line vty 0 4" not in diff and "+ transport input telnet" in diff
    manifest = json.loads((root / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["generated_at"].endswith("+09:00")
    assert manifest["tool"]["rule_pack_hash"] == "pack-hash-1"
    assert manifest["tool"]["version"] == "0.1.0-test"
    listed = {line.split("  ", 1)[1] for line in (root / "SHA256SUMS").read_text().splitlines()}
    assert listed == names - {"SHA256SUMS"}
    tampered = root / "findings.csv"
    tampered.write_bytes(tampered.read_bytes() + b"x")
    again = subprocess.run(
        ["sha256sum", "-c", "--quiet", "SHA256SUMS"], cwd=root, check=False, capture_output=True
    )
    assert again.returncode != 0


def test_the_planted_secret_is_absent_from_every_export(exported: dict[str, Path]) -> None:
    needle = PLANTED_SECRET.encode()
    for name, path in exported.items():
        if path.suffix in {".zip", ".xlsx"}:
            with zipfile.ZipFile(path) as archive:
                for member in archive.namelist():
                    assert needle not in archive.read(member), (name, member)
        else:
            assert needle not in path.read_bytes(), name
    assert "<redacted:sha256:" in exported["json"].read_text(encoding="utf-8")


def test_a_known_secret_given_to_the_redactor_is_masked_anywhere() -> None:
    clean = Redactor(salt=b"s", secrets=["hunter2"])
    assert "hunter2" not in clean("login with hunter2 failed")
    assert clean("") == ""


def test_an_export_filter_by_clause_reaches_every_format(
    stored_city: City, data: ReportData, tmp_path: Path
) -> None:
    only = ExportFilter(clauses=("4-2-2",))
    out = tmp_path / "monitoring.json"
    count = run_export("json", out, data, export_filter=only, titles=TITLES)
    document = json.loads(out.read_text(encoding="utf-8"))
    assert count == len(document["findings"]) == 2
    assert document["filters"]["clause"] == ["4-2-2"]
    assert {f["check_id"] for f in document["findings"]} == {"MON-001", "COL-001"}
    for finding in document["findings"]:
        assert [p["item"] for p in finding["references"]["plan"]] == ["4-2-2"]


def test_every_export_carries_the_audit_grade_and_marks_scope_limitations(
    exported: dict[str, Path], data: ReportData
) -> None:
    grades = {f.fingerprint: f.grade for f in data.findings}
    payload = _json(exported)
    items = payload["findings"]  # type: ignore[index]
    assert {i["fingerprint"]: i["audit_grade"]["grade"] for i in items} == {  # type: ignore[index]
        fp: grade.value for fp, grade in grades.items()
    }
    col = [i for i in items if i["check_id"].startswith("COL-")]  # type: ignore[index]
    assert col and all(i["audit_grade"]["scope_limitation"] for i in col)  # type: ignore[index]
    assert all(i["audit_grade"]["label_ja"] == "監査範囲の制約" for i in col)  # type: ignore[index]
    rows = _csv_rows(exported["csv"])
    assert {r["fingerprint"]: r["audit_grade"] for r in rows} == {
        fp: grade.value for fp, grade in grades.items()
    }
    sarif = json.loads(exported["sarif"].read_text(encoding="utf-8"))
    results = sarif["runs"][0]["results"]
    assert {r["properties"]["audit_grade"] for r in results} == {g.value for g in grades.values()}

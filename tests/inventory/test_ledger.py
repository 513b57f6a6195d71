"""Ledger import from the files cities really have: cp932 CSV, UTF-8 with BOM, XLSX."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from pathlib import Path

import pytest

from auditor.inventory.ledger import (
    LedgerError,
    load_ledger,
    parse_confidentiality,
    parse_ledger_date,
)
from auditor.policy.models import Policy, Zone, ZoneKind

REPO = Path(__file__).resolve().parents[2]
HEADER = [
    "資産番号",
    "ホスト名",
    "種別",
    "型番",
    "シリアル番号",
    "MACアドレス",
    "IPアドレス",
    "設置場所",
    "所管課",
    "所属系",
    "機密性",
    "完全性",
    "可用性",
    "リース満了日",
    "保守期限",
    "稼働状況",
    "ファームウェア",
]
ROWS = [
    [
        "A-0001",
        "core-sw1",
        "スイッチ",
        "C9300-24T",
        "FOC1",
        "00-1B-54-21-00-00",
        "10.99.0.21",
        "本庁舎 3F サーバ室",
        "情報政策課",
        "マイナンバー利用事務系",
        "自治体機密性3A",
        "2",
        "2",
        "令和9年3月31日",
        "2030/3/31",
        "稼働",
        "17.9.4a",
    ],
    [
        "A-0002",
        "edge-sw1",
        "スイッチ",
        "AT-x230",
        "G1Q7",
        "001a.eb23.0000",
        "10.99.0.23",
        "本庁舎 1F",
        "総務課",
        "LGWAN系",
        "機密性2",
        "1",
        "1",
        "R9.3.31",
        "2031-03-31",
        "稼働",
        "",
    ],
    [
        "A-0003",
        "bad-sw",
        "スイッチ",
        "X",
        "S3",
        "00:11:22:33:44",
        "10.99.0.24",
        "本庁舎",
        "総務課",
        "LGWAN接続系",
        "2",
        "1",
        "1",
        "2027/2/30",
        "",
        "稼働",
        "",
    ],
    [
        "A-0004",
        "old-sw",
        "スイッチ",
        "Y",
        "S4",
        "",
        "",
        "倉庫",
        "",
        "LGWAN接続系",
        "－",
        "1",
        "1",
        "",
        "",
        "保管",
        "",
    ],
]


def example_policy() -> Policy:
    return Policy(
        zones=[
            Zone(
                id="mynumber",
                kind=ZoneKind.MYNUMBER,
                name_ja="マイナンバー利用事務系",
                name_en="My Number tier",
            ),
            Zone(id="lgwan", kind=ZoneKind.LGWAN, name_ja="LGWAN接続系", name_en="LGWAN tier"),
        ]
    )


def write_csv(path: Path, rows: list[list[str]], encoding: str) -> Path:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows([HEADER, *rows])
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def test_a_cp932_csv_with_japanese_headers_loads_and_normalizes_every_field(tmp_path):
    path = write_csv(tmp_path / "台帳.csv", ROWS[:2], "cp932")

    ledger = load_ledger(path, example_policy())

    assert ledger.encoding == "cp932"
    assert ledger.issues == [] and ledger.warnings == []
    first, second = ledger.rows
    assert first.row_number == 2
    assert (first.asset_id, first.hostname, first.mac) == (
        "A-0001",
        "core-sw1",
        "00:1b:54:21:00:00",
    )
    assert (first.zone, first.confidentiality) == ("mynumber", "3A")
    assert (first.lease_end, first.end_of_support) == (date(2027, 3, 31), date(2030, 3, 31))
    assert (first.status, first.firmware, first.owner_department) == (
        "稼働",
        "17.9.4a",
        "情報政策課",
    )
    assert (second.zone, second.confidentiality, second.mac) == ("lgwan", "2", "00:1a:eb:23:00:00")
    assert second.lease_end == date(2027, 3, 31)
    assert second.firmware is None


def test_a_utf8_csv_with_bom_loads(tmp_path):
    path = write_csv(tmp_path / "ledger.csv", ROWS[:1], "utf-8-sig")

    ledger = load_ledger(path)

    assert ledger.encoding == "utf-8-sig"
    assert ledger.rows[0].asset_id == "A-0001"
    assert ledger.rows[0].zone == "マイナンバー利用事務系"  # no policy: kept as written


def test_a_malformed_row_is_reported_by_row_number_and_the_others_still_load(tmp_path):
    path = write_csv(tmp_path / "ledger.csv", ROWS, "cp932")

    ledger = load_ledger(path, example_policy())

    assert [row.asset_id for row in ledger.rows] == ["A-0001", "A-0002", "A-0004"]
    (issue,) = ledger.issues
    assert issue.row_number == 4
    assert "MACアドレス: not a MAC address: '00:11:22:33:44'" in issue.message
    assert "リース満了日: '2027/2/30' is not a valid date" in issue.message
    placeholder_row = ledger.rows[2]
    assert (placeholder_row.confidentiality, placeholder_row.owner_department) == (None, None)


def test_an_xlsx_ledger_on_a_sheet_named_daicho_with_excel_dates_loads(tmp_path):
    from openpyxl import Workbook  # here: openpyxl (with numpy) costs 0.2 s to import

    workbook = Workbook()
    cover = workbook.active
    cover.title = "表紙"
    cover.append(["情報資産管理台帳"])
    sheet = workbook.create_sheet("台帳")
    sheet.append(["例市 情報資産管理台帳 (令和8年度)"])  # a title row above the header
    sheet.append(["管理番号", "名称", "製造番号", "機密性", "保守期限", "リース満了日", "メモ欄"])
    sheet.append([1024, "コアスイッチ", "FOC2401X0AB", 3, datetime(2030, 3, 31), 46477])
    sheet.append(["A-2", "フロアスイッチ", "X", "自治体機密性3", None, None])
    path = tmp_path / "ledger.xlsx"
    workbook.save(path)

    ledger = load_ledger(path)

    assert ledger.encoding == "xlsx"
    (row,) = ledger.rows
    assert (row.row_number, row.asset_id, row.name, row.serial) == (
        3,
        "1024",
        "コアスイッチ",
        "FOC2401X0AB",
    )
    assert row.confidentiality == "3"
    assert row.end_of_support == date(2030, 3, 31)
    assert row.lease_end == date(2027, 3, 31)  # Excel serial 46477
    (issue,) = ledger.issues
    assert issue.row_number == 4 and "3A, 3B or 3C" in issue.message
    (warning,) = ledger.warnings
    assert (warning.row_number, warning.severity) == (2, "warning")
    assert warning.message == "ignored unknown columns: メモ欄"


def test_english_headers_are_understood(tmp_path):
    path = tmp_path / "ledger.csv"
    path.write_text(
        "asset_id,serial,mac,ip,location,owner_department,confidentiality,end_of_support\n"
        "A-1,S1,AA:BB:CC:DD:EE:FF,10.0.0.1,HQ,IT,3B,2029-12-31\n",
        encoding="utf-8",
    )

    (row,) = load_ledger(path).rows

    assert (row.mac, row.confidentiality, row.end_of_support) == (
        "aa:bb:cc:dd:ee:ff",
        "3B",
        date(2029, 12, 31),
    )


@pytest.mark.parametrize(
    ("written", "level"),
    [
        ("3", "3"),
        ("機密性3", "3"),
        ("機密性２", "2"),
        ("自治体機密性3A", "3A"),
        ("3b", "3B"),
        ("自治体機密性２", "2"),
        (3, "3"),
        (1.0, "1"),
    ],
)
def test_confidentiality_keeps_the_scale_it_was_written_in(written, level):
    assert parse_confidentiality(written) == level


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("2027-03-31", date(2027, 3, 31)),
        ("2027/3/31", date(2027, 3, 31)),
        ("令和9年3月31日", date(2027, 3, 31)),
        ("R9.3.31", date(2027, 3, 31)),
        ("令和元年5月1日", date(2019, 5, 1)),
        ("H31.4.30", date(2019, 4, 30)),
        ("２０２７年３月３１日", date(2027, 3, 31)),
    ],
)
def test_dates_are_read_in_western_and_japanese_era_forms(written, expected):
    assert parse_ledger_date(written) == expected


def test_a_ledger_that_is_not_csv_or_xlsx_is_refused(tmp_path):
    path = tmp_path / "ledger.ods"
    path.write_bytes(b"x")
    with pytest.raises(LedgerError):
        load_ledger(path)


def test_the_example_city_ledger_loads_cleanly_against_the_example_policy():
    from auditor.policy.loader import load_policy

    policy = load_policy(REPO / "policies" / "example-city", today=date(2026, 11, 24)).policy
    ledger = load_ledger(REPO / "inventory" / "example-city" / "ledger.csv", policy)

    assert ledger.encoding == "cp932"
    assert ledger.issues == [] and ledger.warnings == []
    by_asset = {row.asset_id: row for row in ledger.rows}
    assert by_asset["A-0099"].owner_department is None  # covered by exception EX-2026-014
    assert by_asset["A-1022"].location is None  # no exception
    assert {row.zone for row in ledger.rows} <= {zone.id for zone in policy.zones}


def test_xlsx_row_numbers_count_blank_rows_like_the_spreadsheet_does(tmp_path):
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet["A3"], sheet["B3"] = "資産番号", "設置場所"
    sheet["A4"], sheet["B4"] = "A-1", "本庁舎"
    sheet["A9"], sheet["B9"] = "A-2", "東支所"
    path = tmp_path / "gaps.xlsx"
    workbook.save(path)

    ledger = load_ledger(path)

    assert [(row.row_number, row.asset_id) for row in ledger.rows] == [(4, "A-1"), (9, "A-2")]

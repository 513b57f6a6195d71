"""The streaming XLSX writer reads back exactly as XlsxWriter's cells did, tricky text included."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

from openpyxl import load_workbook

from auditor.report.xlsx_stream import MAX_CHARS, STYLE_BOLD, Workbook, column_letter

TRICKY: list[Any] = [
    "plain",
    "  leading and trailing  ",
    "tab\tinside",
    "line\nbreak",
    "carriage\rreturn",
    "bell\x07 and escape \x1b[2J",
    "literal _x0041_ escape",
    "<b>&amp;</b> \"quoted\" 'single'",
    "日本語の説明 (事務室) 𠮷田 🔥",
    "\ufffe non-character",
    "x" * (MAX_CHARS + 10),
    0,
    42,
    3.25,
    datetime(2026, 11, 30, 11, 15, 30),
    date(2027, 3, 31),
    None,
    "",
]


def _reference(path: Path) -> None:
    import xlsxwriter  # the reference writer, imported by the one test that uses it

    book = xlsxwriter.Workbook(
        str(path),
        {"constant_memory": True, "strings_to_urls": False, "strings_to_formulas": False},
    )
    sheet = book.add_worksheet("findings")
    day = book.add_format({"num_format": "yyyy-mm-dd"})
    moment = book.add_format({"num_format": "yyyy-mm-dd hh:mm"})
    sheet.write_row(0, 0, [f"h{i}" for i in range(len(TRICKY))], book.add_format({"bold": True}))
    for column, value in enumerate(TRICKY):
        if value is None or value == "":
            continue
        if isinstance(value, datetime):
            sheet.write_datetime(1, column, value, moment)
        elif isinstance(value, date):
            sheet.write_datetime(1, column, value, day)
        elif isinstance(value, str):
            sheet.write_string(1, column, value)
        else:
            sheet.write_number(1, column, value)
    book.close()


def _ours(path: Path) -> None:
    with Workbook(path) as book:
        sheet = book.sheet("findings", freeze_rows=1, widths=[10, 10, 20])
        sheet.autofilter(2, len(TRICKY))
        sheet.row([f"h{i}" for i in range(len(TRICKY))], STYLE_BOLD)
        sheet.row(TRICKY)
        book.sheet("second").row(["x"])


def _cells(path: Path) -> list[tuple[Any, ...]]:
    sheet = load_workbook(path)["findings"]
    return [
        (c.coordinate, c.value, c.number_format, bool(c.font.b))
        for row in sheet.iter_rows()
        for c in row
        if c.value is not None
    ]


def test_every_cell_reads_back_as_xlsxwriter_wrote_it(tmp_path: Path) -> None:
    _reference(tmp_path / "reference.xlsx")
    _ours(tmp_path / "ours.xlsx")
    ours = _cells(tmp_path / "ours.xlsx")
    assert ours == _cells(tmp_path / "reference.xlsx")
    values = {coordinate: value for coordinate, value, _, _ in ours}
    assert values["A2"] == "plain" and values["B2"] == "  leading and trailing  "
    # control characters as Excel's _xHHHH_ escapes (never raw in the XML), like XlsxWriter
    assert values["F2"] == "bell_x0007_ and escape _x001B_[2J"
    assert values["G2"] == "literal _x005F_x0041_ escape"
    assert len(values["K2"]) == MAX_CHARS


def test_sheets_panes_filters_and_widths(tmp_path: Path) -> None:
    _ours(tmp_path / "ours.xlsx")
    book = load_workbook(tmp_path / "ours.xlsx")
    assert book.sheetnames == ["findings", "second"]
    sheet = book["findings"]
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == f"A1:{column_letter(len(TRICKY) - 1)}2"
    assert round(sheet.column_dimensions["C"].width, 2) == 20.71
    assert book["second"]["A1"].value == "x"


def test_column_letters() -> None:
    assert [column_letter(i) for i in (0, 25, 26, 51, 52, 701, 702)] == [
        "A",
        "Z",
        "AA",
        "AZ",
        "BA",
        "ZZ",
        "AAA",
    ]

"""A minimal streaming XLSX writer: one XML string per row, straight into the zip member.

XlsxWriter's ``constant_memory`` mode streams too, but it spends ~15 µs of Python per cell
(argument checks, a cell object, a regex per escape): at 100,000 findings x 20 filled cells that
alone is 30 s. The findings export needs only inline strings, numbers, dates, a bold header, frozen
panes, column widths and an autofilter, so this writer builds each row as one string and escapes
only cells that need it. Sheets are written one after the other (each is a zip member streamed
as it is written); memory stays flat whatever the row count.

Text is escaped the way Excel reads it: ``& < >`` as entities, control characters as ``_xHHHH_``
(and a literal ``_xHHHH_`` as ``_x005F_xHHHH_``), leading/trailing blanks preserved, and cells
longer than Excel's 32,767-character limit cut there.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from pathlib import Path
from types import TracebackType
from typing import IO

CellValue = str | int | float | datetime | date | None

STYLE_BOLD = 1
STYLE_DATE = 2
STYLE_DATETIME = 3
MAX_CHARS = 32_767
_EPOCH_DAY = date(1899, 12, 30).toordinal()
_NEEDS_ESCAPE = re.compile(r"[&<>\x00-\x08\x0b-\x1f\ufffe\uffff]|_x[0-9a-fA-F]{4}_|^\s|\s$")
_ESCAPED_ESCAPE = re.compile("(_x[0-9a-fA-F]{4}_)")
_CONTROL = re.compile(r"([\x00-\x08\x0b-\x1f])")
_FLUSH_ROWS = 2000


def column_letter(index: int) -> str:
    """``0`` -> ``A``, ``26`` -> ``AA``."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def _text_cell(ref: str, text: str, style: int) -> str:
    if len(text) > MAX_CHARS:
        text = text[:MAX_CHARS]
    preserve = ""
    if _NEEDS_ESCAPE.search(text):
        text = _ESCAPED_ESCAPE.sub(r"_x005F\1", text)
        text = _CONTROL.sub(lambda m: f"_x{ord(m.group(1)):04X}_", text)
        text = text.replace("\ufffe", "_xFFFE_").replace("\uffff", "_xFFFF_")
        text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        if text[:1].isspace() or text[-1:].isspace():
            preserve = ' xml:space="preserve"'
    s = f' s="{style}"' if style else ""
    return f'<c r="{ref}"{s} t="inlineStr"><is><t{preserve}>{text}</t></is></c>'


def serial(value: datetime | date) -> float:
    """Excel's serial day number (1900 system); datetimes must already be naive local time."""
    if isinstance(value, datetime):
        seconds = value.hour * 3600 + value.minute * 60 + value.second + value.microsecond / 1e6
        return value.toordinal() - _EPOCH_DAY + seconds / 86400
    return value.toordinal() - _EPOCH_DAY


class Sheet:
    """One worksheet being streamed; rows must be written in order (1-based, no gaps needed)."""

    def __init__(
        self,
        handle: IO[bytes],
        *,
        freeze_rows: int,
        freeze_columns: int,
        widths: Sequence[float],
    ) -> None:
        self._handle = handle
        self._buffer: list[str] = []
        self._rows = 0
        self._columns = 0
        self._letters = [column_letter(i) for i in range(64)]
        self._filter: tuple[int, int] | None = None
        head = [
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">',
            '<sheetViews><sheetView workbookViewId="0">',
        ]
        if freeze_rows or freeze_columns:
            corner = f"{column_letter(freeze_columns)}{freeze_rows + 1}"
            split = (f' xSplit="{freeze_columns}"' if freeze_columns else "") + (
                f' ySplit="{freeze_rows}"' if freeze_rows else ""
            )
            pane = (
                "bottomRight"
                if freeze_rows and freeze_columns
                else ("bottomLeft" if freeze_rows else "topRight")
            )
            head.append(
                f'<pane{split} topLeftCell="{corner}" activePane="{pane}" state="frozen"/>'
                f'<selection pane="{pane}" activeCell="{corner}" sqref="{corner}"/>'
            )
        head.append('</sheetView></sheetViews><sheetFormatPr defaultRowHeight="15"/>')
        if widths:
            head.append("<cols>")
            first = 1
            for index in range(1, len(widths) + 1):  # neighbours of one width share an element
                if index < len(widths) and widths[index] == widths[index - 1]:
                    continue
                width = widths[index - 1] + 0.7109375
                head.append(
                    f'<col min="{first}" max="{index}" width="{width:.8g}" customWidth="1"/>'
                )
                first = index + 1
            head.append("</cols>")
        head.append("<sheetData>")
        self._handle.write("".join(head).encode("utf-8"))

    @property
    def rows(self) -> int:
        return self._rows

    def autofilter(self, last_row: int, columns: int) -> None:
        """Filter buttons on row 1 over ``columns`` columns down to ``last_row`` (1-based)."""
        self._filter = (last_row, columns)

    def row(self, values: Iterable[CellValue], style: int = 0) -> None:
        """Append the next row; ``None`` and ``""`` are empty cells; dates get a date style."""
        self._rows += 1
        number = self._rows
        letters = self._letters
        cells: list[str] = []
        for index, value in enumerate(values):
            if value is None or value == "":
                continue
            if index >= len(letters):
                letters.extend(column_letter(i) for i in range(len(letters), index + 1))
            ref = f"{letters[index]}{number}"
            if isinstance(value, str):
                cells.append(_text_cell(ref, value, style))
            elif isinstance(value, datetime):
                cells.append(f'<c r="{ref}" s="{STYLE_DATETIME}"><v>{serial(value)!r}</v></c>')
            elif isinstance(value, date):
                cells.append(f'<c r="{ref}" s="{STYLE_DATE}"><v>{serial(value)}</v></c>')
            else:
                s = f' s="{style}"' if style else ""
                cells.append(f'<c r="{ref}"{s}><v>{value!r}</v></c>')
            self._columns = max(self._columns, index + 1)
        self._buffer.append(f'<row r="{number}">{"".join(cells)}</row>')
        if len(self._buffer) >= _FLUSH_ROWS:
            self._flush()

    def _flush(self) -> None:
        self._handle.write("".join(self._buffer).encode("utf-8"))
        self._buffer.clear()

    def close(self) -> str | None:
        """Finish the sheet; returns the autofilter range (for the workbook's defined name)."""
        self._flush()
        tail = ["</sheetData>"]
        ref = None
        if self._filter is not None:
            last_row, columns = self._filter
            ref = f"A1:{column_letter(columns - 1)}{max(last_row, 1)}"
            tail.append(f'<autoFilter ref="{ref}"/>')
        tail.append(
            '<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" '
            'footer="0.3"/></worksheet>'
        )
        self._handle.write("".join(tail).encode("utf-8"))
        self._handle.close()
        return ref


class Workbook:
    """Sheets streamed one at a time into ``path``; ``close`` writes the workbook parts."""

    def __init__(self, path: Path) -> None:
        self._zip = zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1)
        self._titles: list[str] = []
        self._filters: dict[int, str] = {}
        self._open: Sheet | None = None

    def __enter__(self) -> Workbook:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def sheet(
        self,
        title: str,
        *,
        freeze_rows: int = 0,
        freeze_columns: int = 0,
        widths: Sequence[float] = (),
    ) -> Sheet:
        """Start the next sheet (the previous one is finished first)."""
        self._finish_open()
        self._titles.append(title)
        handle = self._zip.open(f"xl/worksheets/sheet{len(self._titles)}.xml", "w")
        sheet = Sheet(handle, freeze_rows=freeze_rows, freeze_columns=freeze_columns, widths=widths)
        self._open = sheet
        return sheet

    def _finish_open(self) -> None:
        if self._open is not None:
            ref = self._open.close()
            if ref is not None:
                self._filters[len(self._titles) - 1] = ref
            self._open = None

    def close(self) -> None:
        if self._zip.fp is None:
            return
        self._finish_open()
        count = len(self._titles)
        write = self._zip.writestr
        write("[Content_Types].xml", _content_types(count))
        write("_rels/.rels", _ROOT_RELS)
        write("xl/workbook.xml", self._workbook_xml())
        write("xl/_rels/workbook.xml.rels", _workbook_rels(count))
        write("xl/styles.xml", _STYLES)
        self._zip.close()

    def _workbook_xml(self) -> str:
        sheets = "".join(
            f'<sheet name="{_attr(title)}" sheetId="{i}" r:id="rId{i}"/>'
            for i, title in enumerate(self._titles, start=1)
        )
        names = "".join(
            f'<definedName name="_xlnm._FilterDatabase" localSheetId="{index}" hidden="1">'
            f"{_attr(_quoted(self._titles[index]))}!{_absolute(ref)}</definedName>"
            for index, ref in sorted(self._filters.items())
        )
        return (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
            f"<bookViews><workbookView/></bookViews><sheets>{sheets}</sheets>"
            + (f"<definedNames>{names}</definedNames>" if names else "")
            + "</workbook>"
        )


def _attr(text: str) -> str:
    return (
        text.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;").replace(">", "&gt;")
    )


def _quoted(title: str) -> str:
    return "'" + title.replace("'", "''") + "'"


def _absolute(ref: str) -> str:
    start, end = ref.split(":")
    return ":".join(re.sub(r"([A-Z]+)(\d+)", r"$\1$\2", part) for part in (start, end))


def _content_types(count: int) -> str:
    sheets = "".join(
        f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        for i in range(1, count + 1)
    )
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" '
        'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/styles.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
        f"{sheets}</Types>"
    )


def _workbook_rels(count: int) -> str:
    base = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    items = "".join(
        f'<Relationship Id="rId{i}" Type="{base}/worksheet" Target="worksheets/sheet{i}.xml"/>'
        for i in range(1, count + 1)
    )
    styles = f'<Relationship Id="rId{count + 1}" Type="{base}/styles" Target="styles.xml"/>'
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        f"{items}{styles}</Relationships>"
    )


_ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
)

# Styles by index: 0 plain, 1 bold (headers), 2 yyyy-mm-dd, 3 yyyy-mm-dd hh:mm.
_STYLES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<numFmts count="2"><numFmt numFmtId="164" formatCode="yyyy-mm-dd"/>'
    '<numFmt numFmtId="165" formatCode="yyyy-mm-dd hh:mm"/></numFmts>'
    '<fonts count="2"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="4"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    "</cellXfs>"
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)

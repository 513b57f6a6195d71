"""Import the 情報資産管理台帳 (asset ledger) from CSV or XLSX with Japanese or English headers.

Cities keep their ledger in Excel, often exported as Shift_JIS CSV, with their own column names and
dates in 和暦. A row that cannot be read becomes a :class:`LedgerIssue` with its spreadsheet row
number (header = row 1) and the other rows still load, so one typo never hides the whole ledger.
Classification keeps the scale it was written in (機密性3 vs 自治体機密性3A): mapping between the
scales is the city's decision, declared in ``policy.ledger.confidentiality_map``.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import ipaddress
import re
import unicodedata
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from auditor.inventory.models import AssetLedger, LedgerIssue, LedgerRow
from auditor.model.snapshot import normalize_mac
from auditor.policy.issues import ConfigFileError, PolicyIssue
from auditor.policy.models import Policy, ZoneKind
from auditor.policy.source import read_config_bytes

__all__ = [
    "HEADER_ALIASES",
    "LedgerError",
    "load_ledger",
    "parse_confidentiality",
    "parse_ledger_date",
]


class LedgerError(ConfigFileError):
    """The ledger file as a whole cannot be read (missing, unknown format, undecodable)."""


MAX_LEDGER_BYTES = 64 * 1024 * 1024
"""Largest ledger file; a city's ledger of ten thousand assets is a few megabytes."""
MAX_XLSX_UNCOMPRESSED = 256 * 1024 * 1024
"""Budget for all XLSX parts once unzipped, checked before openpyxl opens anything."""
MAX_XLSX_RATIO = 100
"""Largest compression ratio of one XLSX part (real sheets compress about 10:1)."""
MAX_XLSX_MEMBERS = 10_000
MAX_CELL_CHARACTERS = 32_767
"""Excel's own limit for one cell: anything longer was not written by Excel."""
_DOCTYPE_MARKS = (b"<!DOCTYPE", b"<!ENTITY", "<!DOCTYPE".encode("utf-16-le"))


# Field → header spellings, compared after NFKC, lower-casing and removing spaces and brackets.
HEADER_ALIASES: dict[str, tuple[str, ...]] = {
    "asset_id": ("資産番号", "管理番号", "資産管理番号", "asset_id", "assetid", "asset_number"),
    "name": ("名称", "機器名", "資産名", "情報資産名", "情報資産の名称", "name"),
    "kind": ("機器種別", "種別", "資産種別", "分類", "kind", "type", "asset_type"),
    "model": ("型番", "機種", "機種名", "型式", "model"),
    "serial": ("シリアル番号", "製造番号", "シリアル", "serial", "serial_number"),
    "mac": ("macアドレス", "mac", "mac_address"),
    "ip": ("ipアドレス", "管理ipアドレス", "ip", "ip_address", "mgmt_ip"),
    "hostname": ("ホスト名", "hostname", "host_name"),
    "location": ("設置場所", "location"),
    "owner_department": (
        "管理部署",
        "所管課",
        "所管部署",
        "管理課",
        "owner_department",
        "owner_dept",
        "department",
    ),
    "zone": ("所属系", "ネットワーク区分", "接続系", "zone", "network"),
    "confidentiality": ("機密性", "confidentiality"),
    "integrity": ("完全性", "integrity"),
    "availability": ("可用性", "availability"),
    "lease_end": ("リース満了日", "リース期限", "リース終了日", "lease_end"),
    "end_of_support": (
        "保守期限",
        "サポート終了日",
        "保守終了日",
        "eos",
        "end_of_support",
        "eos_date",
    ),
    "status": ("状態", "稼働状況", "status"),
    "firmware": ("ファームウェア", "ファームウェア版数", "ファームウェアバージョン", "firmware"),
}
# Columns every ledger has that no check uses; not worth a warning.
IGNORED_HEADERS = ("備考", "摘要", "no", "no.", "番号", "remarks", "notes", "comment")
_PLACEHOLDERS = frozenset(
    {"-", "ー", "―", "‐", "なし", "無し", "未定", "不明", "n/a", "na", "none"}
)
_ERAS = {"令和": 2018, "r": 2018, "平成": 1988, "h": 1988, "昭和": 1925, "s": 1925}
_ERA_DATE = re.compile(r"^(令和|平成|昭和|r|h|s)(元|\d{1,2})[年./-](\d{1,2})[月./-](\d{1,2})日?$")
_WESTERN_DATE = re.compile(r"^(\d{4})[年./-](\d{1,2})[月./-](\d{1,2})日?$")
_MAC_CHARACTERS = re.compile(r"^[0-9a-fA-F:.\- ]+$")
_EXCEL_EPOCH = dt.date(1899, 12, 30)
_LEDGER_SHEETS = ("台帳", "ledger")
_ZONE_KEYWORDS: tuple[tuple[str, ZoneKind], ...] = (
    ("マイナンバー", ZoneKind.MYNUMBER),
    ("lgwan", ZoneKind.LGWAN),
    ("無害化", ZoneKind.SANITIZER),
    ("画面転送", ZoneKind.SANITIZER),
    ("インターネット", ZoneKind.INTERNET),
    ("教育", ZoneKind.EDUCATION),
    ("校務", ZoneKind.EDUCATION),
    ("公衆", ZoneKind.PUBLIC_WIFI),
    ("避難所", ZoneKind.PUBLIC_WIFI),
    ("管理", ZoneKind.MANAGEMENT),
)


def load_ledger(path: Path, policy: Policy | None = None) -> AssetLedger:
    """Read the ledger; unreadable rows become ``issues``, ignored columns a warning."""
    source = str(path)
    suffix = path.suffix.lower()
    if not path.exists() and not path.is_symlink():
        raise LedgerError([PolicyIssue(source, None, "", "no such file")])
    if suffix not in {".xlsx", ".xlsm", ".csv", ".txt", ".tsv"}:
        raise LedgerError(
            [PolicyIssue(source, None, "", "unknown ledger format (use .csv or .xlsx)")]
        )
    try:
        raw = read_config_bytes(path, source, MAX_LEDGER_BYTES)
    except ConfigFileError as exc:
        raise LedgerError(exc.issues) from None
    if suffix in {".xlsx", ".xlsm"}:
        table, encoding = _read_xlsx(path, raw), "xlsx"
    else:
        table, encoding = _read_csv(source, raw, delimiter="\t" if suffix == ".tsv" else ",")
    ledger = _parse_table(table, source, policy)
    ledger.encoding = encoding
    if not ledger.rows and not ledger.issues:
        ledger.warnings.append(
            LedgerIssue(
                source=source,
                row_number=max(len(table), 1),
                message="the ledger has no asset rows (台帳に資産の行がありません)",
                severity="warning",
            )
        )
    return ledger


def _read_csv(source: str, raw: bytes, delimiter: str) -> tuple[list[tuple[int, list[Any]]], str]:
    try:
        text, encoding = raw.decode("utf-8-sig"), "utf-8"
        if raw.startswith(b"\xef\xbb\xbf"):
            encoding = "utf-8-sig"
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        if any(byte >= 0x80 for byte in raw[: exc.start]):
            # UTF-8 so far: one damaged line, not a Shift_JIS file.
            raise LedgerError(
                [PolicyIssue(source, line, "", f"not valid UTF-8 on this line ({exc.reason})")]
            ) from None
        try:
            text, encoding = raw.decode("cp932"), "cp932"
        except UnicodeDecodeError as cp932_exc:
            line = raw.count(b"\n", 0, cp932_exc.start) + 1
            raise LedgerError(
                [PolicyIssue(source, line, "", "neither UTF-8 nor Shift_JIS (cp932) text")]
            ) from None
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows: list[tuple[int, list[Any]]] = []
    try:
        for index, record in enumerate(reader, start=1):
            _check_cells(source, reader.line_num, record)
            rows.append((index, list(record)))
    except csv.Error as exc:
        raise LedgerError(
            [PolicyIssue(source, reader.line_num, "", f"unreadable CSV ({exc})")]
        ) from None
    return rows, encoding


def _check_cells(source: str, line: int, cells: Sequence[Any]) -> None:
    for cell in cells:
        if isinstance(cell, str) and len(cell) > MAX_CELL_CHARACTERS:
            raise LedgerError(
                [
                    PolicyIssue(
                        source,
                        line,
                        "",
                        f"a cell of {len(cell):,} characters (Excel allows {MAX_CELL_CHARACTERS:,})",
                    )
                ]
            )


def _check_xlsx(source: str, raw: bytes) -> None:
    """Refuse zip bombs and XML entity tricks before openpyxl parses anything.

    Declared sizes bound what :mod:`zipfile` will inflate, so checking them (and the compression
    ratio) caps memory; a DOCTYPE has no place in an Office part and is where entity expansion
    and external entities start.
    """

    def refuse(message: str) -> LedgerError:
        return LedgerError([PolicyIssue(source, None, "", message)])

    try:
        archive = zipfile.ZipFile(io.BytesIO(raw))
    except (zipfile.BadZipFile, ValueError) as exc:
        raise refuse(f"cannot open as XLSX ({type(exc).__name__})") from None
    with archive:
        members = archive.infolist()
        if len(members) > MAX_XLSX_MEMBERS:
            raise refuse(f"an XLSX with {len(members):,} parts (zip bomb?)")
        total = sum(member.file_size for member in members)
        if total > MAX_XLSX_UNCOMPRESSED:
            raise refuse(
                f"XLSX unpacks to {total:,} bytes (the limit is {MAX_XLSX_UNCOMPRESSED:,}; "
                "zip bomb?)"
            )
        for member in members:
            ratio = member.file_size / max(member.compress_size, 1)
            if member.file_size > 1_000_000 and ratio > MAX_XLSX_RATIO:
                raise refuse(
                    f"XLSX part {member.filename[:80]} compressed {ratio:.0f}:1 (zip bomb?)"
                )
            if member.filename.endswith((".xml", ".rels", ".vml")):
                try:
                    with archive.open(member) as part:
                        tail = b""
                        while chunk := part.read(1 << 20):
                            window = tail + chunk
                            if any(mark in window for mark in _DOCTYPE_MARKS):
                                raise refuse(
                                    f"XLSX part {member.filename[:80]} declares a DOCTYPE "
                                    "(entities are refused)"
                                )
                            tail = window[-32:]
                except (zipfile.BadZipFile, OSError, EOFError, RuntimeError) as exc:
                    raise refuse(f"cannot open as XLSX ({type(exc).__name__})") from None


def _read_xlsx(path: Path, raw: bytes) -> list[tuple[int, list[Any]]]:
    from openpyxl import load_workbook  # imported here: only XLSX imports need it

    source = str(path)
    _check_xlsx(source, raw)
    try:
        workbook = load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for damaged files
        raise LedgerError(
            [PolicyIssue(source, None, "", f"cannot open as XLSX ({type(exc).__name__})")]
        ) from None
    try:
        sheet = workbook.worksheets[0]
        for candidate in workbook.worksheets:
            if _normalize_header(candidate.title) in _LEDGER_SHEETS:
                sheet = candidate
                break
        rows: list[tuple[int, list[Any]]] = []
        for index, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            _check_cells(source, index, values)
            rows.append((index, list(values)))
        return rows
    except LedgerError:
        raise
    except Exception as exc:  # a damaged sheet part: name the file, not a traceback
        raise LedgerError(
            [PolicyIssue(source, None, "", f"cannot read the XLSX sheet ({type(exc).__name__})")]
        ) from None
    finally:
        workbook.close()


def _parse_table(
    table: Sequence[tuple[int, list[Any]]], source: str, policy: Policy | None
) -> AssetLedger:
    ledger = AssetLedger(source=source)
    header_position = _find_header(table)
    if header_position is None:
        ledger.issues.append(
            LedgerIssue(
                source=source,
                row_number=1,
                message="no header row with known column names (e.g. 資産番号, 設置場所)",
            )
        )
        return ledger
    header_row_number, header = table[header_position]
    columns, unknown = _map_columns(header)
    if unknown:
        ledger.warnings.append(
            LedgerIssue(
                source=source,
                row_number=header_row_number,
                message=f"ignored unknown columns: {', '.join(unknown)}",
                severity="warning",
            )
        )
    unmapped_zones: dict[str, int] = {}
    for row_number, cells in table[header_position + 1 :]:
        values = {field: _cell(cells, index) for field, index in columns.items()}
        if all(value is None for value in values.values()) and not any(
            _cell(cells, index) is not None for index in range(len(cells))
        ):
            continue
        row, problems = _parse_row(row_number, values, policy, unmapped_zones)
        if problems:
            ledger.issues.append(
                LedgerIssue(source=source, row_number=row_number, message="; ".join(problems))
            )
        elif row is not None:
            ledger.rows.append(row)
    for value, row_number in unmapped_zones.items():
        ledger.warnings.append(
            LedgerIssue(
                source=source,
                row_number=row_number,
                message=f"所属系 '{value}' matches no zone of the policy; kept as written",
                severity="warning",
            )
        )
    return ledger


def _find_header(table: Sequence[tuple[int, list[Any]]]) -> int | None:
    """The first of the top rows naming two known columns (a title row may sit above it)."""
    for position, (_, cells) in enumerate(table[:10]):
        known = {
            field
            for cell in cells
            if cell is not None and (field := _FIELD_BY_HEADER.get(_normalize_header(cell)))
        }
        if len(known) >= 2:
            return position
    return None


def _map_columns(header: Sequence[Any]) -> tuple[dict[str, int], list[str]]:
    columns: dict[str, int] = {}
    unknown: list[str] = []
    for index, cell in enumerate(header):
        if cell is None or str(cell).strip() == "":
            continue
        normalized = _normalize_header(cell)
        field = _FIELD_BY_HEADER.get(normalized)
        if field is None and normalized in _IGNORED:
            continue
        if field is None or field in columns:
            unknown.append(str(cell).strip())
            continue
        columns[field] = index
    return columns, unknown


def _normalize_header(value: Any) -> str:
    text = unicodedata.normalize("NFKC", str(value)).strip().lower()
    text = re.sub(r"[(\[].*?[)\]]", "", text)  # 機密性(3A/3B/3C/2/1) → 機密性
    return re.sub(r"[\s・_\-]+", "", text)


_FIELD_BY_HEADER: dict[str, str] = {
    _normalize_header(alias): field
    for field, aliases in HEADER_ALIASES.items()
    for alias in aliases
}


_IGNORED = frozenset(_normalize_header(header) for header in IGNORED_HEADERS)


def _cell(cells: Sequence[Any], index: int) -> Any:
    if index >= len(cells):
        return None
    value = cells[index]
    if isinstance(value, str):
        value = value.strip()
        if value == "" or unicodedata.normalize("NFKC", value).lower() in _PLACEHOLDERS:
            return None
    return value


def _parse_row(
    row_number: int,
    values: dict[str, Any],
    policy: Policy | None,
    unmapped_zones: dict[str, int],
) -> tuple[LedgerRow | None, list[str]]:
    fields: dict[str, Any] = {}
    problems: list[str] = []
    for field, value in values.items():
        if value is None:
            continue
        try:
            fields[field] = _convert(field, value, policy, unmapped_zones, row_number)
        except ValueError as exc:
            problems.append(f"{_LABELS.get(field, field)}: {exc}")
    if problems:
        return None, problems
    return LedgerRow(row_number=row_number, **fields), []


_LABELS = {
    "mac": "MACアドレス",
    "ip": "IPアドレス",
    "confidentiality": "機密性",
    "integrity": "完全性",
    "availability": "可用性",
    "lease_end": "リース満了日",
    "end_of_support": "保守期限",
}


def _convert(
    field: str, value: Any, policy: Policy | None, unmapped_zones: dict[str, int], row: int
) -> Any:
    if field in {"lease_end", "end_of_support"}:
        return parse_ledger_date(value)
    if field == "confidentiality":
        return parse_confidentiality(value)
    if field in {"integrity", "availability"}:
        return _parse_level(value, "完全性" if field == "integrity" else "可用性")
    text = _text(value)
    if field == "mac":
        if not _MAC_CHARACTERS.match(text):
            raise ValueError(f"not a MAC address: '{text}'")
        return normalize_mac(text)
    if field == "ip":
        address = text.split("/")[0]
        try:
            return str(ipaddress.ip_address(address))
        except ValueError:
            raise ValueError(f"not an IP address: '{text}'") from None
    if field == "zone":
        return _map_zone(text, policy, unmapped_zones, row)
    return text


def _text(value: Any) -> str:
    """Cell text; whole numbers typed in Excel (資産番号 1024) lose their ``.0``."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


def parse_confidentiality(value: Any) -> str:
    """``機密性3``/``3`` → ``"3"``; ``自治体機密性3A``/``3a`` → ``"3A"``; scales are never mapped."""
    text = unicodedata.normalize("NFKC", _text(value)).strip().upper().replace(" ", "")
    new_scale = text.startswith("自治体")
    for prefix in ("自治体機密性", "機密性", "自治体"):
        if text.startswith(prefix):
            text = text[len(prefix) :]
            break
    if text in {"3A", "3B", "3C", "2", "1"}:
        return text
    if text == "3" and not new_scale:
        return text
    if text == "3":
        raise ValueError(
            "'自治体機密性3' is not a level: the 令和6年10月版 scale uses 3A, 3B or 3C"
        )
    raise ValueError(f"'{_text(value)}' is not a level (3/2/1 or 自治体機密性3A/3B/3C/2/1)")


def _parse_level(value: Any, prefix: str) -> str:
    text = unicodedata.normalize("NFKC", _text(value)).strip().upper().replace(" ", "")
    text = text.removeprefix(prefix)
    if re.fullmatch(r"[1-3]", text):
        return text
    raise ValueError(f"'{_text(value)}' is not a level ({prefix}2 / {prefix}1)")


def parse_ledger_date(value: Any) -> dt.date:
    """2027-03-31, 2027/3/31, 2027年3月31日, 令和9年3月31日, R9.3.31, Excel dates and serials."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        if 1 <= value < 2958466:  # Excel's 1900 date system, as stored when a cell is a number
            return _EXCEL_EPOCH + dt.timedelta(days=int(value))
        raise ValueError(f"'{value}' is not a date")
    text = unicodedata.normalize("NFKC", str(value)).strip().lower().replace(" ", "")
    try:
        if match := _WESTERN_DATE.match(text):
            return dt.date(int(match[1]), int(match[2]), int(match[3]))
        if match := _ERA_DATE.match(text):
            era_year = 1 if match[2] == "元" else int(match[2])
            return dt.date(_ERAS[match[1]] + era_year, int(match[3]), int(match[4]))
    except ValueError:
        raise ValueError(f"'{value}' is not a valid date") from None
    raise ValueError(f"'{value}' is not a date (2027-03-31, 2027/3/31, 令和9年3月31日, R9.3.31)")


def _map_zone(text: str, policy: Policy | None, unmapped: dict[str, int], row: int) -> str:
    if policy is None:
        return text
    key = _normalize_header(text)
    for zone in policy.zones:
        if key in {_normalize_header(zone.id), _normalize_header(zone.name_ja)}:
            return zone.id
        if key == _normalize_header(zone.name_en):
            return zone.id
    for keyword, kind in _ZONE_KEYWORDS:
        if keyword in key:
            candidates = [zone for zone in policy.zones if zone.kind == kind]
            if len(candidates) == 1:
                return candidates[0].id
            break
    unmapped.setdefault(text, row)
    return text

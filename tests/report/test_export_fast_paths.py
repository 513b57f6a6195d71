"""The fast read paths of issue 20 change no byte of any export.

The report city is exported twice in one process (one salt): through the store as it reads now
(Core selects, the chain checkpoint, the streamed XLSX) and through a reference reader that
loads ORM rows one by one and takes the head from the full ``verify()``, as the exports did.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Collection, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from auditor.model.findings import Severity
from auditor.report.cleaning import FORMULA_FIRST, encodable, neutralize_formula
from auditor.report.exports import (
    COLUMNS,
    csv_codec,
    csv_line,
    finding_json,
    flat_cells,
    flat_from_json,
    flat_row,
    headers,
    write_csv,
)
from auditor.report.model import EvidenceItem, ReportFinding
from auditor.report.service import ReportInputs, build_report, run_export
from auditor.store import Store
from auditor.store.models import FindingEventRow, FindingRow
from auditor.store.reading import event_record, finding_record
from auditor.store.records import ChainStatus, EventRecord, FindingRecord
from auditor.store.types import utc
from auditor.store.workflow import assign_finding, comment_finding, set_due
from auditor.textsafe import has_unsafe, neutralize
from tests.report.city import POLICY_DIR, City, populate

FORMATS = ("csv", "json", "sarif")


class ReferenceReader:
    """The store as the exports read it before: ORM objects, every event hashed per export."""

    def __init__(self, store: Store) -> None:
        self._store = store

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)

    def list_findings(self) -> list[FindingRecord]:
        with Session(self._store.engine) as session:
            records = [finding_record(row) for row in session.scalars(select(FindingRow))]
        return sorted(
            records,
            key=lambda r: (-r.severity.rank, r.device or "", r.check_id, r.subject, r.fingerprint),
        )

    def list_events(
        self,
        *,
        until: datetime | None = None,
        types: Collection[str] | None = None,
        fingerprints: Collection[str] | None = None,
    ) -> list[EventRecord]:
        query = select(FindingEventRow).order_by(FindingEventRow.id)
        if until is not None:
            query = query.where(FindingEventRow.at <= utc(until))
        if types is not None:
            query = query.where(FindingEventRow.event_type.in_(list(types)))
        if fingerprints is not None:
            query = query.where(FindingEventRow.fingerprint.in_(list(fingerprints)))
        with Session(self._store.engine) as session:
            return [event_record(row) for row in session.scalars(query)]

    def iter_events(
        self, *, until: datetime | None = None, types: Collection[str] | None = None
    ) -> Iterator[EventRecord]:
        yield from self.list_events(until=until, types=types)

    def chain_status(self) -> ChainStatus:
        result = self._store.verify()
        intact = result.first_broken_event_id is None and result.head_hash is not None
        return ChainStatus(
            intact, result.events_checked, result.head_hash, result.events_checked, 0
        )


@pytest.fixture
def city(tmp_path: Path) -> Iterator[City]:
    with Store(f"sqlite:///{tmp_path / 'auditor.db'}") as store:
        store.upgrade()
        yield populate(store)


def _exports(
    store: Any, city: City, out: Path, *, with_history: bool, sections: bool = True
) -> dict[str, Path]:
    inputs = ReportInputs(policy=city.policy, policy_path=POLICY_DIR)
    data = build_report(store, inputs, now=city.now, with_history=with_history, sections=sections)
    out.mkdir()
    paths = {}
    for fmt in (*FORMATS, "xlsx"):
        paths[fmt] = out / f"export.{fmt}"
        run_export(fmt, paths[fmt], data, titles={"SEG-001": ("VLAN 混在", "Mixed VLANs")})  # type: ignore[arg-type]
    return paths


def _cells(path: Path) -> list[tuple[Any, ...]]:
    book = load_workbook(path)
    cells: list[tuple[Any, ...]] = []
    for sheet in book.worksheets:
        cells.append((sheet.title, sheet.freeze_panes, sheet.auto_filter.ref))
        for row in sheet.iter_rows():
            cells.extend(
                (c.coordinate, c.value, c.number_format, bool(c.font.b))
                for c in row
                if c.value is not None
            )
    return cells


@pytest.mark.parametrize("with_history", [True, False])
def test_every_export_is_identical_through_the_reference_reader(
    city: City, tmp_path: Path, with_history: bool
) -> None:
    # The fast side reads as ``auditor export`` does: no summary sections for a row export.
    fast = _exports(city.store, city, tmp_path / "fast", with_history=with_history, sections=False)
    slow = _exports(ReferenceReader(city.store), city, tmp_path / "slow", with_history=with_history)
    for fmt in FORMATS:
        assert fast[fmt].read_bytes() == slow[fmt].read_bytes(), fmt
    assert _cells(fast["xlsx"]) == _cells(slow["xlsx"])
    assert len(fast["json"].read_text(encoding="utf-8")) > 10_000  # the city, not an empty file


def test_a_broken_chain_is_still_reported_as_broken(city: City, tmp_path: Path) -> None:
    store = city.store
    inputs = ReportInputs(policy=city.policy, policy_path=POLICY_DIR)
    assert build_report(store, inputs, now=city.now).chain_head is not None  # checkpoint saved
    with store.engine.begin() as connection:
        last = connection.execute(text("SELECT last_event_id FROM event_chain")).scalar_one()
        connection.execute(
            text("UPDATE finding_events SET actor = 'mallory' WHERE id = :i"), {"i": last}
        )
    data = build_report(store, inputs, now=city.now)
    assert data.chain_head is None
    paths = _exports(store, city, tmp_path / "broken", with_history=False)
    assert '"event_chain_head": null' in paths["json"].read_text(encoding="utf-8")
    provenance = load_workbook(paths["xlsx"]).worksheets[-1]
    assert [c.value for c in provenance[1]][1] == "-"


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_flat_rows_straight_from_the_finding_equal_the_json_derived_rows(
    city: City, lang: str
) -> None:
    """CSV/XLSX rows are written without the JSON dict; they must stay the JSON's flat rows."""
    store = city.store
    open_ones = [f for f in store.list_findings() if f.status == "open"]
    for record in open_ones[:3]:
        store.ack(record.fingerprint, "tanaka", "確認しました", now=city.now)
        assign_finding(store, record.fingerprint, owner="情報政策課", actor="sato", now=city.now)
        comment_finding(store, record.fingerprint, text="=来週対応", actor="sato", now=city.now)
        set_due(store, record.fingerprint, due=city.now.date(), actor="sato", now=city.now)
    inputs = ReportInputs(policy=city.policy, policy_path=POLICY_DIR)
    data = build_report(store, inputs, now=city.now, with_history=True)
    findings = data.findings
    assert any(f.history for f in findings) and any(f.suppression for f in findings)
    assert any(f.acknowledged_by for f in findings) and any(f.comments for f in findings)
    memo: dict[Any, Any] = {}
    json_memo: dict[Any, Any] = {}
    for finding in findings:
        expected = flat_from_json(finding_json(finding), lang)
        assert flat_cells(finding, lang, memo) == [expected[c] for c in COLUMNS]
        assert flat_row(finding, lang) == expected
        assert finding_json(finding, memo=json_memo) == finding_json(finding)
    # The memo served findings whose one-entry history is shared (a run's ``created`` entries).
    shared = [f.history[0] for f in findings if len(f.history) == 1]
    assert len({id(h) for h in shared}) < len(shared)


def test_export_data_without_sections_has_the_same_findings(city: City) -> None:
    """``sections=False`` (row exports) drops only the summary sections, never a finding."""
    inputs = ReportInputs(policy=city.policy, policy_path=POLICY_DIR)
    full = build_report(city.store, inputs, now=city.now, with_history=True)
    rows = build_report(city.store, inputs, now=city.now, with_history=True, sections=False)
    assert rows.findings == full.findings and len(rows.findings) > 10
    for name in ("generated_at", "zones", "current_run", "previous_run", "chain_head"):
        assert getattr(rows, name) == getattr(full, name), name
    assert (rows.tool_version, rows.rule_pack_hash) == (full.tool_version, full.rule_pack_hash)
    assert full.still_open and not rows.still_open and not rows.devices


def _reference_csv(findings: list[ReportFinding], encoding: str, lang: str) -> bytes:
    """The CSV as ``csv.writer`` wrote every row before the one-line fast path."""
    codec = csv_codec(encoding)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([encodable(h, codec) for h in headers(lang)])
    for finding in findings:
        cells = [flat_row(finding, lang)[c] for c in COLUMNS]
        if has_unsafe(" ".join(cells)):
            cells = [neutralize(cell) for cell in cells]
        cells = [neutralize_formula(c) if c[:1] in FORMULA_FIRST else c for c in cells]
        writer.writerow([encodable(cell, codec) for cell in cells])
    return buffer.getvalue().encode(codec)


@pytest.mark.parametrize(("encoding", "lang"), [("utf-8", "ja"), ("utf-8", "en"), ("cp932", "ja")])
def test_csv_fast_lines_equal_csv_writer(tmp_path: Path, encoding: str, lang: str) -> None:
    at = datetime(2026, 4, 1, 9, 0, tzinfo=UTC)
    texts = [
        "plain",
        "a,b",
        'say "hi"',
        "line1\nline2",
        "cr\r",
        "\nlf first",
        "=SUM(A1)",
        "+1",
        "-x",
        "@a",
        "\tt",
        "x,=y",
        "bidi\u202eevil",
        "ctl\x07",
        "髙﨑 ①",
        "",
    ]
    findings = [
        ReportFinding(
            fingerprint=f"fp{index}",
            check_id="SEG-001",
            device=text or None,
            subject=texts[-index - 1],
            zone="lgwan",
            severity=Severity.HIGH,
            outcome="fail",
            status="open",
            message_ja=text,
            message_en=texts[(index + 3) % len(texts)],
            first_seen=at,
            last_seen=at,
            resolved_at=None,
            age_days=index,
            evidence=(EvidenceItem("show run", text, None),),
            recommendation=texts[(index + 5) % len(texts)],
        )
        for index, text in enumerate(texts)
    ]
    out = tmp_path / "out.csv"
    assert write_csv(findings, out, encoding=encoding, lang=lang) == len(findings)
    assert out.read_bytes() == _reference_csv(findings, encoding, lang)


def test_csv_line_quotes_exactly_as_csv_writer() -> None:
    """Every pair of awkward cells, as ``csv.writer`` (excel dialect, CRLF) writes them."""
    cells = ["", " ", "a", "a,b", '"', 'a"b', '""', "\r", "\n", "\r\n", "x\r\ny", ",", "'",
             "髙﨑", "tab\t", "=1", '"q",\n', "\u2028"]  # fmt: skip
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for first in cells:
        for second in cells:
            writer.writerow([first, second, "z"])
            assert csv_line([first, second, "z"]) == buffer.getvalue(), (first, second)
            buffer.seek(0)
            buffer.truncate()


def test_json_line_bytes_equals_json_line_for_every_code_point() -> None:
    """The bytes path neutralizes exactly what the text path does (BMP, a few astral ones)."""
    from auditor.textsafe import json_line, json_line_bytes

    points = [*range(0xD800), *range(0xE000, 0x10000), 0x1F600, 0xE0001, 0x10FFFF]
    for start in range(0, len(points), 64):
        chunk = points[start : start + 64]
        value = {"t": [f"a{chr(p)}b" for p in chunk], "k": "\r\n\u202e", chr(chunk[0]): 1}
        assert json_line_bytes(value) == json_line(value).encode(), hex(chunk[0])
        for point in chunk:
            one = f"x{chr(point)}"
            assert json_line_bytes(one) == json_line(one).encode(), hex(point)

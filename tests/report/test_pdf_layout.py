"""The PDF's tables have a fixed layout: each table's <colgroup> names every column's share of
the width (shares of 100 %), so WeasyPrint never measures every cell to size the columns; the
HTML report on screen keeps its auto layout (the widths live in the pack's print stylesheet)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import pytest

from auditor.report.data import load_report_data
from auditor.report.model import ReportData
from auditor.report.render import PDF_DETAIL_LIMIT, render_report
from auditor.report.service import rule_texts
from auditor.store import Store
from tests.report.city import populate


class _Tables(HTMLParser):
    """Per table: the column shares of its <col class="wN">, the cell count of its first row and
    whether every cell of that row is a number (such a table shares its width equally)."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: list[dict[str, list[int] | int]] = []
        self._rows = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table":
            self.tables.append({"shares": [], "columns": 0, "text": 0})
            self._rows = 0
        elif tag == "col" and self.tables:
            match = re.fullmatch(r"w(\d+)", dict(attrs).get("class") or "")
            assert match, attrs
            self.tables[-1]["shares"].append(int(match.group(1)))  # type: ignore[union-attr]
        elif tag == "tr" and self.tables:
            self._rows += 1
        elif tag in ("th", "td") and self.tables and self._rows == 1:
            self.tables[-1]["columns"] += 1  # type: ignore[operator]
            if "num" not in (dict(attrs).get("class") or "").split():
                self.tables[-1]["text"] += 1  # type: ignore[operator]


@pytest.fixture(scope="module")
def city_data(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ReportData]:
    path: Path = tmp_path_factory.mktemp("layout") / "auditor.db"
    with Store(f"sqlite:///{path}") as store:
        store.upgrade()
        city = populate(store)
        yield load_report_data(
            store, policy=city.policy, now=city.now, with_history=True, rules=rule_texts()
        )


@pytest.mark.parametrize("lang", ["ja", "en"])
@pytest.mark.parametrize("pack", [True, False])
def test_every_wide_table_names_each_column_share_and_they_add_up(
    city_data: ReportData, lang: str, pack: bool
) -> None:
    assert city_data.resolved and city_data.suppressed and city_data.nonconformities
    html = render_report(city_data, "html", lang, detail_limit=PDF_DETAIL_LIMIT, pack=pack)
    parser = _Tables()
    parser.feed(html)
    assert len(parser.tables) >= 6
    for table in parser.tables:
        shares, columns = table["shares"], table["columns"]
        assert isinstance(shares, list) and isinstance(columns, int)
        if columns > 3 and table["text"]:
            assert shares, f"a {columns}-column table without a colgroup"
        assert len(shares) <= columns
        if len(shares) == columns:
            assert sum(shares) == 100, (columns, shares)
        else:  # the other columns share what is left
            assert sum(shares) < 100, (columns, shares)


def test_the_fixed_layout_is_in_the_packs_print_stylesheet_only(city_data: ReportData) -> None:
    pack = render_report(city_data, "html", "ja", detail_limit=PDF_DETAIL_LIMIT, pack=True)
    screen = render_report(city_data, "html", "ja")
    style = pack.split("<style>")[1].split("</style>")[0]
    printed = style.split("@media print {")[-1]
    assert "table-layout: fixed" in printed and "col.w25 { width: 25%; }" in printed
    assert "word-break: break-all" not in style
    assert "table-layout: fixed" not in screen and "col.w25" not in screen

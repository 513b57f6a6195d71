"""The report as a reader sees it: opened in headless Chromium, and printed to PDF."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from auditor.report.data import ReportData, load_report_data
from auditor.report.service import ReportInputs, build_report, run_export, write_report
from auditor.store import Store
from tests.report.chromium import FIRST_SCREEN, Chromium, chromium_binary, visit
from tests.report.city import PLANTED_SECRET, City
from tests.report.example_city import audit_example_city
from tests.report.pdfpages import first_page_png, page_texts

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"

EXPRESSIONS = {
    "matrix_cells": "document.querySelectorAll('svg#zone-matrix rect').length",
    "trend_bars": "document.querySelectorAll('svg#open-trend rect.bar').length",
    "trend_line": "document.querySelectorAll('svg#open-trend polyline').length",
    "scripts": "document.scripts.length",
    "script_alias_as_text": "document.body.innerText.includes(\"<script>alert('kyojin')</script>\")",
    "resources": "performance.getEntriesByType('resource').length",
    "violations": "document.querySelectorAll('svg#zone-matrix g.cell-violation').length",
    "matrix_height": "document.getElementById('zone-matrix').getBoundingClientRect().height",
    "trend_gaps": "document.querySelectorAll('svg#open-trend rect.gap').length",
    # the first screen (1280 x 800): the summary and the whole to-do list, no hash
    "todo_bottom": "document.getElementById('todo').parentElement.getBoundingClientRect().bottom",
    "todo_items": "document.querySelectorAll('ol.todo li').length",
    "first_screen_hash": "/[0-9a-f]{40,}/.test(document.body.innerText.split("
    "document.getElementById('toc').innerText)[0])",
}


@pytest.fixture(scope="module")
def example_city(tmp_path_factory: pytest.TempPathFactory) -> tuple[ReportData, Path, int]:
    """The example city's report: real policy, lab snapshots, every check, a real zone matrix.

    Audited once for the module: the Chromium test reads its HTML, the PDF test renders its data.
    """
    folder = tmp_path_factory.mktemp("example-city")
    with Store(f"sqlite:///{folder / 'auditor.db'}") as store:
        store.upgrade()
        policy, inventory = audit_example_city(store)
        data = build_report(store, ReportInputs(policy=policy, inventory=inventory))
    assert data.findings and any(cell.violation for cell in data.matrix)
    page = folder / "report.html"
    write_report(data, page)
    return data, page, len(policy.zones)


@pytest.fixture(scope="module")
def example_city_html(example_city: tuple[ReportData, Path, int]) -> tuple[Path, int]:
    _, page, zones = example_city
    return page, zones


def _needs(binary: str | None, name: str) -> None:
    if binary is None:
        pytest.skip(f"{name} is not installed (scripts/install-system-deps.sh)")


def _png_size(png: bytes) -> tuple[int, int]:
    """Width and height from the PNG header (IHDR is the first chunk)."""
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and png[12:16] == b"IHDR"
    return int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")


@pytest.mark.browser
def test_the_example_city_report_opens_in_chromium_with_no_requests_or_errors_and_both_charts(
    example_city_html: tuple[Path, int], chromium_browser: Chromium
) -> None:
    _needs(chromium_binary(), "chromium")
    page, zones = example_city_html
    seen = visit(page, chromium_browser, EXPRESSIONS)
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "report-chromium.png").write_bytes(seen.screenshot)
    (ARTIFACTS / "report-chromium-first-screen.png").write_bytes(seen.first_screen)

    assert seen.screenshot.startswith(b"\x89PNG")
    assert _png_size(seen.first_screen) == FIRST_SCREEN  # the first screen, beside the full page
    assert _png_size(seen.screenshot)[1] > FIRST_SCREEN[1]
    assert seen.requests == [page.resolve().as_uri()]
    assert seen.console_errors == []
    assert seen.values["matrix_cells"] == zones * zones
    assert seen.values["violations"] > 0
    # two nightly runs (yesterday, today): two bars, 28 days drawn as gaps, one line
    assert seen.values["trend_bars"] == 2
    assert seen.values["trend_gaps"] == 28
    assert seen.values["trend_line"] == 1
    assert 3 <= seen.values["todo_items"] <= 5
    assert seen.values["todo_bottom"] < 800
    assert seen.values["first_screen_hash"] is False
    assert seen.values["scripts"] == 0
    assert seen.values["resources"] == 0
    assert seen.values["matrix_height"] > 100


@pytest.mark.browser
def test_device_text_with_a_script_tag_stays_text_in_chromium(
    stored_city: City, tmp_path: Path, chromium_browser: Chromium
) -> None:
    _needs(chromium_binary(), "chromium")
    data = load_report_data(stored_city.store, policy=stored_city.policy, now=stored_city.now)
    page = tmp_path / "report.html"
    write_report(data, page)
    seen = visit(page, chromium_browser, EXPRESSIONS)
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "report-chromium-traps.png").write_bytes(seen.screenshot)
    assert all(url.startswith("file://") for url in seen.requests), seen.requests
    assert seen.console_errors == []
    assert seen.values["scripts"] == 0
    assert seen.values["script_alias_as_text"] is True
    assert seen.values["matrix_cells"] == len(stored_city.policy.zones) ** 2


@pytest.mark.browser
def test_the_pdf_export_renders_japanese_text_and_its_first_page_as_an_image(
    stored_city: City, tmp_path: Path
) -> None:
    _needs(shutil.which("pdftoppm"), "pdftoppm (poppler-utils)")
    data = load_report_data(stored_city.store, policy=stored_city.policy, now=stored_city.now)
    pdf = tmp_path / "report.pdf"
    run_export("pdf", pdf, data, titles={})
    assert pdf.read_bytes().startswith(b"%PDF")
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "監査レポート" in text and "マイナンバー利用事務系" in text
    assert PLANTED_SECRET not in text
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True)
    assert "CJK" in fonts.stdout or "IPA" in fonts.stdout
    ARTIFACTS.mkdir(exist_ok=True)
    png = first_page_png(pdf, ARTIFACTS / "report-pdf-page1")
    assert png.read_bytes().startswith(b"\x89PNG")


@pytest.mark.browser
def test_the_example_city_pdf_first_page_is_kept_as_an_artifact(
    example_city: tuple[ReportData, Path, int], tmp_path: Path
) -> None:
    _needs(shutil.which("pdftoppm"), "pdftoppm (poppler-utils)")
    data, _, _ = example_city
    pdf = tmp_path / "example-city.pdf"
    run_export("pdf", pdf, data, titles={})
    ARTIFACTS.mkdir(exist_ok=True)
    first_page_png(pdf, ARTIFACTS / "example-city-pdf-page1")
    (ARTIFACTS / "example-city-report.pdf").write_bytes(pdf.read_bytes())
    # landscape, and every page the findings table fills holds at least 10 findings
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert "841.89 x 595.276" in info
    row = re.compile(r"(重大な不適合|軽微な不適合|観察事項) (重大|高|中|低|情報) [A-Z]+-[0-9]+")
    per_page = [len(row.findall(text)) for text in page_texts(pdf)]
    pages = int(next(line for line in info.splitlines() if line.startswith("Pages:")).split()[1])
    assert len(per_page) == pages
    table = [i for i, n in enumerate(per_page) if n]
    assert sum(per_page) == len(data.nonconformities)
    assert all(per_page[i] >= 10 for i in table[1:-1]), per_page
    assert pages > 1

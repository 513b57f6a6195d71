"""The nightly report from a populated store: contents, escaping, languages, formats."""

from __future__ import annotations

import re
from pathlib import Path

from markupsafe import escape

from auditor.report.data import load_report_data
from auditor.report.model import ReportData
from auditor.report.render import render_report
from tests.report.city import PLANTED_SECRET, POLICY_DIR, SCRIPT_ALIAS, City


def _data(stored_city: City) -> ReportData:
    return load_report_data(stored_city.store, policy=stored_city.policy, now=stored_city.now)


def test_an_ifalias_script_appears_as_text_and_never_as_a_tag(stored_city: City) -> None:
    html = render_report(_data(stored_city), "html", "ja")
    assert "&lt;script&gt;alert(" in html
    assert SCRIPT_ALIAS not in html
    assert not re.search(r"<script\b", html, re.IGNORECASE)


def test_the_html_is_self_contained_without_scripts_or_external_urls(stored_city: City) -> None:
    html = render_report(_data(stored_city), "html", "ja")
    assert "@media print" in html
    assert "<link" not in html and "@import" not in html and "@font-face" not in html
    urls = re.findall(r"(?:src|href)\s*=\s*[\"']?([^\"' >]+)", html)
    assert urls and all(url.startswith("#") for url in urls)  # only the table of contents
    assert re.findall(r"url\(", html) == []
    # the only http strings are the SVG namespace and the finding text (escaped, not a link)
    for match in re.findall(r"https?://[^\s\"'<]+", html):
        assert match.startswith(("http://www.w3.org/2000/svg", "http://198.51.100.7"))


def test_the_report_shows_every_section_with_its_content(stored_city: City) -> None:
    data = _data(stored_city)
    html = render_report(data, "html", "ja")
    for anchor in (
        'id="summary"',
        'id="todo"',
        'id="toc"',
        'id="headline"',
        'id="zone-matrix"',
        'id="open-trend"',
        'id="open"',
        'id="resolved"',
        'id="suppressed"',
        'id="expiring"',
        'id="collection-errors"',
        'id="provenance"',
    ):
        assert anchor in html
    # the summary, the to-do list and the contents come before any detail; hashes come last
    assert html.index('id="todo"') < html.index('id="toc"') < html.index('id="headline"')
    assert data.chain_head is not None
    assert html.index(data.chain_head) > html.index('id="provenance"')
    open_rows = html.split('id="open"')[1].split('id="resolved"')[0]
    seg2 = next(row for row in open_rows.split("<tr>") if "SEG-002" in row)
    assert "新規" in seg2
    assert "san-relay1" in html.split('id="collection-errors"')[1]
    suppressed = html.split('id="suppressed"')[1].split('id="expiring"')[0]
    assert "情政第2026-120号" in suppressed and "yamada" in suppressed
    assert "EX-2026-014" in suppressed
    expiring = html.split('id="expiring"')[1].split('id="expired"')[0]
    assert "EX-TEST-SOON" in expiring
    # guideline (by title, numbered, with the edition) and plan references, each finding once
    assert "通信回線及び通信回線装置の管理" in open_rows and "4-1-2" in open_rows
    assert f"[{data.edition} 版]" in open_rows
    for finding in data.nonconformities:
        assert open_rows.count(f">{escape(finding.subject)}<") >= 1
    assert sum(1 for row in open_rows.split("<tr>") if "SEG-002" in row) == 1


def test_english_report_uses_english_labels_and_messages(stored_city: City) -> None:
    html = render_report(_data(stored_city), "html", "en")
    assert 'lang="en"' in html and "Open findings by zone and severity" in html
    assert "trunks Internet VLAN 30" in html and "(日本語)" not in html


def test_text_summary_lists_new_resolved_and_unreached_devices(stored_city: City) -> None:
    text = render_report(_data(stored_city), "text", "ja")
    assert "SEG-002" in text and "san-relay1" in text
    assert "<" not in text.split("== ")[0]
    assert PLANTED_SECRET not in text


def test_markdown_escapes_device_text(stored_city: City) -> None:
    md = render_report(_data(stored_city), "md", "en")
    assert "<script>" not in md
    assert "&lt;script&gt;" in md
    assert "| critical |" in md or "critical" in md


def test_no_report_format_contains_the_planted_secret(stored_city: City) -> None:
    data = _data(stored_city)
    for fmt in ("html", "text", "md"):
        for lang in ("ja", "en"):
            assert PLANTED_SECRET not in render_report(data, fmt, lang)  # type: ignore[arg-type]


def test_a_report_of_an_empty_store_still_renders(tmp_path: Path) -> None:
    from auditor.policy.loader import load_policy
    from auditor.store import Store

    with Store(f"sqlite:///{tmp_path / 'empty.db'}") as store:
        store.upgrade()
        data = load_report_data(store, policy=load_policy(POLICY_DIR).policy)
    html = render_report(data, "html", "ja")
    assert "実行記録がありません" in html and 'id="zone-matrix"' in html


def test_a_report_over_the_detail_limit_lists_device_counts_instead_of_every_finding(
    stored_city: City,
) -> None:
    data = _data(stored_city)
    html = render_report(data, "html", "en", detail_limit=5)
    devices = html.split('id="open"')[1].split('id="resolved"')[0]
    assert "only per-device counts are shown" in devices
    assert "mn-sw1" in devices and "trunks" not in devices
    full = render_report(data, "html", "en")
    assert "only per-device counts" not in full


def test_a_matrix_violation_is_drawn_as_a_red_cell_with_its_marks(stored_city: City) -> None:
    from auditor.report.data import build_report_data

    data = build_report_data(
        stored_city.store.list_findings(),
        stored_city.store.list_runs(),
        policy=stored_city.policy,
        now=stored_city.now,
        matrix={
            ("internet", "mynumber"): {"allowed": False, "permitted": True, "observed": True},
            ("lgwan", "internet"): {"allowed": True, "permitted": True, "observed": False},
        },
    )
    html = render_report(data, "html", "ja")
    matrix = html.split('id="zone-matrix"')[1].split("</svg>")[0]
    assert matrix.count("cell-violation") == 1
    # the hover text is in the report's language and names the legend's words
    assert "インターネット接続系 → マイナンバー利用事務系: 方針を超える許可・通信" in matrix
    assert "✘o</text>" in matrix
    assert 'fill="#f4a6a6"' in matrix


def test_every_text_format_shows_grades_and_lists_scope_limitations_apart(
    stored_city: City,
) -> None:
    data = _data(stored_city)
    assert data.scope_limitations, "the report stored_city has a collection error"
    for fmt in ("html", "md", "text"):
        text = render_report(data, fmt, "ja")
        assert "監査の判定" in text and "重大な不適合" in text and "観察事項" in text, fmt
        limits = text.split("監査範囲の制約 (")[-1]
        assert "COL-001" in limits and "san" in limits, fmt
    english = render_report(data, "html", "en")
    assert "Major non-conformity" in english and "Scope limitations" in english

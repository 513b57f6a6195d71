"""The auditor's pack and the staff's report: history, grade, edition, evidence and the
recommendation in every export; the opening summary; trend gaps; matrix legend; mail text; and a
sweep for untranslated words in every Japanese output."""

from __future__ import annotations

import csv
import html
import json
import re
import subprocess
import zipfile
from datetime import date, datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path

import pytest
from openpyxl import load_workbook

from auditor.report.charts import COLOURS, LEGEND_STATES, SYMBOLS, trend_picture
from auditor.report.data import build_report_data, load_report_data, trend
from auditor.report.exports import COLUMNS, HEADERS_JA, headers
from auditor.report.labels import LABELS
from auditor.report.model import ReportData, Suppression
from auditor.report.render import render_report
from auditor.report.service import ReportInputs, rule_texts, run_export
from auditor.store.workflow import set_due
from tests.report.city import POLICY_DIR, SEG, City

ACK_NOTE = "配線変更を依頼済み"
DUE = date(2026, 12, 25)


@pytest.fixture(scope="module")
def acked_city(stored_city: City) -> City:
    """This module's copy of the recorded report city (tests/report/conftest.py), acknowledged."""
    store = stored_city.store
    store.ack(SEG.fingerprint, actor="tanaka", note=ACK_NOTE, now=stored_city.now)
    set_due(store, SEG.fingerprint, due=DUE, actor="tanaka", now=stored_city.now)
    return stored_city


@pytest.fixture(scope="module")
def pack_data(acked_city: City) -> ReportData:
    return load_report_data(
        acked_city.store,
        policy=acked_city.policy,
        now=acked_city.now,
        with_history=True,
        rules=rule_texts(),
    )


@pytest.fixture(scope="module")
def exports(
    acked_city: City, pack_data: ReportData, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("pack-exports")
    inputs = ReportInputs(policy=acked_city.policy, policy_path=POLICY_DIR)
    paths = {}
    for fmt in ("csv", "xlsx", "json", "sarif", "pdf", "bundle"):
        path = folder / f"findings.{'zip' if fmt == 'bundle' else fmt}"
        run_export(fmt, path, pack_data, store=acked_city.store, inputs=inputs, lang="ja")  # type: ignore[arg-type]
        paths[fmt] = path
    return paths


def _seg(data: ReportData) -> tuple[str, str]:
    finding = next(f for f in data.findings if f.fingerprint == SEG.fingerprint)
    assert finding.edition == "R6.10" and finding.recommendation and finding.history
    return finding.edition, finding.recommendation.split()[0]


def test_the_history_keeps_status_changes_and_ack_notes_but_not_nightly_sightings(
    pack_data: ReportData,
) -> None:
    seg = next(f for f in pack_data.findings if f.fingerprint == SEG.fingerprint)
    events = [h.event for h in seg.history]
    assert events[0] == "created" and "acked" in events and "seen" not in events
    acked = next(h for h in seg.history if h.event == "acked")
    assert acked.actor == "tanaka" and acked.note == ACK_NOTE
    reopened = [f for f in pack_data.findings if any(h.event == "reopened" for h in f.history)]
    assert reopened, "the city has a finding that was resolved and came back"


def test_csv_and_xlsx_carry_history_grade_edition_plan_evidence_and_recommendation(
    exports: dict[str, Path], pack_data: ReportData
) -> None:
    edition, remedy = _seg(pack_data)
    with exports["csv"].open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle)
        assert next(reader) == headers("ja")
        rows = [dict(zip(COLUMNS, row, strict=True)) for row in reader]
    seg = next(r for r in rows if r["fingerprint"] == SEG.fingerprint)
    assert seg["audit_grade_label"] in {"重大な不適合", "軽微な不適合", "観察事項"}
    assert seg["guideline_edition"] == edition and seg["plan"] == "4-1-2"
    assert "確認" in seg["history"] and ACK_NOTE in seg["history"] and "検出" in seg["history"]
    assert remedy in seg["recommendation"]
    assert seg["severity"] in {"緊急", "高", "中", "低", "情報"} or not seg["severity"].isascii()
    assert seg["status"] == "未対応"
    with_blob = [r for r in rows if r["evidence_sha256"]]
    assert with_blob and all(
        re.fullmatch(r"[0-9a-f]{64}(; [0-9a-f]{64})*", r["evidence_sha256"]) for r in with_blob
    )

    book = load_workbook(exports["xlsx"])
    assert "-" not in book.sheetnames
    sheet = book["全指摘"]
    header = [c.value for c in sheet[1]]
    assert header == [HEADERS_JA[c] for c in COLUMNS]
    first_seen = header.index(HEADERS_JA["first_seen"])
    for row in sheet.iter_rows(min_row=2, values_only=True):
        assert row[first_seen] is not None and hasattr(row[first_seen], "year")  # a real date
        assert all(value != "'-" and value != "-" for value in row)
        if row[0] == SEG.fingerprint:
            assert ACK_NOTE in row[header.index(HEADERS_JA["history"])]
            assert row[header.index(HEADERS_JA["guideline_edition"])] == edition
            assert remedy in row[header.index(HEADERS_JA["recommendation"])]


def test_json_and_sarif_carry_history_grade_edition_evidence_and_recommendation(
    exports: dict[str, Path], pack_data: ReportData
) -> None:
    edition, remedy = _seg(pack_data)
    items = json.loads(exports["json"].read_text(encoding="utf-8"))["findings"]
    seg = next(i for i in items if i["fingerprint"] == SEG.fingerprint)
    assert seg["guideline_edition"] == edition
    assert all(g["edition"] == edition for g in seg["references"]["guideline"])
    assert seg["history"][0]["event"] == "created"
    assert any(h["note"] == ACK_NOTE and h["by"] == "tanaka" for h in seg["history"])
    assert remedy in seg["recommendation"] and seg["audit_grade"]["grade"]
    sarif = json.loads(exports["sarif"].read_text(encoding="utf-8"))["runs"][0]
    result = next(
        r
        for r in sarif["results"]
        if r["partialFingerprints"]["kyojinFingerprint/v1"] == SEG.fingerprint
    )
    props = result["properties"]
    assert props["guideline_edition"] == edition and props["plan"] == ["4-1-2"]
    assert any(h["note"] == ACK_NOTE for h in props["history"])
    assert remedy in props["recommendation"] and props["audit_grade"]
    rule = sarif["tool"]["driver"]["rules"][result["ruleIndex"]]
    assert remedy in rule["help"]["text"]


def _pdf_text(path: Path) -> str:
    result = subprocess.run(
        ["pdftotext", "-raw", str(path), "-"], capture_output=True, text=True, check=True
    )
    return result.stdout


def test_the_pdf_is_landscape_with_every_column_history_edition_and_recommendations(
    exports: dict[str, Path], pack_data: ReportData
) -> None:
    edition, remedy = _seg(pack_data)
    info = subprocess.run(
        ["pdfinfo", str(exports["pdf"])], capture_output=True, text=True, check=True
    ).stdout
    width, height = map(float, re.search(r"Page size:\s+([\d.]+) x ([\d.]+)", info).groups())  # type: ignore[union-attr]
    assert width > height, "A4 landscape"
    text = _pdf_text(exports["pdf"])
    compact = re.sub(r"\s+", "", text)
    for header in ("監査の判定", "ガイドライン", "計画項目", "経緯", "証跡", "担当"):
        assert header in compact, header
    assert f"[{edition}版]" in compact
    assert ACK_NOTE in compact and "4-1-2" in compact
    assert remedy in text
    assert "ガイドラ…" not in text


def test_the_bundle_has_an_index_a_readme_and_every_evidence_reference_resolves(
    exports: dict[str, Path], pack_data: ReportData, tmp_path: Path
) -> None:
    with zipfile.ZipFile(exports["bundle"]) as archive:
        archive.extractall(tmp_path)
    (root,) = list(tmp_path.iterdir())
    names = {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()}
    assert {"index.html", "README.txt", "report.html", "findings.json"} <= names
    items = json.loads((root / "findings.json").read_text(encoding="utf-8"))["findings"]
    references = [e for item in items for e in item["evidence"]]
    assert references, "the city's findings cite evidence"
    resolved = [e for e in references if e.get("file") in names]
    assert len(resolved) == len(references)
    for item in items:
        assert "history" in item and "guideline_edition" in item and "recommendation" in item
    index = (root / "index.html").read_text(encoding="utf-8")
    for name in ("findings.json", "report.html", "README.txt"):
        assert f'href="{name}"' in index
    assert "sha256sum -c SHA256SUMS" in (root / "README.txt").read_text(encoding="utf-8")
    result = subprocess.run(
        ["sha256sum", "-c", "SHA256SUMS"], cwd=root, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout


def test_the_report_opens_with_changes_and_a_short_to_do_list_naming_who_acts(
    pack_data: ReportData,
) -> None:
    assert 1 <= len(pack_data.actions) <= 5
    html = render_report(pack_data, "html", "ja")
    first = html.split('id="toc"')[0]
    assert "前回からの変化" in first and "まず対応すること" in first
    assert (
        f"新規 {len(pack_data.new)} 件" in first and f"再発 {len(pack_data.reopened)} 件" in first
    )
    assert "情報管理課" in first  # no owner and no ledger: the default department acts
    assert not re.search(r"[0-9a-f]{40,}", first), "no hashes on the first screen"
    worst = pack_data.actions[0]
    assert all(
        (a.grade.value, -a.severity.rank) >= (worst.grade.value, -worst.severity.rank)
        or a.grade != worst.grade
        for a in pack_data.actions
    )


def test_the_to_do_list_names_the_owner_then_the_ledger_department(acked_city: City) -> None:
    from auditor.report.data import Departments

    data = build_report_data(
        acked_city.store.list_findings(),
        acked_city.store.list_runs(),
        policy=acked_city.policy,
        now=acked_city.now,
        departments=Departments(by_device={"mn-sw1": "住民課"}, by_zone={"internet": "企画課"}),
    )
    seg = next(f for f in data.findings if f.fingerprint == SEG.fingerprint)
    assert seg.responsible == "住民課"
    assert all(f.responsible in {"住民課", "企画課", ""} for f in data.findings)
    assert Departments().responsible("総務課", "mn-sw1", "internet") == "総務課"


def test_days_without_a_run_are_gaps_not_zero(acked_city: City, pack_data: ReportData) -> None:
    days_with_run = {p.day for p in pack_data.trend if p.open is not None}
    assert len(days_with_run) == 5  # the city ran on 5 of the 30 days
    assert all(p.open is None for p in pack_data.trend if p.day not in days_with_run)
    picture = trend_picture(pack_data.trend)
    assert picture is not None
    assert len(picture.bars) == 5 and len(picture.gaps) == 25
    assert len(picture.lines) >= 2  # the line is broken where days are missing
    html = render_report(pack_data, "html", "ja")
    assert html.count('class="gap"') == 25 and "実行がなかった日" in html
    # without run days (old callers), every day still gets a count
    last = acked_city.now.date()
    plain = trend(acked_city.store.list_findings(), last)
    assert all(p.open is not None for p in plain)
    start = last - timedelta(days=29)
    assert plain[0].day == start


def _svg_cells(html: str) -> list[tuple[str, str, str]]:
    """(state, fill, hover text) of every matrix cell."""
    return re.findall(
        r'<g class="cell cell-([a-z-]+)"><title>([^<]*)</title>\s*<rect [^>]*fill="([^"]+)"',
        html,
    )


def test_matrix_colours_symbols_and_words_agree_with_the_legend(acked_city: City) -> None:
    data = build_report_data(
        acked_city.store.list_findings(),
        acked_city.store.list_runs(),
        policy=acked_city.policy,
        now=acked_city.now,
        matrix={
            ("internet", "mynumber"): {"allowed": False, "permitted": True, "observed": False},
            # allowed, but permitted beyond what the policy allows: red, and said so in Japanese
            ("lgwan", "internet"): {"allowed": True, "permitted": True, "excess": True},
            ("internet", "lgwan"): {"allowed": True, "permitted": True, "observed": True},
            ("mynumber", "lgwan"): {"allowed": True, "permitted": False},
        },
    )
    html = render_report(data, "html", "ja")
    legend = html.split('id="matrix-legend"')[1].split("</figcaption>")[0]
    for state in LEGEND_STATES:
        assert f'fill="{COLOURS[state]}"' in legend and SYMBOLS[state] in legend
        assert LABELS[f"legend_{state}"][0] in legend
    cells = _svg_cells(html)
    assert cells
    for state, title, fill in cells:
        assert fill == COLOURS[state]
        assert LABELS[f"legend_{state}"][0] in title
        assert not re.search(r"\b(violation|ok|denied|unknown|excess)\b", title)
    by_pair = {t.split(":")[0]: s for s, t, _ in cells}
    assert by_pair["LGWAN接続系 → インターネット接続系"] == "violation"
    assert by_pair["マイナンバー利用事務系 → LGWAN接続系"] == "not-permitted"
    assert "✔o</text>" in html and "✘</text>" in html

    from auditor.cli.matrix import _legend, _mark

    cli = _legend("ja")
    for state in ("ok", "violation", "not-permitted", "denied"):
        assert f"{SYMBOLS[state]} {LABELS[f'legend_{state}'][0]}" in cli
    assert _mark("excess", True) == "✘o" and _mark("ok", False) == "✔"


def test_the_mail_text_has_a_subject_a_summary_and_a_readable_exception_list(
    acked_city: City,
) -> None:
    bare = Suppression(exception_id=None, reason="", approver="", approval_number="", expires=None)
    records = acked_city.store.list_findings()
    data = build_report_data(
        records,
        acked_city.store.list_runs(),
        policy=acked_city.policy,
        now=acked_city.now,
        suppressions={r.fingerprint: bare for r in records if r.status == "suppressed"},
    )
    text = render_report(data, "text", "ja")
    lines = text.splitlines()
    assert lines[0].startswith("件名: [強靭性監査] ")
    assert text.index("まず対応すること") < text.index("未対応の指摘")
    suppressed = text.split("== 抑止中")[1].split("==", 2)[1]
    assert "(, " not in suppressed and "理由: (未記録)" in suppressed
    assert "有効期限: 期限なし" in suppressed or "有効期限: 20" in suppressed
    assert text.index("履歴ハッシュ連鎖の先頭") > text.index("監査範囲の制約 (")


# -- counts that add up; the due date as a date cell ------------------------------------------


def test_report_and_every_export_reconcile_their_counts(
    pack_data: ReportData, exports: dict[str, Path]
) -> None:
    """The report's open count and an export's row count differ by suppressed/resolved/scope rows:
    one line, the same everywhere, adds them up to the rows exported."""
    with exports["csv"].open(encoding="utf-8-sig", newline="") as handle:
        csv_rows = len(list(csv.reader(handle))) - 1
    header = json.loads(exports["json"].read_text(encoding="utf-8"))
    counts = header["reconciliation"]
    assert counts["rows"] == csv_rows == header["count"] == len(header["findings"])
    parts = ("open", "evidence_required", "scope_limitations", "suppressed", "resolved", "other")
    assert sum(counts[k] for k in parts) == counts["rows"]
    assert counts["open"] == len(pack_data.nonconformities)  # the report's 未対応 number
    assert counts["suppressed"] >= 1  # the fixture's manual suppression: the "155 vs 156" case
    line = counts["text"]
    assert (
        line.startswith("件数の内訳: 未対応 ")
        and f"= 出力 (CSV・XLSX・JSON) の {csv_rows} 行" in line
    )
    assert f"抑止 {counts['suppressed']}" in line
    assert line in render_report(pack_data, "text", "ja")
    assert html.escape(line) in render_report(pack_data, "html", "ja")
    summary = load_workbook(exports["xlsx"]).worksheets[0]
    assert line in [row[0] for row in summary.iter_rows(values_only=True) if row]
    with zipfile.ZipFile(exports["bundle"]) as bundle:
        readme = next(n for n in bundle.namelist() if n.endswith("README.txt"))
        assert line in bundle.read(readme).decode("utf-8")


def test_the_xlsx_due_column_is_a_date_cell(exports: dict[str, Path]) -> None:
    sheet = load_workbook(exports["xlsx"]).worksheets[1]
    rows = list(sheet.iter_rows())
    column = [c.value for c in rows[0]].index(HEADERS_JA["due"])
    dues = [row[column] for row in rows[1:] if row[column].value is not None]
    assert [c.value for c in dues] == [datetime(2026, 12, 25)]
    assert dues[0].is_date and dues[0].number_format == "yyyy-mm-dd"


# -- the untranslated-string sweep ---------------------------------------------------------------

ALLOWED_WORDS = frozenset(
    {
        # technical terms a Japanese network administrator reads as they are
        "VLAN",
        "SNMP",
        "EDR",  # endpoint detection and response: the guideline's own term for β terminals
        "USB",
        "SNMPv1",
        "SNMPv2c",
        "SNMPv1/v2c",
        "v1/v2c",
        "SNMPv3",
        "SSH",
        "Telnet",
        "telnet",
        "ACL",
        "LGWAN",
        "LAN",
        "Wi-Fi",
        "SSID",
        "IP",
        "MAC",
        "ID",
        "syslog",
        "NTP",
        "HTTP",
        "HTTPS",
        "JST",
        "CSV",
        "XLSX",
        "JSON",
        "PDF",
        "SVI",
        "VRF",
        "IPv4",
        "IPv6",
        "J-LIS",
        "CIS",
        "OID",
        "SHA-256",
        "DNS",
        "DHCP",
        "AAA",
        "RADIUS",
        "TACACS",
        "RO",
        "RW",
        "UTF-8",
        "community",
        "ifAlias",
        "ifDescr",
        "trunk",
        "access",
        "permit",
        "deny",
        "any",
        "PDCA",
        "My",
        "Number",
        "RTX",
        "sha256sum",
        "o",
        "P",
        "R6.10",
        "R7.3",
        "R5.3",
        "R4.3",
        # in rule titles (``auditor rules``): protocols, standards and the official SSID name
        "ARP",
        "CDP",
        "LLDP",
        "EAP-TLS",
        "FW",
        "IEEE",
        "X",  # 802.1X
        "NAS",
        "TFTP",
        "VTY",
        "WPA2",
        "WPA3",
        "JAPAN",  # 00000JAPAN, the disaster SSID's own name
        "KiB",  # sizes (``auditor status``: the database)
        "MiB",
        "GiB",
    }
)
_ID = re.compile(
    r"^([A-Z]+-\d+[A-Za-z0-9]*|[0-9a-f]{8,}|#?\d[\w.:/-]*|[\w.-]+\d[\w.-]*|[a-z]+(-[a-z0-9]+)+)$"
)
_WORD = re.compile(r"[A-Za-z][A-Za-z0-9_.:/+-]*")


class _Text(HTMLParser):
    """Visible text and attribute text a reader sees (title hover texts), without CSS."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "style":
            self._skip += 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "style":
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def _data_words(data: ReportData) -> set[str]:
    """Words that come from the city's own data: hostnames, subjects, messages, names, ids."""
    texts: list[str] = [z.id for z in data.zones] + [z.name_ja for z in data.zones]
    for f in data.findings:
        # the fixture's messages are placeholders; real checks' wording is swept in the demo test
        texts += [f.device or "", f.subject, f.message_ja, f.zone or "", f.responsible]
        if f.suppression:
            s = f.suppression
            texts += [s.exception_id or "", s.reason, s.approver, s.approval_number, s.actor or ""]
    for n in (*data.exceptions_expiring, *data.exceptions_expired):
        texts += [n.exception_id, n.device, n.subject, n.reason, n.approver, n.approval_number]
    texts += [data.tool_version, data.municipality or ""]
    if data.current_run:
        texts.append(data.current_run.tool_version)
    return {w for text in texts for w in _WORD.findall(text)}


def untranslated(text: str, known: set[str]) -> set[str]:
    """ASCII words in a Japanese text that are neither ids, addresses, data nor technical terms."""
    found = set()
    for word in _WORD.findall(text):
        bare = word.strip(".:/-+")
        if not bare or bare in ALLOWED_WORDS or bare in known or word in known or _ID.match(bare):
            continue
        parts = [p for p in bare.split("/") if p]  # CDP/LLDP: each side on its own
        if len(parts) > 1 and all(p in ALLOWED_WORDS or p in known or _ID.match(p) for p in parts):
            continue
        found.add(bare)
    return found


def _cli_tables(city: City) -> dict[str, str]:
    """``findings list``, ``status``, ``rules`` and ``check``'s findings table with ``--lang ja``.

    Only the words the CLI adds are swept: the cells that come from the store (fingerprints,
    devices, subjects, database path) are data.
    """
    import os

    from rich.console import Console

    from auditor.cli.options import finding_rows
    from tests.cli_tree import CliRunner, build_app
    from tests.report.city import FILLER

    app = build_app("ja")
    db = city.store.url
    outputs: dict[str, str] = {}
    env = {"COLUMNS": "200", "AUDITOR_STATE_DIR": os.devnull + "-none"}
    for name, args in {
        "cli findings list": ["findings", "list", "--db", db, "--lang", "ja"],
        "cli status": ["status", "--db", db, "--lang", "ja"],
        "cli rules": ["rules", "--lang", "ja"],
    }.items():
        result = CliRunner().invoke(app, args, env=env, catch_exceptions=False)
        assert result.exit_code == 0, result.output
        outputs[name] = result.output.replace(db, "").replace(db.split("///")[-1], "")
    console = Console(record=True, width=200)
    console.print(finding_rows([SEG, *FILLER[:3]], "ja"))
    outputs["cli check table"] = console.export_text()
    return outputs


def test_no_untranslated_words_in_any_japanese_output(
    acked_city: City, pack_data: ReportData, exports: dict[str, Path]
) -> None:
    known = _data_words(pack_data)
    parser = _Text()
    parser.feed(render_report(pack_data, "html", "ja"))
    outputs = {
        "html": " ".join(parser.parts),
        "text": render_report(pack_data, "text", "ja"),
        "md": html.unescape(render_report(pack_data, "md", "ja").replace("\\", "")),
    }
    with exports["csv"].open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    enum_columns = [
        COLUMNS.index(c) for c in ("severity", "status", "outcome", "audit_grade_label")
    ]
    outputs["csv headers and values"] = " ".join(
        rows[0] + [row[i] for row in rows[1:] for i in enum_columns]
    )
    book = load_workbook(exports["xlsx"])
    outputs["xlsx"] = " ".join(
        [*book.sheetnames, *(str(c.value) for s in book.worksheets for c in s[1] if c.value)]
    )
    from auditor.cli.matrix import _legend

    outputs["cli matrix legend"] = _legend("ja")
    outputs.update(_cli_tables(acked_city))
    problems = {name: untranslated(text, known) for name, text in outputs.items()}
    assert {name: sorted(words) for name, words in problems.items() if words} == {}

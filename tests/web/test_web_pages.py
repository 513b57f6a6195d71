"""Every page in both languages, every text key the templates use, and what the pages show."""

from __future__ import annotations

import re
from pathlib import Path

from starlette.testclient import TestClient

from auditor.web.i18n import TEXTS
from tests.web.city import fingerprint_of
from tests.web.conftest import login

TEMPLATES = Path(__file__).resolve().parents[2] / "auditor" / "web" / "templates"
PAGES = (
    "/",
    "/findings",
    f"/findings/{fingerprint_of('SEG-013')}",
    "/devices/core1",
    "/runs",
    "/rules",
)


def test_every_text_key_of_the_templates_exists_in_both_languages() -> None:
    used = set()
    for template in TEMPLATES.glob("*.html"):
        used |= set(re.findall(r"""\bt\(\s*["']([a-z_.]+)["']""", template.read_text("utf-8")))
    assert used, "no text key found"
    assert used <= set(TEXTS), sorted(used - set(TEXTS))
    for key, (ja, en) in TEXTS.items():
        assert ja.strip() and en.strip(), key


def test_japanese_first_and_english_on_request(web: TestClient) -> None:
    login(web, "viewer1")
    for path in PAGES:
        page = web.get(path)
        assert page.status_code == 200, path
        assert 'lang="ja"' in page.text and "指摘一覧" in page.text
    switched = web.get("/lang/en?next=/runs")
    assert switched.status_code == 303 and switched.headers["location"] == "/runs"
    for path in PAGES:
        page = web.get(path)
        assert page.status_code == 200, path
        assert 'lang="en"' in page.text and ">Findings<" in page.text
    assert web.get("/lang/en?next=https://evil.example/").headers["location"] == "/"


def test_the_pages_show_what_the_store_holds(web: TestClient) -> None:
    login(web, "viewer1")
    overview = web.get("/").text
    assert 'data-pair="internet->lgwan" data-state="violation"' in overview
    path = web.get(f"/findings/{fingerprint_of('SEG-013')}").text
    assert "経路 (到達可能性)" in path and "internet → fw1 (rule#3) → core1 → mynumber" in path
    device = web.get("/devices/core1").text
    assert "C9300" in device and "Vlan10" in device and "10.0.10.1/24" in device
    assert "+ transport input ssh" in device and "- transport input telnet" in device
    finding = web.get(f"/findings/{fingerprint_of('HRD-001')}").text
    assert "+ transport input ssh" in finding  # the device's latest configuration change
    runs = web.get("/runs").text
    assert "3/3" in runs
    rules = web.get("/rules").text
    assert "SEG-013" in rules and "Remediation" in rules
    assert web.get("/devices/no-such-device").status_code == 404
    assert web.get("/findings/" + "f" * 64).status_code == 404
    assert web.get("/findings/not-hex").status_code == 404


def test_filters_and_paging(web: TestClient) -> None:
    login(web, "viewer1")

    def subjects(query: str) -> list[str]:
        page = web.get("/findings?" + query)
        assert page.status_code == 200
        return re.findall(r'class="finding-link">([^<]*)<', page.text)

    assert len(subjects("")) == 5
    assert subjects("severity=critical&zone=lgwan") == ["rule#12 internet-&gt;lgwan"]
    assert subjects("device=core1&q=vty") == ["line vty 0 4"]
    assert subjects("check=MON") == ["syslog"]
    assert len(subjects("grade=major_nonconformity")) == 2
    assert subjects("pair=internet-%3Emynumber") == ["path:internet-&gt;mynumber"]
    assert subjects("severity=bogus") == subjects("")  # unknown values are dropped
    assert subjects("owner=総務課") == []
    few = web.app.state.console.config  # type: ignore[attr-defined]
    assert few.page_size == 50
    assert subjects("page=2") == []


def test_pages_link_to_each_other_and_keep_the_filter(city_url: str) -> None:
    from auditor.store import Store
    from auditor.web.app import WebConfig, create_app

    store = Store(city_url)
    app = create_app(WebConfig(db_url=city_url, page_size=2), store)
    client = TestClient(app, base_url="https://testserver", follow_redirects=False)
    login(client, "viewer1")
    seen: list[str] = []
    query = "status=active"
    while True:
        page = client.get("/findings?" + query).text
        seen += re.findall(r'href="/findings/([0-9a-f]{64})"', page)
        found = re.search(r'href="/findings\?([^"]+)" rel="next"', page)
        if found is None:
            break
        query = found.group(1).replace("&amp;", "&")
        assert "status=active" in query
    assert len(seen) == len(set(seen)) == 5
    assert 'rel="prev"' in page and "5 件中 5–5 件目" in page
    store.close()


def test_downloads_hold_exactly_the_current_filter(web: TestClient, tmp_path: Path) -> None:
    import csv
    import io

    from openpyxl import load_workbook

    login(web, "viewer1")
    answer = web.get("/findings.csv?severity=critical")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/csv")
    assert "attachment" in answer.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(answer.content.decode("utf-8-sig"))))
    fingerprints = {fingerprint_of("SEG-005"), fingerprint_of("SEG-013")}
    assert {cell for row in rows[1:] for cell in row} >= fingerprints
    assert len([row for row in rows[1:] if set(row) & fingerprints]) == 2
    assert not any(fingerprint_of("HRD-001") in row for row in rows)
    book = web.get("/findings.xlsx?device=core1")
    assert book.status_code == 200
    path = tmp_path / "findings.xlsx"
    path.write_bytes(book.content)
    cells = {
        str(value)
        for sheet in load_workbook(path, read_only=True).worksheets
        for row in sheet.iter_rows(values_only=True)
        for value in row
        if value is not None
    }
    assert fingerprint_of("HRD-001") in cells and fingerprint_of("SEG-005") not in cells

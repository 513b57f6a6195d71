"""The prefecture console (``auditor web --prefecture``) over real HTTP (Starlette's TestClient).

Two example cities audited into one SQLite store (Kita two hours ago, Minami just now) and a
third, Nishi, never audited. The console shows every city's summary with the numbers of
``auditor prefecture report --format json`` (one source), Japanese first with the English
switch, no script, the console's CSP; its accounts are the prefecture's own: a city user cannot
sign in to it, a prefecture user cannot sign in to a city's console, and no city page is served.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from auditor.report.prefecture import GRADES, CitySource
from auditor.store import Store, console
from auditor.store.tenancy import PREFECTURE_TENANT
from auditor.web.app import CSP, WebConfig, create_app
from auditor.web.auth import hash_password
from tests.cli_tree import CliRunner, build_app
from tests.report.example_city import POLICY_DIR, two_cities_at
from tests.web.city import CSRF, PASSWORD

NORTH, SOUTH, WEST = "kita", "minami", "nishi"
NAMES = {NORTH: ("北市", "Kita City"), SOUTH: ("南市", "Minami City"), WEST: ("西町", "Nishi Town")}
SOURCES = tuple(CitySource(name, ja, en, POLICY_DIR) for name, (ja, en) in NAMES.items())
ROW = re.compile(r'<tr id="city-([a-z]+)"[^>]*>(.*?)</tr>', re.DOTALL)
CELL = re.compile(r'data-grade="([a-z_]+)">(\d+)<')


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two audited cities, a city account and a prefecture account (built once, copied)."""
    database = tmp_path_factory.mktemp("prefecture") / "auditor.db"
    url = f"sqlite:///{database}"
    two_cities_at(database, NORTH, SOUTH)
    with Store(url, tenant=NORTH) as north:
        north.upgrade()
        console.add_user(
            north, "kita-admin", role="admin", password_hash=hash_password(PASSWORD), actor="t"
        )
    with Store(url, tenant=PREFECTURE_TENANT) as prefecture:
        console.add_user(
            prefecture, "ken-csirt", role="viewer", password_hash=hash_password(PASSWORD), actor="t"
        )
    return database


@dataclass
class Deployment:
    url: str
    config: Path


@pytest.fixture
def deployment(built: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Deployment:
    database = tmp_path / "auditor.db"
    database.write_bytes(built.read_bytes())
    config = tmp_path / "auditor.toml"
    config.write_text(
        "".join(
            f'[[tenants]]\nname = "{s.tenant}"\ndisplay_name_ja = "{s.name_ja}"\n'
            f'display_name_en = "{s.name_en}"\npolicy = "{POLICY_DIR}"\ninventory = "{tmp_path}"\n\n'
            for s in SOURCES
        ),
        encoding="utf-8",
    )
    monkeypatch.setenv("AUDITOR_CONFIG", str(config))
    monkeypatch.delenv("AUDITOR_TENANT", raising=False)
    return Deployment(f"sqlite:///{database}", config)


def _client(config: WebConfig) -> TestClient:
    return TestClient(create_app(config), base_url="https://testserver", follow_redirects=False)


@pytest.fixture
def prefecture(deployment: Deployment) -> Iterator[TestClient]:
    config = WebConfig(
        db_url=deployment.url, tenant=PREFECTURE_TENANT, cities=SOURCES, stale_days=2
    )
    with _client(config) as client:
        yield client


def _sign_in(client: TestClient, username: str, password: str = PASSWORD) -> int:
    page = client.get("/login")
    token = CSRF.search(page.text)
    assert token is not None
    answer = client.post(
        "/login",
        data={"username": username, "password": password, "csrf": token.group(1), "next": "/"},
    )
    return answer.status_code


def _numbers(page: str) -> dict[str, dict[str, int]]:
    """Each city's grade counts as the page shows them."""
    return {
        tenant: {grade: int(count) for grade, count in CELL.findall(row)}
        for tenant, row in ROW.findall(page)
    }


def test_the_prefecture_console_shows_every_city_in_japanese_then_english(
    prefecture: TestClient,
) -> None:
    assert prefecture.get("/").status_code == 303  # sign-in first
    assert _sign_in(prefecture, "ken-csirt") == 303
    page = prefecture.get("/")
    assert page.status_code == 200
    assert page.headers["content-security-policy"] == CSP
    assert page.headers["x-frame-options"] == "DENY"
    html = page.text
    assert '<html lang="ja">' in html and "都道府県の監査概況" in html
    assert html.index('id="city-kita"') < html.index('id="city-minami"') < html.index("city-nishi")
    assert "北市" in html and "Kita City" not in html and "重大な不適合" in html
    assert "<script" not in html.lower() and " on" + "error=" not in html
    # Aggregates and per-city summaries only: no link into any city's findings, devices or runs.
    links = set(re.findall(r'href="([^"]+)"', html))
    assert links <= {"/", "/static/style.css", "/static/favicon.svg"} | {
        link for link in links if link.startswith("/lang/")
    }
    # The trend is the console's SVG chart (web/charts.py), one bar per audited day.
    assert '<svg class="trend"' in html and html.count('class="bar"') >= 2
    stale = re.search(r'<section id="stale".*?</section>', html, re.DOTALL)
    assert stale is not None and 'data-tenant="nishi"' in stale.group(0)
    assert 'data-tenant="kita"' not in stale.group(0)  # audited two hours ago: within 2 days

    switched = prefecture.get("/lang/en", params={"next": "/"})
    assert switched.status_code == 303
    english = prefecture.get("/").text
    assert '<html lang="en">' in english and "Prefecture audit overview" in english
    assert "Kita City" in english and "Major nonconformity" in english
    assert _numbers(english) == _numbers(html)


def test_the_console_numbers_are_the_prefecture_report_s(
    deployment: Deployment, prefecture: TestClient
) -> None:
    report = CliRunner().invoke(
        build_app("en"), ["prefecture", "report", "--format", "json", "--db", deployment.url]
    )
    assert report.exit_code == 0, report.output
    document = json.loads(report.output)
    assert _sign_in(prefecture, "ken-csirt") == 303
    html = prefecture.get("/").text
    shown = _numbers(html)
    for city in document["cities"]:
        row = re.search(rf'<tr id="city-{city["tenant"]}"[^>]*>(.*?)</tr>', html, re.DOTALL)
        assert row is not None
        assert shown[city["tenant"]] == city["by_grade"]
        assert re.search(rf"data-open>{city['open_findings']}<", row.group(1))
        compliance = "-" if city["compliance"] is None else f"{city['compliance'] * 100:.1f}%"
        assert f"data-compliance>{compliance}<" in row.group(1)
        for zone, counts in city["by_zone"].items():
            zone_row = re.search(
                rf'<tr data-tenant="{city["tenant"]}" data-zone="{re.escape(zone)}">(.*?)</tr>',
                html,
                re.DOTALL,
            )
            assert zone_row is not None
            assert re.findall(r'class="num">(\d+)<', zone_row.group(1)) == [
                str(counts[g]) for g in GRADES
            ]
    assert shown["total"] == document["totals"]
    assert document["totals"]["major_nonconformity"] > 0
    assert document["stale"] == [WEST]
    # Two audits per city, a day apart (three days when Kita's crossed midnight in Japan).
    audited_days = [day for day in document["daily"] if day["seen"] is not None]
    assert len(audited_days) in (2, 3)
    assert html.count('class="bar"') == len(audited_days)
    assert audited_days[-1]["seen"] > 0


def test_the_not_audited_list_follows_the_configured_days(deployment: Deployment) -> None:
    config = WebConfig(
        db_url=deployment.url, tenant=PREFECTURE_TENANT, cities=SOURCES, stale_days=0.05
    )
    with _client(config) as client:
        assert _sign_in(client, "ken-csirt") == 303
        html = client.get("/").text
    stale = re.search(r'<section id="stale".*?</section>', html, re.DOTALL)
    assert stale is not None
    # Kita was audited two hours ago (> 0.05 days = 72 min); Nishi never; Minami just now.
    assert re.findall(r'data-tenant="([a-z]+)"', stale.group(0)) == [NORTH, WEST]
    assert "未監査" in stale.group(0)
    assert '<tr id="city-kita" class="stale">' in html


def test_city_and_prefecture_accounts_never_cross(
    deployment: Deployment, prefecture: TestClient
) -> None:
    # A city user cannot sign in to the prefecture console ...
    assert _sign_in(prefecture, "kita-admin") == 401
    # ... and a prefecture user cannot sign in to a city's console.
    city_config = WebConfig(db_url=deployment.url, tenant=NORTH, overview_wait=0)
    with _client(city_config) as city:
        assert _sign_in(city, "ken-csirt") == 401
        assert _sign_in(city, "kita-admin") == 303
        assert city.get("/runs").status_code == 200
    # A prefecture session is no session in a city console.
    assert _sign_in(prefecture, "ken-csirt") == 303
    cookie = prefecture.cookies.get("kyojin_session")
    assert cookie
    with _client(city_config) as city:
        city.cookies.set("kyojin_session", cookie)
        assert city.get("/runs").status_code == 303
    # Signed in, the prefecture console still serves no city page.
    for path in ("/findings", "/runs", "/rules", "/devices/fw1", "/findings.csv"):
        assert prefecture.get(path).status_code == 404, path
    # The prefecture's accounts and the city consoles refuse to be mixed up.
    with pytest.raises(ValueError, match="prefecture"):
        create_app(WebConfig(db_url=deployment.url, tenant=PREFECTURE_TENANT))
    with pytest.raises(ValueError, match="prefecture"):
        create_app(WebConfig(db_url=deployment.url, tenant=NORTH, cities=SOURCES))
    # The sign-ins are chained in the prefecture's own event chain, not in a city's.
    with Store(deployment.url, tenant=PREFECTURE_TENANT) as store:
        events = store.list_events(fingerprints=[console.WEB_SUBJECT])
        outcomes = [(e.actor, e.payload.get("outcome")) for e in events]
        assert ("ken-csirt", "ok") in outcomes and ("kita-admin", "unknown-user") in outcomes
        assert store.verify().ok
    with Store(deployment.url, tenant=NORTH) as store:
        actors = {e.actor for e in store.list_events(fingerprints=[console.WEB_SUBJECT])}
        assert "kita-admin" in actors and "ken-csirt" in actors  # its failed attempt, here
        assert store.verify().ok


def test_prefecture_accounts_from_the_command_line(
    deployment: Deployment, monkeypatch: pytest.MonkeyPatch
) -> None:
    runner = CliRunner()
    add = ["web", "--prefecture", "user", "add", "ken-admin", "--role", "admin"]
    added = runner.invoke(
        build_app("en"),
        [*add, "--password-stdin", "--db", deployment.url],
        input="a long enough passphrase\n",
    )
    assert added.exit_code == 0, added.output
    listed = runner.invoke(
        build_app("en"),
        ["web", "--prefecture", "user", "list", "--db", deployment.url],
        env={"COLUMNS": "250"},
    )
    assert listed.exit_code == 0, listed.output
    assert "ken-admin" in listed.output and "ken-csirt" in listed.output
    assert "kita-admin" not in listed.output
    city = runner.invoke(
        build_app("en"),
        ["--tenant", NORTH, "web", "user", "list", "--db", deployment.url],
        env={"COLUMNS": "250"},
    )
    assert "kita-admin" in city.output and "ken-" not in city.output
    both = runner.invoke(build_app("ja"), ["--tenant", NORTH, "web", "--prefecture"])
    assert both.exit_code == 2 and "--tenant" in both.output
    # `auditor web --prefecture` serves every configured city with the prefecture's accounts.
    served: list[WebConfig] = []
    monkeypatch.setattr(
        "auditor.web.server.serve", lambda config, host, port: served.append(config)
    )
    started = runner.invoke(
        build_app("en"), ["web", "--prefecture", "--stale-days", "3", "--db", deployment.url]
    )
    assert started.exit_code == 0, started.output
    (config,) = served
    assert config.tenant == PREFECTURE_TENANT and config.stale_days == 3
    assert [(c.tenant, c.name_ja, c.name_en) for c in config.cities or ()] == [
        (s.tenant, s.name_ja, s.name_en) for s in SOURCES
    ]
    with _client(config) as client:
        assert _sign_in(client, "ken-admin", "a long enough passphrase") == 303
        assert "西町" in client.get("/").text

"""Two cities in ONE store, from the shell: every command touches only the city it was given.

Both cities are the example city (same device names, same addresses, same planted violations,
so the same finding fingerprints), audited through the audit service into one SQLite file; the
deployment lists both in ``[[tenants]]``, so a command without ``--tenant`` is refused.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import text

from auditor.store import Store
from auditor.store.outbox import Outbox, OutboxItem
from tests.cli_tree import CliRunner, build_app
from tests.report.example_city import (
    POLICY_DIR,
    TWO_CITIES_NOW,
    audit_example_city,
    two_cities_at,
)

NORTH, SOUTH = "kita", "minami"
NOW = TWO_CITIES_NOW


@dataclass
class Cities:
    db: str
    config: Path
    fingerprint: str
    """A finding both cities have (same device, same subject)."""


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Both cities audited once per process (slow part), copied per test."""
    database = tmp_path_factory.mktemp("two-cities") / "auditor.db"
    two_cities_at(database, NORTH, SOUTH)
    return database


@pytest.fixture
def cities(built: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Cities]:
    database = tmp_path / "auditor.db"
    database.write_bytes(built.read_bytes())
    config = tmp_path / "auditor.toml"
    config.write_text(
        "".join(
            f'[[tenants]]\nname = "{name}"\ndisplay_name_ja = "{ja}"\ndisplay_name_en = "{en}"\n'
            f'policy = "{POLICY_DIR}"\ninventory = "{tmp_path}"\n\n'
            for name, ja, en in ((NORTH, "北市", "Kita City"), (SOUTH, "南市", "Minami City"))
        ),
        encoding="utf-8",
    )
    monkeypatch.setenv("AUDITOR_CONFIG", str(config))
    monkeypatch.delenv("AUDITOR_TENANT", raising=False)
    db = f"sqlite:///{database}"
    with Store(db, tenant=NORTH) as north:
        fingerprint = next(
            f.fingerprint
            for f in north.list_findings(status=["new", "open"])
            if f.device and not f.check_id.startswith("COL-")
        )
    yield Cities(db=db, config=config, fingerprint=fingerprint)


def _cli(*args: str, code: int = 0) -> str:
    result = CliRunner().invoke(build_app("en"), list(args))
    assert result.exit_code == code, result.output
    return result.output


def _findings(cities: Cities, tenant: str) -> list[dict[str, object]]:
    out = _cli("--tenant", tenant, "findings", "list", "--db", cities.db, "--format", "json")
    document = json.loads(out)
    return list(document if isinstance(document, list) else document["findings"])


def test_without_tenant_a_multi_city_deployment_refuses_rather_than_guesses(
    cities: Cities,
) -> None:
    out = _cli("findings", "list", "--db", cities.db, code=2)
    assert "several cities" in out and "--tenant" in out and NORTH in out
    out = _cli("--tenant", "nishi", "findings", "list", "--db", cities.db, code=2)
    assert "Unknown tenant 'nishi'" in out
    ja = CliRunner().invoke(build_app("ja"), ["verify", "--db", cities.db])
    assert ja.exit_code == 2 and "複数の自治体" in ja.output


def test_the_environment_variable_selects_the_city(
    cities: Cities, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AUDITOR_TENANT", SOUTH)
    out = _cli("findings", "list", "--db", cities.db, "--format", "json")
    assert out == _cli("--tenant", SOUTH, "findings", "list", "--db", cities.db, "--format", "json")


def test_list_show_ack_suppress_assign_stay_in_their_city(cities: Cities) -> None:
    north_before, south_before = _findings(cities, NORTH), _findings(cities, SOUTH)
    assert len(north_before) == len(south_before) > 10  # the same city twice
    fp = cities.fingerprint
    _cli("--tenant", NORTH, "findings", "ack", fp[:12], "--by", "kita-tantou", "--db", cities.db)
    _cli(
        "--tenant", NORTH, "findings", "assign", fp[:12], "--owner", "北市情報政策課",
        "--by", "kita-tantou", "--db", cities.db,
    )  # fmt: skip
    expires = (NOW + timedelta(days=60)).date().isoformat()
    _cli(
        "--tenant", SOUTH, "findings", "suppress", fp[:12], "--reason", "更新待ち",
        "--approver", "南市長", "--approval-number", "南情-1", "--expires", expires,
        "--by", "minami-tantou", "--db", cities.db,
    )  # fmt: skip
    north_show = _cli("--tenant", NORTH, "findings", "show", fp[:12], "--db", cities.db)
    south_show = _cli("--tenant", SOUTH, "findings", "show", fp[:12], "--db", cities.db)
    assert "kita-tantou" in north_show and "minami-tantou" not in north_show
    assert "minami-tantou" in south_show and "kita-tantou" not in south_show
    with Store(cities.db, tenant=NORTH) as north, Store(cities.db, tenant=SOUTH) as south:
        n, _ = north.get_finding(fp)
        s, _ = south.get_finding(fp)
        assert (n.status.value, n.owner, n.acknowledged_by) != (s.status.value, s.owner, None)
        assert n.status.value in {"new", "open"} and n.owner == "北市情報政策課"
        assert s.status.value == "suppressed" and s.owner is None and s.acknowledged_by is None
        assert north.manual_exceptions() == [] and len(south.manual_exceptions()) == 1
        assert north.verify().ok and south.verify().ok


def test_report_and_exports_show_only_their_city(cities: Cities, tmp_path: Path) -> None:
    expires = (NOW + timedelta(days=60)).date().isoformat()
    _cli(
        "--tenant", SOUTH, "findings", "suppress", cities.fingerprint[:12], "--reason", "更新待ち",
        "--approver", "南市長", "--approval-number", "南情-77", "--expires", expires,
        "--by", "minami-tantou", "--db", cities.db,
    )  # fmt: skip
    common = ("--db", cities.db, "--policy", str(POLICY_DIR))
    north_text = _cli("--tenant", NORTH, "report", "--format", "text", *common)
    south_text = _cli("--tenant", SOUTH, "report", "--format", "text", *common)
    assert "南情-77" in south_text and "南情-77" not in north_text
    exports = {}
    for tenant in (NORTH, SOUTH):
        out = tmp_path / f"{tenant}.json"
        _cli("--tenant", tenant, "export", "--format", "json", "--out", str(out), *common)
        exports[tenant] = json.loads(out.read_text(encoding="utf-8"))
    suppressed = {
        tenant: [f["fingerprint"] for f in doc["findings"] if f["status"] == "suppressed"]
        for tenant, doc in exports.items()
    }
    assert suppressed == {NORTH: [], SOUTH: [cities.fingerprint]}
    # Each export cites its own city's chain head, the one that city's verify prints.
    for tenant, doc in exports.items():
        with Store(cities.db, tenant=tenant) as store:
            assert doc["event_chain_head"] == store.verify().head_hash
    assert exports[NORTH]["event_chain_head"] != exports[SOUTH]["event_chain_head"]
    assert exports[NORTH]["count"] == exports[SOUTH]["count"]


def test_the_outbox_of_one_city_is_never_read_or_changed_by_the_other(cities: Cities) -> None:
    with Store(cities.db, tenant=NORTH) as north:
        outbox = Outbox(north.engine, north.tenant)
        (queued,) = outbox.enqueue(
            [OutboxItem("mail-main", "finding", "new:x", "high", {"title_en": "x"}, NOW)], now=NOW
        )
        with Store(cities.db, tenant=SOUTH) as south:
            theirs = Outbox(south.engine, south.tenant)
            assert theirs.due(NOW + timedelta(days=1)) == []
            theirs.mark_failed([queued], "not mine", now=NOW)  # an id of the other city
            theirs.mark_sent([queued], now=NOW)
        (row,) = outbox.recent()
        assert row.status.value == "pending" and row.last_error is None
    south_list = _cli(
        "--tenant", SOUTH, "notify", "list", "--db", cities.db, "--format", "json"
    )  # fmt: skip
    north_list = _cli(
        "--tenant", NORTH, "notify", "list", "--db", cities.db, "--format", "json"
    )  # fmt: skip
    assert json.loads(south_list) == [] and len(json.loads(north_list)) == 1


def test_each_chain_verifies_alone_and_tampering_is_reported_for_its_city_only(
    cities: Cities,
) -> None:
    _cli("--tenant", NORTH, "verify", "--db", cities.db)
    _cli("--tenant", SOUTH, "verify", "--db", cities.db)
    with Store(cities.db) as raw, raw.engine.begin() as connection:
        changed = connection.execute(
            text("UPDATE finding_events SET actor = 'mallory' WHERE tenant = :t AND id = 5"),
            {"t": SOUTH},
        ).rowcount
        assert changed == 1
    _cli("--tenant", NORTH, "verify", "--db", cities.db)
    broken = _cli("--tenant", SOUTH, "verify", "--db", cities.db, code=1)
    assert "5" in broken


def test_the_prefecture_overview_lists_every_city_and_the_ones_not_audited(
    cities: Cities, tmp_path: Path
) -> None:
    with cities.config.open("a", encoding="utf-8") as handle:
        handle.write(
            '[[tenants]]\nname = "nishi"\ndisplay_name_ja = "西町"\ndisplay_name_en = "Nishi Town"\n'
            f'policy = "{POLICY_DIR}"\ninventory = "{tmp_path}"\n'
        )
    out = tmp_path / "overview.json"
    _cli("prefecture", "report", "--format", "json", "--out", str(out), "--db", cities.db,
         "--stale-days", "0.05")  # fmt: skip
    document = json.loads(out.read_text(encoding="utf-8"))
    by_tenant = {city["tenant"]: city for city in document["cities"]}
    assert list(by_tenant) == [NORTH, SOUTH, "nishi"]
    # North was audited two hours ago (> 0.05 days = 72 min), Nishi never; South just now.
    assert document["stale"] == [NORTH, "nishi"]
    assert by_tenant["nishi"]["last_audit_at"] is None and by_tenant["nishi"]["open_findings"] == 0
    for tenant in (NORTH, SOUTH):
        with Store(cities.db, tenant=tenant) as store:
            open_now = store.list_findings(status=["new", "open", "reopened", "in_progress"])
            city = by_tenant[tenant]
            assert city["open_findings"] == len(open_now) == sum(city["by_grade"].values())
            assert sum(sum(z.values()) for z in city["by_zone"].values()) == len(open_now)
            assert [p["run_id"] for p in city["trend"]] == [
                r.id for r in reversed(store.list_runs(kind="audit"))
            ]
            assert city["devices"] > 20 and 0 < city["compliance"] < 1
    assert by_tenant[NORTH]["by_grade"] == by_tenant[SOUTH]["by_grade"]
    assert by_tenant[NORTH]["by_grade"]["major_nonconformity"] > 0
    assert (
        document["totals"]["major_nonconformity"]
        == 2 * by_tenant[NORTH]["by_grade"]["major_nonconformity"]
    )
    html = tmp_path / "overview.html"
    CliRunner().invoke(
        build_app("ja"),
        ["prefecture", "report", "--out", str(html), "--db", cities.db, "--stale-days", "2"],
    )
    page = html.read_text(encoding="utf-8")
    assert page.index('id="city-kita"') < page.index('id="city-minami"') < page.index("city-nishi")
    assert "北市" in page and "Kita City" not in page  # Japanese names in the Japanese page
    assert "重大な不適合" in page and "都道府県 監査概況 / Prefecture audit overview" in page
    assert 'data-tenant="nishi"' in page and 'data-tenant="kita"' not in page
    assert "#2b4c7e" in page  # the morning report's style
    csv_text = _cli("prefecture", "report", "--format", "csv", "--db", cities.db)
    rows = csv_text.lstrip("\ufeff").splitlines()
    assert rows[0].startswith("tenant,city_ja,city_en,zone,major_nonconformity")
    assert any(row.startswith(f"{SOUTH},南市,Minami City,*,") for row in rows)


@pytest.mark.postgres
def test_two_cities_in_one_postgresql_store_from_the_shell(
    postgres_server_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same isolation on PostgreSQL: list, ack, suppress, notify, verify, tampering."""
    from tests.postgres import fresh_postgres_schema

    config = tmp_path / "auditor.toml"
    config.write_text(
        "".join(
            f'[[tenants]]\nname = "{name}"\ndisplay_name_ja = "{name}"\n'
            f'display_name_en = "{name}"\npolicy = "{POLICY_DIR}"\ninventory = "{tmp_path}"\n\n'
            for name in (NORTH, SOUTH)
        ),
        encoding="utf-8",
    )
    monkeypatch.setenv("AUDITOR_CONFIG", str(config))
    monkeypatch.delenv("AUDITOR_TENANT", raising=False)
    with fresh_postgres_schema(postgres_server_url) as db:
        with Store(db, tenant=NORTH) as north:
            north.upgrade()
            audit_example_city(north, NOW - timedelta(hours=2))
            fp = next(f.fingerprint for f in north.list_findings(status=["new", "open"]))
            Outbox(north.engine, north.tenant).enqueue(
                [OutboxItem("hook", "finding", "new:x", "high", {}, NOW)], now=NOW
            )
        with Store(db, tenant=SOUTH) as south:
            audit_example_city(south, NOW)
        cities = Cities(db=db, config=config, fingerprint=fp)
        assert len(_findings(cities, NORTH)) == len(_findings(cities, SOUTH)) > 10
        _cli("findings", "list", "--db", db, code=2)
        _cli("--tenant", NORTH, "findings", "ack", fp[:12], "--by", "kita-tantou", "--db", db)
        _cli(
            "--tenant", SOUTH, "findings", "suppress", fp[:12], "--reason", "r",
            "--approver", "a", "--approval-number", "n-1",
            "--expires", (NOW + timedelta(days=30)).date().isoformat(), "--by", "b", "--db", db,
        )  # fmt: skip
        with Store(db, tenant=NORTH) as north, Store(db, tenant=SOUTH) as south:
            n, _ = north.get_finding(fp)
            s, _ = south.get_finding(fp)
            assert n.acknowledged_by == "kita-tantou" and n.status.value != "suppressed"
            assert s.acknowledged_by is None and s.status.value == "suppressed"
        assert (
            json.loads(_cli("--tenant", SOUTH, "notify", "list", "--db", db, "--format", "json"))
            == []
        )
        assert (
            len(
                json.loads(
                    _cli("--tenant", NORTH, "notify", "list", "--db", db, "--format", "json")
                )
            )
            == 1
        )
        with Store(db) as raw, raw.engine.begin() as connection:
            connection.execute(
                text("UPDATE findings SET owner = 'mallory' WHERE tenant = :t"), {"t": NORTH}
            )
        _cli("--tenant", SOUTH, "verify", "--db", db)
        north_verify = CliRunner().invoke(
            build_app("en"), ["--tenant", NORTH, "verify", "--db", db]
        )
        assert north_verify.exit_code != 0, north_verify.output
        overview = json.loads(_cli("prefecture", "report", "--format", "json", "--db", db))
        assert [city["tenant"] for city in overview["cities"]] == [NORTH, SOUTH]


def test_the_chosen_city_supplies_its_own_policy_and_inventory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = Path(__file__).resolve().parents[1]
    empty = tmp_path / "empty-inventory.yaml"
    empty.write_text("devices: []\n", encoding="utf-8")
    config = tmp_path / "auditor.toml"
    config.write_text(
        f'[[tenants]]\nname = "{NORTH}"\ndisplay_name_ja = "北市"\ndisplay_name_en = "Kita"\n'
        f'policy = "{POLICY_DIR}"\ninventory = "{repo / "inventory" / "example-city"}"\n\n'
        f'[[tenants]]\nname = "{SOUTH}"\ndisplay_name_ja = "南市"\ndisplay_name_en = "Minami"\n'
        f'policy = "{POLICY_DIR}"\ninventory = "{empty}"\n',
        encoding="utf-8",
    )
    monkeypatch.setenv("AUDITOR_CONFIG", str(config))
    for name in ("AUDITOR_TENANT", "AUDITOR_POLICY", "AUDITOR_INVENTORY", "AUDITOR_LEDGER"):
        monkeypatch.delenv(name, raising=False)
    north = _cli("--tenant", NORTH, "validate")
    south = _cli("--tenant", SOUTH, "validate")
    assert " 0 devices" in south and " 0 devices" not in north
    # An explicit option still wins over the city's configuration.
    assert " 0 devices" in _cli("--tenant", NORTH, "validate", "--inventory", str(empty))


def test_a_command_run_for_one_city_reads_only_that_citys_secrets(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from auditor.cli import options
    from auditor.inventory.credentials import CredentialError
    from auditor.inventory.models import CredentialRef

    lines = []
    for name in (NORTH, SOUTH):
        folder = tmp_path / name / "credentials"
        folder.mkdir(parents=True)
        (folder / "snmp").write_text(f"community-of-{name}\n", encoding="utf-8")
        lines.append(
            f'[[tenants]]\nname = "{name}"\ndisplay_name_ja = "{name}"\n'
            f'display_name_en = "{name}"\npolicy = "{POLICY_DIR}"\n'
            f'inventory = "{tmp_path / name}"\ncredentials_directory = "{folder}"\n'
        )
    config = tmp_path / "auditor.toml"
    config.write_text("\n".join(lines), encoding="utf-8")
    monkeypatch.setenv("AUDITOR_CONFIG", str(config))
    monkeypatch.delenv("CREDENTIALS_DIRECTORY", raising=False)
    try:
        options.set_tenant(NORTH)
        resolve = options.city_secret_resolver(tmp_path / NORTH, "en")
        assert resolve(CredentialRef(systemd="snmp")) == "community-of-kita"
        with pytest.raises(CredentialError, match="outside the credentials of tenant 'kita'"):
            resolve(CredentialRef(file=str(tmp_path / SOUTH / "credentials" / "snmp")))
    finally:
        options.set_tenant(None)


def test_the_web_console_import_and_bundle_collection_need_a_city(
    cities: Cities, tmp_path: Path
) -> None:
    """``auditor web`` (and its accounts), ``import`` and ``collect --bundle`` are refused without
    ``--tenant`` in a multi-city deployment; a web account belongs to the city it was added for."""
    for refused in (
        ["web", "--db", cities.db],
        ["web", "user", "list", "--db", cities.db],
        ["import", str(tmp_path / "none.kjb"), "--db", cities.db],
        ["collect", "--bundle", str(tmp_path)],
    ):
        assert "several cities" in _cli(*refused, code=2), refused
    add = ["web", "user", "add", "sato", "--role", "admin", "--password-stdin", "--db", cities.db]
    added = CliRunner().invoke(
        build_app("en"), ["--tenant", NORTH, *add], input="a long enough secret\n"
    )
    assert added.exit_code == 0, added.output
    assert "sato" in _cli("--tenant", NORTH, "web", "user", "list", "--db", cities.db)
    assert "sato" not in _cli("--tenant", SOUTH, "web", "user", "list", "--db", cities.db)


def test_a_tenant_given_to_one_command_does_not_carry_over_to_the_next_in_process(
    cities: Cities,
) -> None:
    """``--tenant`` lives as long as its command: a caller that runs several commands in one
    process (tests, a shell embedding the CLI) never gets another command's city."""
    assert _findings(cities, NORTH)
    out = _cli("findings", "list", "--db", cities.db, code=2)
    assert "several cities" in out

"""Issue 17: the CLI fails loudly (exit 2 with a reason), never silently thinner.

Everything goes through the real command tree (``main`` for the error handler, typer's CliRunner
otherwise) against real SQLite files written by a real ``auditor run``.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from auditor.cli.app import main
from tests.cli_tree import CliRunner, build_app
from tests.test_cli import write_city_files
from tests.test_config_history import CONFIGS, DAY1, record

REPO = Path(__file__).resolve().parents[2]
EXAMPLE_POLICY = REPO / "policies" / "example-city"
EXAMPLE_INVENTORY = REPO / "inventory" / "example-city"


def invoke(*args: str, lang: str = "en") -> tuple[int, str, str]:
    result = CliRunner().invoke(build_app(lang), list(args), catch_exceptions=False)  # type: ignore[arg-type]
    return result.exit_code, result.stdout, result.stderr


def one_line(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture(scope="module")
def stored_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder with the city's files and a database with the ledger findings of one real run;
    run once per module (every test that reads it gets its own copy)."""
    folder = tmp_path_factory.mktemp("stored")
    files = write_city_files(folder)
    with pytest.MonkeyPatch.context() as monkeypatch:
        _isolate(folder, monkeypatch)
        code, _, err = invoke(
            "run",
            "--policy",
            str(files["policy"]),
            "--inventory",
            str(files["inventory"]),
            "--ledger",
            str(files["ledger"]),
            "--db",
            str(files["db"]),
            "--fail-on",
            "never",
        )
    assert code == 0, err
    return folder


@pytest.fixture
def stored(stored_template: Path, tmp_path: Path) -> dict[str, Path]:
    """A database with the ledger findings of one real run (a copy of the module's)."""
    folder = tmp_path / "stored"
    shutil.copytree(stored_template, folder)
    return {
        "policy": folder / "policy.yaml",
        "inventory": folder / "devices.yaml",
        "ledger": folder / "ledger.csv",
        "db": folder / "a.db",
    }


@pytest.fixture(autouse=True)
def _no_settings_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No /etc/auditor/auditor.toml and no state directory of the machine leak into a test."""
    _isolate(tmp_path, monkeypatch)
    yield


def _isolate(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AUDITOR_CONFIG", str(folder / "no-such-auditor.toml"))
    monkeypatch.setenv("AUDITOR_STATE_DIR", str(folder / "state"))
    for name in ("AUDITOR_DB_URL", "AUDITOR_TIMEZONE", "AUDITOR_DEBUG", "COLUMNS"):
        monkeypatch.delenv(name, raising=False)


# -- a reading command never creates a database ---------------------------------------------

READING = [
    ("findings", "list"),
    ("findings", "show", "0123456789abcdef"),
    ("report", "--format", "text", "--no-policy"),
    ("export", "--format", "json", "--out", "OUT", "--no-policy"),
    ("matrix", "--policy", str(EXAMPLE_POLICY), "--inventory", str(EXAMPLE_INVENTORY)),
    ("status",),
    ("config", "show", "sw1"),
    ("config", "diff", "sw1"),
    ("verify",),
]


@pytest.mark.parametrize("command", READING, ids=lambda c: " ".join(c[:2]))
@pytest.mark.parametrize("where", ["typo.db", "no-such-folder/auditor.db"])
def test_a_reading_command_with_a_missing_database_exits_2_naming_it_and_creates_nothing(
    tmp_path: Path, command: tuple[str, ...], where: str
) -> None:
    missing = tmp_path / where
    args = [a.replace("OUT", str(tmp_path / "out.json")) for a in command]
    code, out, err = invoke(*args, "--db", str(missing))
    assert code == 2, out + err
    assert str(missing) in one_line(err)
    assert "auditor db upgrade" in err
    assert not missing.exists() and not missing.parent.joinpath("auditor.db-journal").exists()
    if where.startswith("no-such-folder"):
        assert not missing.parent.exists()


def test_a_sqlite_file_without_the_schema_is_not_a_kyojin_database(tmp_path: Path) -> None:
    other = tmp_path / "other.db"
    with sqlite3.connect(other) as connection:
        connection.execute("create table notes (text)")
    connection.close()
    code, _, err = invoke("findings", "list", "--db", str(other))
    assert code == 2
    assert "Not a Kyojin database" in err and "auditor db upgrade" in err
    not_sqlite = tmp_path / "notes.txt"
    not_sqlite.write_text("just text, not a database\n" * 100, encoding="utf-8")
    code, _, err = invoke("verify", "--db", str(not_sqlite))
    assert code == 2 and "Not a Kyojin database" in err


@pytest.mark.postgres
def test_a_postgresql_database_without_the_schema_exits_2(postgres_database_url: str) -> None:
    code, _, err = invoke("findings", "list", "--db", postgres_database_url)
    assert code == 2
    assert "Not a Kyojin database" in err and "auditor db upgrade" in err
    assert postgres_database_url.rsplit("/", 1)[1] in err  # names the database


def test_recording_commands_still_create_their_database(tmp_path: Path) -> None:
    fresh = tmp_path / "new" / "auditor.db"
    code, out, _ = invoke("db", "upgrade", "--db", str(fresh))
    assert code == 0 and fresh.is_file()
    code, out, _ = invoke("findings", "list", "--db", str(fresh), "--format", "json")
    assert code == 0 and json.loads(out) == []


# -- report and export need the policy, or say what is missing ------------------------------


def test_export_and_report_without_a_loadable_policy_exit_2(stored: dict[str, Path]) -> None:
    nowhere = stored["db"].with_name("no-policy-here")
    for command in (
        ("report", "--format", "text"),
        ("export", "--format", "csv", "--out", str(stored["db"].with_name("x.csv"))),
    ):
        code, out, err = invoke(*command, "--db", str(stored["db"]), "--policy", str(nowhere))
        assert code == 2, out + err
        assert str(nowhere) in one_line(err) and "--no-policy" in err
        assert out == ""
    assert not stored["db"].with_name("x.csv").exists()


def test_no_policy_says_first_what_is_missing(stored: dict[str, Path]) -> None:
    out_file = stored["db"].with_name("x.json")
    code, _, err = invoke(
        "export", "--format", "json", "--out", str(out_file), "--db", str(stored["db"]),
        "--no-policy",
    )  # fmt: skip
    assert code == 0, err
    first = err.splitlines()[0]
    assert "--no-policy" in first and "approvers" in first and "expiries" in first
    assert out_file.is_file()
    code, _, err = invoke("report", "--format", "text", "--db", str(stored["db"]), "--no-policy")
    assert code == 0 and "zone matrix" in err.splitlines()[0]


def test_report_with_the_policy_does_not_warn(stored: dict[str, Path]) -> None:
    code, out, err = invoke(
        "report", "--format", "text", "--db", str(stored["db"]), "--policy", str(stored["policy"])
    )
    assert code == 0, err
    assert "--no-policy" not in err and out


# -- filter values are validated --------------------------------------------------------------


@pytest.mark.parametrize(
    ("option", "value", "suggested"),
    [
        ("--severity", "crit", "critical"),
        ("--status", "opne", "open"),
        ("--check", "led-01", "LED-0"),
    ],
)
def test_findings_list_rejects_an_unknown_filter_value_with_a_suggestion(
    stored: dict[str, Path], option: str, value: str, suggested: str
) -> None:
    code, out, err = invoke("findings", "list", "--db", str(stored["db"]), option, value)
    assert code == 2, out
    assert f"unknown value '{value}'" in err
    assert f"did you mean '{suggested}" in err
    assert "Choose from:" in err and out == ""


def test_an_unknown_device_filter_lists_the_devices_the_store_knows(tmp_path: Path) -> None:
    from auditor.store import Store

    url = f"sqlite:///{tmp_path / 'auditor.db'}"
    with Store(url) as store:
        store.upgrade()
        record(store, CONFIGS[0], DAY1)
    code, _, err = invoke("findings", "list", "--db", url, "--device", "sw2")
    assert code == 2
    assert "did you mean 'sw1'" in err


def test_export_rejects_an_unknown_zone_with_the_policy_zones(stored: dict[str, Path]) -> None:
    code, _, err = invoke(
        "export", "--format", "csv", "--out", str(stored["db"].with_name("x.csv")),
        "--db", str(stored["db"]), "--policy", str(stored["policy"]), "--zone", "lgwn",
    )  # fmt: skip
    assert code == 2
    assert "did you mean 'lgwan'" in err and "lgwan, mynumber" in err


def test_export_keeps_accepting_a_check_prefix_and_rejects_a_family_that_does_not_exist(
    stored: dict[str, Path],
) -> None:
    common = ["--db", str(stored["db"]), "--policy", str(stored["policy"])]
    out = str(stored["db"].with_name("x.json"))
    assert invoke("export", "--format", "json", "--out", out, *common, "--check", "LED")[0] == 0
    code, _, err = invoke("export", "--format", "json", "--out", out, *common, "--check", "XYZ-1")
    assert code == 2 and "unknown value 'XYZ-1'" in err


def test_the_messages_follow_the_language(stored: dict[str, Path]) -> None:
    code, _, err = invoke(
        "findings", "list", "--db", str(stored["db"]), "--severity", "crit", lang="ja"
    )
    assert code == 2
    assert "もしかして 'critical'" in err and "選べる値" in err


# -- config show/diff/plan ------------------------------------------------------------------


def test_config_plan_with_an_unknown_device_exits_2(tmp_path: Path) -> None:
    inventory = tmp_path / "devices.yaml"
    inventory.write_text(
        "devices:\n  - name: fw1\n    address: 192.0.2.9\n    platform: fortinet\n"
        "    ssh: {username: auditor, password: {env: FW1_PASSWORD}}\n",
        encoding="utf-8",
    )
    code, out, err = invoke("config", "plan", "fw2", "--inventory", str(inventory))
    assert code == 2 and out == ""
    assert "unknown value 'fw2'" in err and "did you mean 'fw1'" in err


def test_config_plan_reads_auditor_inventory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    inventory = tmp_path / "devices.yaml"
    inventory.write_text(
        "devices:\n  - name: rt1\n    address: 192.0.2.1\n    platform: yamaha_rtx\n"
        "    ssh: {username: auditor, password: {env: RT1_PASSWORD}}\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("AUDITOR_INVENTORY", str(inventory))
    code, out, err = invoke("config", "plan")
    assert code == 0, err
    assert "rt1 (yamaha_rtx, 192.0.2.1:22)" in out


def test_config_diff_with_a_single_configuration_exits_2_and_says_why(tmp_path: Path) -> None:
    from auditor.store import Store

    url = f"sqlite:///{tmp_path / 'auditor.db'}"
    with Store(url) as store:
        store.upgrade()
        record(store, CONFIGS[0], DAY1)
    code, out, err = invoke("config", "diff", "sw1", "--db", url)
    assert code == 2 and out == ""
    assert "Only one stored configuration of sw1" in err
    with Store(url) as store:
        record(store, CONFIGS[2], DAY1 + timedelta(days=2))
    code, out, _ = invoke("config", "diff", "sw1", "--db", url)
    assert code == 0 and "+ switchport access vlan 10" in out
    code, out, _ = invoke(
        "config", "diff", "sw1", "--db", url, "--from", "2026-11-23", "--to", "2026-11-24"
    )
    assert code == 0 and "No change" in out


def test_config_show_and_diff_accept_lang(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = str(tmp_path / "x.db")
    code, _, err = run_main(["config", "show", "sw1", "--db", missing, "--lang", "ja"], capsys)
    assert code == 2 and "データベースがありません" in err
    code, _, err = run_main(["config", "diff", "sw1", "--db", missing, "--lang", "en"], capsys)
    assert code == 2 and "No database at" in err


# -- bare dates are days in the configured time zone ------------------------------------------


def test_bare_dates_are_days_in_the_configured_time_zone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from auditor.cli.options import parse_moment

    start = parse_moment("2026-04-01", "--since", "en")
    assert start is not None and start.astimezone(UTC) == datetime(2026, 3, 31, 15, 0, tzinfo=UTC)
    settings = tmp_path / "auditor.toml"
    settings.write_text('timezone = "UTC"\nlang = "en"\n', encoding="utf-8")
    monkeypatch.setenv("AUDITOR_CONFIG", str(settings))
    start = parse_moment("2026-04-01", "--since", "en")
    assert start is not None and start.astimezone(UTC) == datetime(2026, 4, 1, tzinfo=UTC)
    monkeypatch.setenv("AUDITOR_TIMEZONE", "Asia/Tokyo")
    stamp = parse_moment("2026-04-01T09:00", "--at", "en")
    assert stamp is not None and stamp.astimezone(UTC).hour == 0


def test_an_unknown_time_zone_is_exit_2(
    stored: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AUDITOR_TIMEZONE", "Asia/Tokio")
    code, _, err = invoke(
        "export", "--format", "json", "--out", str(stored["db"].with_name("x.json")),
        "--db", str(stored["db"]), "--no-policy", "--since", "2026-04-01",
    )  # fmt: skip
    assert code == 2 and "unknown time zone: 'Asia/Tokio'" in err


# -- no Python internals in the output ---------------------------------------------------------


def test_findings_ack_prints_the_fingerprint_not_a_record(stored: dict[str, Path]) -> None:
    _, out, _ = invoke("findings", "list", "--db", str(stored["db"]), "--format", "json")
    fingerprint = json.loads(out)[0]["fingerprint"]
    code, out, _ = invoke(
        "findings", "ack", fingerprint[:10], "--by", "suzuki", "--db", str(stored["db"])
    )
    assert code == 0
    assert out.strip() == f"Acknowledged: {fingerprint}"
    assert "FindingRecord" not in out


def test_matrix_explains_a_permit_beyond_policy_in_words() -> None:
    from auditor.analysis.matrix import PermitEntry
    from auditor.cli.matrix import explain_excess

    entry = PermitEntry(
        device="lg-core-sw1",
        kind="acl",  # type: ignore[arg-type]
        subject="acl:LGWAN-OUT:20#lgwan->internet",
        line=" permit ip any any",
        services=["any"],
        destinations=None,
        within_policy=False,
    )
    text = explain_excess("lgwan", "internet", entry, "en")
    assert text == (
        '✘ lgwan → internet: lg-core-sw1 permits beyond the policy with "permit ip any any" '
        "(acl:LGWAN-OUT:20#lgwan->internet): any."
    )
    assert "{" not in explain_excess("lgwan", "internet", entry, "ja")


def run_main(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    """``auditor ARGS`` in this process, exactly as the console script runs it."""
    with pytest.raises(SystemExit) as exited:
        main(args)
    captured = capsys.readouterr()
    code = exited.value.code
    return (code if isinstance(code, int) else 1), captured.out, captured.err


def test_no_traceback_ever(
    stored: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A table of bad invocations: each is exit 2 with one to three lines of human text."""
    db = str(stored["db"])
    not_a_db = tmp_path / "notes.db"
    not_a_db.write_bytes(b"\x00garbage" * 64)
    bad = [
        ["findings", "show", "f017", "--db", db],
        ["findings", "show", "zzzzzzzz", "--db", db],
        ["findings", "show", "0000000000000000", "--db", db],
        ["findings", "ack", "f017", "--by", "x", "--db", db],
        ["findings", "list", "--db", db, "--severity", "crit"],
        ["findings", "list", "--db", db, "--status", "opne"],
        ["findings", "list", "--db", str(tmp_path / "typo.db")],
        ["findings", "list", "--db", str(not_a_db)],
        ["findings", "list", "--db", "postgresql://u:secret@[::1"],
        ["export", "--format", "csv", "--out", str(tmp_path / "x.csv"), "--db", db],
        ["export", "--format", "csv", "--out", "x.csv", "--db", db, "--since", "2026-13-01"],
        ["report", "--db", db, "--no-policy", "--date", "yesterday"],
        ["config", "show", "nosuch", "--db", db],
        ["config", "plan", "--inventory", str(tmp_path / "none.yaml")],
        ["matrix", "--db", db, "--policy", str(tmp_path / "none")],
        ["status", "--db", str(tmp_path / "typo.db")],
        ["verify", "--db", str(tmp_path / "typo.db")],
    ]
    for args in bad:
        code, out, err = run_main(args, capsys)
        shown = out + err
        assert code == 2, (args, shown)
        assert "Traceback" not in shown and 'File "' not in shown, (args, shown)
        assert "Error(" not in shown and "Record(" not in shown, (args, shown)
        assert "secret" not in shown
        assert 1 <= len(err.strip().splitlines()) <= 8, (args, err)


def test_an_unexpected_failure_is_two_lines_and_debug_shows_the_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A database stamped with a schema revision this version does not know cannot be migrated:
    not something the CLI foresees, so it reaches the top-level handler."""
    strange = tmp_path / "future.db"
    with sqlite3.connect(strange) as connection:
        connection.execute("create table alembic_version (version_num varchar(32) primary key)")
        connection.execute("insert into alembic_version values ('ffffffffffff')")
    connection.close()
    code, _, err = run_main(["findings", "list", "--db", str(strange)], capsys)
    assert code == 3, err
    lines = err.strip().splitlines()
    assert len(lines) == 2 and lines[0].startswith("Error: ")
    assert "--debug" in lines[1] and "Traceback" not in err
    with pytest.raises(Exception, match="ffffffffffff"):
        main(["--debug", "findings", "list", "--db", str(strange)])
    monkeypatch.setenv("AUDITOR_DEBUG", "1")
    with pytest.raises(Exception, match="ffffffffffff"):
        main(["findings", "list", "--db", str(strange)])

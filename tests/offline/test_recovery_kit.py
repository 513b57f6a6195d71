"""``auditor config export-all``: the recovery kit (plan 4-3-4), redacted and unredacted."""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
from contextlib import closing
from pathlib import Path

import pytest
from typer.testing import CliRunner

from auditor.cli.app import build_app
from auditor.lab.scenario import Scenario
from auditor.report.recovery import EXPORT_SUBJECT
from auditor.store.records import EventType
from auditor.store.repository import Store
from tests.collect.test_ssh_collector import planted_secrets

from .conftest import REPO, save_city

DEVICES = ("lg-core-sw1", "edu-rt1", "inet-fw1")
INVENTORY = REPO / "inventory" / "example-city" / "devices.yaml"


def _cli(args: list[str]) -> tuple[int, str]:
    result = CliRunner().invoke(build_app("en"), args)
    return result.exit_code, result.output


def _record(scenario: Scenario, folder: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    """A store holding one offline run of three devices; returns (database, saved files)."""
    monkeypatch.setenv("AUDITOR_REDACTION_SALT", "kit-test-salt")
    monkeypatch.setenv("AUDITOR_STATE_DIR", str(folder / "state"))
    saved = save_city(scenario, folder / "saved", DEVICES)
    database = folder / "auditor.db"
    code, output = _cli(
        [
            "audit-configs",
            str(saved),
            "--policy",
            str(REPO / "policies" / "example-city"),
            "-i",
            str(INVENTORY),
            "--db",
            str(database),
            "--fail-on",
            "never",
        ]
    )
    assert code == 0, output
    return database, saved


@pytest.fixture(scope="module")
def recorded_once(
    scenario: Scenario, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, Path]:
    with pytest.MonkeyPatch.context() as monkeypatch:
        return _record(scenario, tmp_path_factory.mktemp("kit-recorded"), monkeypatch)


@pytest.fixture
def recorded(
    recorded_once: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> tuple[Path, Path]:
    """The recorded store and saved files, copied for this test (the audit ran once per module)."""
    monkeypatch.setenv("AUDITOR_REDACTION_SALT", "kit-test-salt")
    monkeypatch.setenv("AUDITOR_STATE_DIR", str(tmp_path / "state"))
    database, saved = tmp_path / "auditor.db", tmp_path / "saved"
    shutil.copytree(recorded_once[1], saved)
    with (
        closing(sqlite3.connect(f"file:{recorded_once[0]}?mode=ro", uri=True)) as source,
        closing(sqlite3.connect(database)) as copy,
    ):
        source.backup(copy)
    return database, saved


def _export(database: Path, out: Path, *extra: str) -> tuple[int, str]:
    return _cli(
        [
            "config",
            "export-all",
            "--out",
            str(out),
            "--db",
            str(database),
            "-i",
            str(INVENTORY),
            *extra,
        ]
    )


def _sha256sum_ok(kit: Path) -> None:
    if shutil.which("sha256sum") is None:
        pytest.skip("sha256sum is not installed")
    checked = subprocess.run(
        ["sha256sum", "-c", "SHA256SUMS"], cwd=kit, capture_output=True, text=True, check=False
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr


def _export_events(database: Path) -> list[dict[str, object]]:
    from sqlalchemy import select

    from auditor.store.models import FindingEventRow

    with Store(f"sqlite:///{database}") as store:
        assert store.verify().ok
        with store._transaction(write=False) as session:
            rows = session.scalars(
                select(FindingEventRow).where(FindingEventRow.fingerprint == EXPORT_SUBJECT)
            )
            return [
                {"type": r.event_type, "actor": r.actor, "hash": r.hash, **r.payload} for r in rows
            ]


def test_redacted_kit_has_every_last_good_config_inventory_ledger_and_checks_with_sha256sum(
    recorded: tuple[Path, Path], scenario: Scenario, tmp_path: Path
) -> None:
    database, saved = recorded
    kit = tmp_path / "kit"
    code, output = _export(database, kit)
    assert code == 0, output
    _sha256sum_ok(kit)
    assert sorted(p.name for p in (kit / "configs").iterdir()) == sorted(
        f"{d}.cfg" for d in DEVICES
    )
    written = b"".join(p.read_bytes() for p in kit.rglob("*") if p.is_file())
    assert b"<redacted" in written
    for name in DEVICES:
        assert (saved / f"{name}.cfg").read_bytes() != (
            kit / "configs" / f"{name}.cfg"
        ).read_bytes()
        for secret in planted_secrets(scenario, name):
            assert secret.encode() not in written, (name, secret)
    inventory = (kit / "inventory" / "devices.yaml").read_text()
    assert "systemd: ssh-password" in inventory  # references survive; secrets were never there
    assert (kit / "ledger" / "ledger.csv").is_file()
    manifest = json.loads((kit / "manifest.json").read_text())
    assert manifest["redacted"] is True
    assert {d["device"] for d in manifest["devices"]} == set(DEVICES)
    assert all(
        d["origin"] == "store-redacted" and d["stored_config_hash"] for d in manifest["devices"]
    )
    assert "myn-core-sw1" in manifest["missing_devices"]  # in the inventory, never collected
    readme = (kit / "README.md").read_text()
    assert "復旧キット" in readme and "Recovery kit" in readme and "sha256sum -c" in readme
    events = _export_events(database)
    assert len(events) == 1
    assert events[0]["type"] == EventType.CONFIG_EXPORTED.value
    assert events[0]["unredacted"] is False and events[0]["source"] == "store"
    assert sorted(events[0]["devices"]) == sorted(DEVICES)  # type: ignore[call-overload]
    assert manifest["event"]["hash"] == events[0]["hash"]


def test_kit_takes_the_newest_config_of_a_run_whose_collection_did_not_fail(
    recorded: tuple[Path, Path], tmp_path: Path
) -> None:
    database, saved = recorded
    later = tmp_path / "later"
    later.mkdir()
    changed = (saved / "edu-rt1.cfg").read_text() + "\n! second revision\n"
    (later / "edu-rt1.cfg").write_text(changed)
    # Two files naming lg-core-sw1: the run reads one and records a collection failure.
    other = (saved / "lg-core-sw1.cfg").read_text() + "\n! incomplete run\n"
    (later / "lg-core-sw1.cfg").write_text(other)
    (later / "copy").mkdir()
    (later / "copy" / "lg-core-sw1.cfg").write_text(other)
    code, output = _cli(
        [
            "audit-configs",
            str(later),
            "--policy",
            str(REPO / "policies" / "example-city"),
            "-i",
            str(INVENTORY),
            "--db",
            str(database),
            "--fail-on",
            "never",
        ]
    )
    assert code in (0, 1), output
    with Store(f"sqlite:///{database}") as store:  # the failed run did store what it read
        newest = store.latest_snapshots(["lg-core-sw1"])["lg-core-sw1"]
        assert "! incomplete run" in (newest.config_redacted or "")
    kit = tmp_path / "kit"
    code, output = _export(database, kit, "--device", "edu-rt1", "--device", "lg-core-sw1")
    assert code == 0, output
    assert "! second revision" in (kit / "configs" / "edu-rt1.cfg").read_text()
    # The failed second reading of lg-core-sw1 is not known-good: the first run's config is.
    first = (kit / "configs" / "lg-core-sw1.cfg").read_text()
    assert "hostname lg-core-sw1" in first
    assert "! incomplete run" not in first
    _sha256sum_ok(kit)


def test_unredacted_kit_comes_from_original_files_and_is_recorded(
    recorded: tuple[Path, Path], scenario: Scenario, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    database, saved = recorded
    monkeypatch.setattr("os.geteuid", lambda: 0)
    monkeypatch.setenv("SUDO_USER", "somu-taro")
    kit = tmp_path / "kit"
    code, output = _export(
        database, kit, "--unredacted", "--from-files", str(saved), "--i-understand"
    )
    assert code == 0, output
    _sha256sum_ok(kit)
    for name in DEVICES:
        assert (kit / "configs" / f"{name}.cfg").read_bytes() == (
            saved / f"{name}.cfg"
        ).read_bytes()
    assert (kit / "configs").stat().st_mode & 0o077 == 0
    assert (kit / "configs" / "edu-rt1.cfg").stat().st_mode & 0o077 == 0
    manifest = json.loads((kit / "manifest.json").read_text())
    assert manifest["redacted"] is False
    assert all(d["matches_store"] is True for d in manifest["devices"]), manifest["devices"]
    assert "in the clear" in (kit / "README.md").read_text()
    events = _export_events(database)
    assert [(e["actor"], e["unredacted"]) for e in events] == [("somu-taro", True)]
    assert str(events[0]["source"]).startswith("files:")
    # The chain records the choice, never a secret.
    for secret in planted_secrets(scenario, "edu-rt1"):
        assert secret not in json.dumps(events, ensure_ascii=False)


@pytest.mark.parametrize(
    ("euid", "extra", "reason"),
    [
        (1000, ["--i-understand"], "root shell"),
        (0, [], "terminal"),
        (0, ["--i-understand", "--no-files"], "--from-files"),
    ],
)
def test_unredacted_is_refused_outside_a_knowing_root_shell(
    recorded: tuple[Path, Path],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    euid: int,
    extra: list[str],
    reason: str,
) -> None:
    database, saved = recorded
    monkeypatch.setattr("os.geteuid", lambda: euid)
    files = [] if "--no-files" in extra else ["--from-files", str(saved)]
    flags = [flag for flag in extra if flag != "--no-files"]
    kit = tmp_path / "kit"
    code, output = _export(database, kit, "--unredacted", *files, *flags)
    assert code == 2, output
    assert reason in output
    assert not kit.exists()
    assert _export_events(database) == []

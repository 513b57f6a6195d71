"""Offline inputs: real configurations, an Oxidized git repository, a RANCID tree, odd files."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from auditor.audit.inputs import Bundle
from auditor.audit.offline import audit_offline
from auditor.collect.files import SavedConfig, read_saved_configs
from auditor.lab.scenario import Scenario
from auditor.model.collection import FailureKind
from auditor.model.findings import Outcome
from auditor.model.snapshot import Source
from auditor.report.data import load_report_data
from auditor.report.service import run_export, write_report
from auditor.rules import Registry
from auditor.store import Store
from tests.collect.ssh_lab import ONE_PER_PLATFORM
from tests.collect.test_ssh_collector import planted_secrets
from tests.realdata import realdata_dir

from .conftest import SALT, save_city

IOS = (
    "hostname sw-enc\n!\nversion 15.2\ninterface GigabitEthernet0/1\n description 住民記録 端末\n"
    " switchport mode access\n switchport access vlan 10\n!\nline vty 0 4\n transport input telnet\n"
    "!\nend\n"
)


def _read(data: bytes, label: str = "sw.cfg") -> tuple[object, list[tuple[FailureKind, str]]]:
    result = read_saved_configs([SavedConfig(label=label, data=data)], salt=SALT)
    snapshot = next(iter(result.snapshots.values()), None)
    return snapshot, [(e.kind, e.detail or "") for e in result.errors]


@pytest.mark.realdata
def test_real_configurations_are_audited_into_findings(bundle: Bundle, registry: Registry) -> None:
    folder = realdata_dir() / "configs"
    outcome = audit_offline(bundle, registry, None, folder, salt=SALT)[-1]
    assert len(outcome.snapshots) >= 15
    assert all(s.sources == [Source.FILE] for s in outcome.snapshots.values())
    failing = [f for f in outcome.findings if f.outcome is Outcome.FAIL and f.device]
    assert {f.check_id[:3] for f in failing} >= {"HRD"}
    # Fragments the profiles cannot attribute are reported by name, never parsed by a guess.
    undecided = [f for f in outcome.findings if f.check_id == "COL-202"]
    assert all(f.subject.startswith("file:yamaha_rtx/") for f in undecided)


def test_encodings_bom_and_crlf_are_decoded_to_the_same_snapshot() -> None:
    plain, _ = _read(IOS.encode("utf-8"))
    for data in (
        IOS.encode("cp932"),
        IOS.encode("euc_jp"),
        b"\xef\xbb\xbf" + IOS.encode("utf-8"),
        IOS.replace("\n", "\r\n").encode("cp932"),
    ):
        snapshot, errors = _read(data)
        assert errors == [], errors
        assert snapshot is not None and plain is not None
        assert snapshot.interfaces == plain.interfaces  # type: ignore[attr-defined]
        assert "住民記録" in (snapshot.interfaces[0].alias or "")  # type: ignore[attr-defined]


def test_pagination_residue_and_session_echo_are_removed_and_reported() -> None:
    lines = IOS.split("\n")
    pasted = (
        "sw-enc#terminal length 0\nsw-enc#show running-config\nBuilding configuration...\n"
        + "\n".join(lines[:4])
        + "\n --More-- \x08\x08\x08\x08\x08\x08\x08\x08\x08\x08"
        + "\n".join(lines[4:8])
        + "\n --More-- \n"
        + "\n".join(lines[8:])
        + "\nsw-enc#\n"
    )
    snapshot, errors = _read(pasted.encode("utf-8"))
    clean, _ = _read(IOS.encode("utf-8"))
    assert snapshot is not None and clean is not None
    assert snapshot.interfaces == clean.interfaces  # type: ignore[attr-defined]
    assert snapshot.management.telnet_enabled is True  # type: ignore[attr-defined]
    [(kind, detail)] = errors
    assert kind is FailureKind.OFFLINE_CLEANED
    assert "2 pager prompt(s)" in detail and "2 echoed session line(s)" in detail
    assert "1 trailing prompt" in detail


def test_unknown_platform_is_a_finding_naming_the_file(
    bundle: Bundle, registry: Registry, tmp_path: Path
) -> None:
    (tmp_path / "notes.txt").write_text("hello\nthis is not a configuration\n")
    outcome = audit_offline(bundle, registry, None, tmp_path, salt=SALT)[-1]
    [finding] = [f for f in outcome.findings if f.check_id == "COL-202"]
    assert finding.subject == "file:notes.txt"
    assert "notes.txt" in finding.message_en and "notes.txt" in finding.message_ja
    assert outcome.snapshots == {}


def _git(repo: Path, *args: str, when: str | None = None) -> None:
    env = {
        "GIT_AUTHOR_NAME": "oxidized",
        "GIT_AUTHOR_EMAIL": "oxidized@example.invalid",
        "GIT_COMMITTER_NAME": "oxidized",
        "GIT_COMMITTER_EMAIL": "oxidized@example.invalid",
        "PATH": "/usr/bin:/bin",
    }
    if when:
        env["GIT_AUTHOR_DATE"] = env["GIT_COMMITTER_DATE"] = when
    subprocess.run(["git", "-C", str(repo), *args], check=True, env=env, capture_output=True)


@pytest.mark.realdata
def test_oxidized_git_history_gives_a_mon_001_change_with_its_diff(
    bundle: Bundle, registry: Registry, tmp_path: Path
) -> None:
    real = realdata_dir() / "configs" / "cisco_ios"
    repo = tmp_path / "oxidized"
    repo.mkdir()
    _git(repo, "init", "-q", "-b", "master")
    for name in ("batfish_as1core1.cfg", "batfish_as2dept1.cfg"):
        shutil.copy(real / name, repo / name.removesuffix(".cfg"))
    _git(repo, "add", "-A")
    _git(repo, "commit", "-qm", "first", when="2026-01-05T02:00:00+09:00")
    changed = repo / "batfish_as1core1"
    changed.write_text(changed.read_text() + "ip domain-name changed.example\n")
    _git(repo, "commit", "-qam", "second", when="2026-01-06T02:00:00+09:00")
    with Store("sqlite:///" + str(tmp_path / "a.db")) as store:
        store.upgrade()
        outcomes = audit_offline(bundle, registry, store, repo, salt=SALT)
        runs = store.list_runs(kind="offline")
    assert len(outcomes) == 2 and len(runs) == 2
    assert sorted(r.started_at.day for r in runs) == [4, 5]  # commit times (UTC)
    [change] = [
        f for f in outcomes[1].findings if f.check_id == "MON-001" and f.outcome is Outcome.FAIL
    ]
    assert change.device == "batfish_as1core1"
    assert "+ip domain-name changed.example" in change.evidence[0].detail


@pytest.mark.realdata
def test_rancid_tree_with_router_db(bundle: Bundle, registry: Registry, tmp_path: Path) -> None:
    real = realdata_dir() / "configs"
    group = tmp_path / "rancid" / "city"
    (group / "configs").mkdir(parents=True)
    (group / "router.db").write_text(
        "core1;cisco;up\nfw1;fortigate;up\nold1;cisco;down\nmissing1;cisco;up\n"
    )
    ios = (real / "cisco_ios" / "batfish_as1core1.cfg").read_text()
    header = "!RANCID-CONTENT-TYPE: cisco\n!\n!Chassis type: WS-C3750\n!Serial Number: FOC123\n!\n"
    (group / "configs" / "core1").write_text(header + ios)
    shutil.copy(real / "fortinet" / "oxidized_FortiGate-91G_7.4.7.txt", group / "configs" / "fw1")
    outcome = audit_offline(bundle, registry, None, tmp_path / "rancid", salt=SALT)[-1]
    assert set(outcome.snapshots) == {"core1", "fw1"}
    assert outcome.snapshots["fw1"].firewall_policies or outcome.snapshots["fw1"].interfaces
    [missing] = [f for f in outcome.findings if f.check_id == "COL-201"]
    assert "missing1" in missing.message_en
    cleaned = [f for f in outcome.findings if f.check_id == "COL-203" and f.device == "core1"]
    assert cleaned and "RANCID header" in cleaned[0].message_en
    assert "!Chassis type" not in (outcome.snapshots["core1"].config_redacted or "")


def test_no_secret_of_offline_input_reaches_the_store_reports_or_exports(
    scenario: Scenario, bundle: Bundle, registry: Registry, tmp_path: Path
) -> None:
    folder = save_city(scenario, tmp_path / "saved", ONE_PER_PLATFORM)
    database = tmp_path / "state" / "auditor.db"
    database.parent.mkdir()
    with Store(f"sqlite:///{database}") as store:
        store.upgrade()
        outcome = audit_offline(bundle, registry, store, folder, salt=SALT)[-1]
        assert set(outcome.snapshots) == set(ONE_PER_PLATFORM)
        data = load_report_data(store, policy=bundle.policy)
        write_report(data, tmp_path / "report.html")
        for fmt in ("json", "csv"):
            run_export(fmt, tmp_path / f"export.{fmt}", data)  # type: ignore[arg-type]
    stored = b"".join(
        path.read_bytes()
        for path in [
            *database.parent.glob("auditor.db*"),
            tmp_path / "report.html",
            tmp_path / "export.json",
            tmp_path / "export.csv",
        ]
    )
    assert b"<redacted:sha256:" in stored
    for name in ONE_PER_PLATFORM:
        secrets = planted_secrets(scenario, name)
        raw = (folder / f"{name}.cfg").read_bytes()
        assert any(s.encode() in raw or s.encode("cp932") in raw for s in secrets), name
        for secret in secrets:
            for encoding in ("utf-8", "utf-16-le"):
                assert secret.encode(encoding) not in stored, (name, secret)

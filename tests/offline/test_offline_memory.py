"""Issue 18: an offline audit keeps per file only what the run needs.

A git history is read one commit at a time (no commit's raw text is held before its run) and
only the last run's outcome keeps its snapshots.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from auditor.audit.inputs import Bundle
from auditor.audit.offline import audit_offline
from auditor.collect.files import SavedConfig, read_saved_configs
from auditor.collect.offline_sources import oxidized_history
from auditor.rules import Registry

from .conftest import SALT

IOS = (
    "hostname {name}\n!\nversion 15.2\ninterface GigabitEthernet0/1\n switchport mode access\n"
    " switchport access vlan 10\n!\nline vty 0 4\n transport input ssh\n!\nend\n"
)


def _git(repo: Path, *args: str) -> None:
    env = {
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.org",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.org",
        "HOME": str(repo),
        "PATH": "/usr/bin:/bin",
    }
    subprocess.run(["git", "-C", str(repo), *args], check=True, env=env, capture_output=True)


def _history(tmp_path: Path, commits: int) -> Path:
    repo = tmp_path / "oxidized"
    repo.mkdir()
    _git(repo, "init", "-q", "-b", "master")
    for index in range(commits):
        for name in ("sw-a", "sw-b"):
            (repo / name).write_text(
                IOS.format(name=name).replace("end\n", f"! rev {index}\nend\n")
            )
        _git(repo, "add", "-A")
        _git(repo, "commit", "-qm", f"c{index}")
    return repo


def test_a_git_history_holds_no_configuration_text_before_its_run(tmp_path: Path) -> None:
    repo = _history(tmp_path, 3)
    history = oxidized_history(repo)
    assert len(history) == 3
    configs = [c for point in history for c in point.configs]
    assert configs and all(c.data is None and c.load is not None for c in configs)
    first = history[0].configs[0]
    assert b"! rev 0\n" in first.read()


def test_only_the_last_outcome_keeps_its_snapshots(
    bundle: Bundle, registry: Registry, tmp_path: Path
) -> None:
    repo = _history(tmp_path, 3)
    outcomes = audit_offline(bundle, registry, None, repo, salt=SALT)
    assert len(outcomes) == 3
    assert [sorted(o.snapshots) for o in outcomes] == [[], [], ["sw-a", "sw-b"]]
    assert all(o.findings for o in outcomes)  # findings stay: the CLI reports them


def test_a_loaded_configuration_over_the_limit_is_refused(monkeypatch: object) -> None:
    import auditor.collect.files as files

    setattr(files, "MAX_CONFIG_BYTES", 10)  # noqa: B010 - restored below
    try:
        result = read_saved_configs(
            [SavedConfig(label="big@c0ffee", load=lambda: b"x" * 11, device="big")], salt=SALT
        )
    finally:
        setattr(files, "MAX_CONFIG_BYTES", 16 * 1024 * 1024)  # noqa: B010
    assert not result.snapshots
    assert "limit" in (result.errors[0].detail or "")


def test_inventory_lookup_by_name_follows_changes_to_the_device_list() -> None:
    """The name index that keeps a 10,000-device audit linear answers as a scan would."""
    from auditor.inventory.models import Device, Inventory

    inventory = Inventory(
        devices=[
            Device(name=f"sw{i}", address=f"192.0.2.{i}", platform="cisco_ios") for i in (1, 2)
        ]
    )
    assert inventory.device("sw2") is inventory.devices[1]
    assert inventory.device("sw9") is None
    inventory.devices.append(Device(name="sw9", address="192.0.2.9", platform="cisco_ios"))
    assert inventory.device("sw9") is inventory.devices[2]
    inventory.devices = [Device(name="rt1", address="192.0.2.20", platform="yamaha_rtx")]
    assert inventory.device("sw2") is None and inventory.device("rt1") is not None
    inventory.devices[0].name = "rt2"
    assert inventory.device("rt1") is None

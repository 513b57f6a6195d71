"""Where saved configurations come from: a plain folder, an Oxidized folder or git repository, a
RANCID tree. This module only finds files and reads git objects; parsing is the platforms' job.

An Oxidized git repository is also a config history: :func:`oxidized_history` returns one set of
configurations per commit, oldest first, with the commit time, so the offline audit can record
one run per commit and MON-001/MON-002 see the changes as they happened.
"""

from __future__ import annotations

import subprocess
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from pathlib import Path

from auditor.collect.files import SavedConfig
from auditor.collect.layouts import Layout as Layout

# RANCID device types → inventory platforms (types not listed are detected from the text).
RANCID_TYPES: Mapping[str, str] = {
    "cisco": "cisco_ios",
    "cisco-ios": "cisco_ios",
    "ios": "cisco_ios",
    "fortigate": "fortinet",
    "fortigate-full": "fortinet",
    "fortinet": "fortinet",
    "yamaha": "yamaha_rtx",
    "rtx": "yamaha_rtx",
    "alaxala": "alaxala_ax",
    "ax": "alaxala_ax",
    "nec": "nec_ix",
    "ix": "nec_ix",
    "awplus": "allied_telesis_awplus",
    "allied": "allied_telesis_awplus",
    "alliedtelesis": "allied_telesis_awplus",
}
SKIPPED_SUFFIXES = frozenset({".json", ".md", ".yaml", ".yml", ".csv", ".db", ".sqlite", ".pdf"})
GIT_TIMEOUT_SECONDS = 120


@dataclass(frozen=True)
class Snapshot:
    """The configurations of one point in time (one git commit, or now for a folder)."""

    configs: list[SavedConfig]
    at: datetime | None = None
    revision: str | None = None
    problems: tuple[tuple[str, str], ...] = ()
    """(label, detail) of input problems found while listing (RANCID entries without a file)."""


def detect_layout(root: Path) -> Layout:
    if (root / "router.db").is_file() or any(root.glob("*/router.db")):
        return Layout.RANCID
    if (root / ".git").exists() or ((root / "HEAD").is_file() and (root / "objects").is_dir()):
        return Layout.OXIDIZED_GIT
    return Layout.FOLDER


def folder(
    root: Path, names: Mapping[str, str] | None = None, platforms: Mapping[str, str] | None = None
) -> Snapshot:
    """Every file under ``root`` (an Oxidized output folder is one too: one file per node).

    ``names`` maps a file stem to an inventory device (the inventory's device names by default
    match stems); without a match, the configuration's hostname names the device.
    """
    names = names or {}
    platforms = platforms or {}
    configs = []
    for path in sorted(root.rglob("*")):
        if not path.is_file() or not _is_config_file_name(str(path.relative_to(root))):
            continue
        label = str(path.relative_to(root))
        device = names.get(path.name) or names.get(path.stem)
        configs.append(
            SavedConfig(
                label=label,
                path=path,
                device=device,
                platform=platforms.get(device) if device else None,
            )
        )
    return Snapshot(configs=configs)


def rancid(root: Path) -> Snapshot:
    """Every ``router.db`` group: ``name;type;status`` (``:`` in RANCID 2), ``configs/NAME``."""
    databases = [root / "router.db"] if (root / "router.db").is_file() else []
    databases += sorted(root.glob("*/router.db"))
    configs: list[SavedConfig] = []
    problems: list[tuple[str, str]] = []
    for database in databases:
        group = database.parent
        for number, line in enumerate(database.read_text(errors="replace").splitlines(), 1):
            entry = line.strip()
            if not entry or entry.startswith("#"):
                continue
            fields = entry.split(";") if ";" in entry else entry.split(":")
            label = f"{database.relative_to(root)}:{number}"
            if len(fields) < 3:
                problems.append((label, "expected name;type;status"))
                continue
            name, kind, status = (field.strip() for field in fields[:3])
            if status.lower() != "up":
                continue  # RANCID itself does not collect devices that are not "up"
            path = group / "configs" / name
            if not path.is_file():
                problems.append((label, f"{name} is listed as up but configs/{name} is missing"))
                continue
            configs.append(
                SavedConfig(
                    label=str(path.relative_to(root)),
                    path=path,
                    device=name.split(".")[0],
                    platform=RANCID_TYPES.get(kind.lower()),
                    rancid=True,
                )
            )
    return Snapshot(configs=configs, problems=tuple(problems))


def _git(root: Path, *args: str) -> bytes:
    return subprocess.run(
        ["git", "-C", str(root), *args],
        check=True,
        capture_output=True,
        timeout=GIT_TIMEOUT_SECONDS,
    ).stdout


def oxidized_history(root: Path, *, latest_only: bool = False) -> list[Snapshot]:
    """One :class:`Snapshot` per commit of the current branch, oldest first.

    Oxidized commits each changed node on its own; every commit's tree still holds all nodes, so
    each snapshot is the whole network as of that commit. File names are node names (inside
    group folders when Oxidized uses groups).
    """
    log = _git(root, "log", "--reverse", "--format=%H %ct", "HEAD").decode().split("\n")
    commits = [line.split() for line in log if line.strip()]
    if latest_only:
        commits = commits[-1:]
    history: list[Snapshot] = []
    for revision, timestamp in commits:
        listing = _git(root, "ls-tree", "-r", "-z", "--name-only", revision).decode()
        configs: list[SavedConfig] = []
        at = datetime.fromtimestamp(int(timestamp), UTC)
        for name in sorted(entry for entry in listing.split("\0") if entry):
            if not _is_config_file_name(name):
                continue
            configs.append(
                SavedConfig(
                    label=f"{name}@{revision[:12]}",
                    load=partial(_git, root, "show", f"{revision}:{name}"),
                    device=Path(name).name,
                    collected_at=at,
                )
            )
        history.append(Snapshot(configs=configs, at=at, revision=revision))
    return history


def _is_config_file_name(name: str) -> bool:
    path = Path(name)
    return (
        not any(part.startswith(".") for part in path.parts)
        and path.suffix.lower() not in SKIPPED_SUFFIXES
        and not path.name.upper().startswith(("README", "LICENSE", "NOTICE"))
    )

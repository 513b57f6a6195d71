"""Policy, inventory and secrets of the running lab, as files a daemon under test can read."""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

from auditor.lab.runner import LabState

REPO = Path(__file__).resolve().parents[2]
EXAMPLE_POLICY = REPO / "policies" / "example-city"
EXAMPLE_LEDGER = REPO / "inventory" / "example-city" / "ledger.csv"


def lab_devices(lab: LabState) -> list[dict[str, Any]]:
    data = YAML(typ="safe").load(Path(lab.inventory_file).read_text(encoding="utf-8"))
    devices: list[dict[str, Any]] = data["devices"]
    return devices


def write_inventory(path: Path, devices: list[dict[str, Any]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    yaml = YAML(typ="safe")
    yaml.default_flow_style = False
    with path.open("w", encoding="utf-8") as handle:
        yaml.dump({"devices": devices}, handle)
    return path


def snmp_only(device: dict[str, Any], **snmp: Any) -> dict[str, Any]:
    """A copy of a lab device without SSH, with SNMP settings overridden."""
    copy = {key: value for key, value in device.items() if key != "ssh"}
    copy["snmp"] = {**device["snmp"], **snmp}
    return copy


def copy_policy(target: Path) -> Path:
    shutil.copytree(EXAMPLE_POLICY, target)
    return target / "policy.yaml"


def edit_policy(policy_file: Path, edit: Callable[[str], str]) -> None:
    policy_file.write_text(edit(policy_file.read_text(encoding="utf-8")), encoding="utf-8")


def lab_secrets(lab: LabState) -> list[str]:
    """Every community, key and password the lab handed out (from its secrets folder)."""
    folder = Path(lab.state_dir) / "secrets"
    return sorted({p.read_text(encoding="utf-8").strip() for p in folder.iterdir()})


def leaked_secrets(text: str, secrets: list[str]) -> list[str]:
    """Secrets that appear in ``text`` as a token of their own (``public`` inside
    ``public-wifi`` is a zone name, not the community)."""
    leaked = []
    for secret in secrets:
        if re.search(rf"(?<![\w-]){re.escape(secret)}(?![\w-])", text):
            leaked.append(f"<{len(secret)} characters>")
    return leaked


def pid_of(lab: LabState, role: str) -> int:
    return next(process.pid for process in lab.processes if process.role == role)

"""Load everything a run needs (policy, inventory, ledger) in one place, for the CLI and daemon."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from auditor.audit.defaults import DEFAULT_INVENTORY as DEFAULT_INVENTORY
from auditor.audit.defaults import DEFAULT_POLICY as DEFAULT_POLICY
from auditor.inventory.ledger import load_ledger
from auditor.inventory.loader import InventoryError, load_inventory, validate_against_policy
from auditor.inventory.models import AssetLedger, Inventory
from auditor.policy.issues import ConfigFileError
from auditor.policy.loader import PolicyError, PolicyIssue, load_policy
from auditor.policy.models import Policy
from auditor.rules import Registry


class ConfigError(Exception):
    """Invalid policy, inventory or ledger; carries every issue found (``file:line: field``)."""

    def __init__(self, issues: list[PolicyIssue]) -> None:
        self.issues = issues
        super().__init__("\n".join(str(issue) for issue in issues))


@dataclass
class Bundle:
    policy: Policy
    inventory: Inventory
    ledger: AssetLedger
    policy_hash: str
    warnings: list[PolicyIssue] = field(default_factory=list)
    policy_path: Path | None = None
    inventory_path: Path | None = None


def find_ledger(inventory_path: Path) -> Path | None:
    """The ledger shipped beside the inventory (``ledger.csv`` or ``ledger.xlsx``), if any."""
    folder = inventory_path if inventory_path.is_dir() else inventory_path.parent
    for name in ("ledger.xlsx", "ledger.csv"):
        candidate = folder / name
        if candidate.exists():
            return candidate
    return None


def load_bundle(
    policy_path: Path,
    inventory_path: Path,
    ledger_path: Path | None,
    registry: Registry,
) -> Bundle:
    """Load and cross-validate; raise :class:`ConfigError` with every issue at once."""
    issues: list[PolicyIssue] = []
    try:
        loaded = load_policy(
            policy_path,
            known_check_ids=registry.ids(),
            parameter_models=registry.parameter_models(),
        )
    except PolicyError as exc:
        issues.extend(exc.issues)
        loaded = None
    try:
        inventory = load_inventory(inventory_path)
    except InventoryError as exc:
        issues.extend(exc.issues)
        inventory = None
    if loaded is None or inventory is None:
        raise ConfigError(issues)
    cross = validate_against_policy(inventory, loaded.policy)
    errors = [issue for issue in cross if issue.severity == "error"]
    if errors:
        raise ConfigError(errors)
    ledger_file = ledger_path or find_ledger(inventory_path)
    try:
        ledger = (
            load_ledger(ledger_file, loaded.policy) if ledger_file is not None else AssetLedger()
        )
    except ConfigFileError as exc:  # the ledger as a whole is unreadable (rows are reported)
        raise ConfigError(exc.issues) from exc
    return Bundle(
        policy=loaded.policy,
        inventory=inventory,
        ledger=ledger,
        policy_hash=loaded.sha256,
        warnings=[
            *loaded.warnings,
            *(i for i in cross if i.severity != "error"),
            *(
                PolicyIssue(w.source, w.row_number, "", w.message, "warning")
                for w in ledger.warnings
            ),
        ],
        policy_path=policy_path,
        inventory_path=inventory_path,
    )


def default_state_dir() -> Path:
    """systemd's ``$STATE_DIRECTORY``, ``$AUDITOR_STATE_DIR``, else ``/var/lib/auditor``."""
    for name in ("AUDITOR_STATE_DIR", "STATE_DIRECTORY"):
        value = os.environ.get(name)
        if value:
            return Path(value.split(":")[0])
    return Path("/var/lib/auditor")

"""The example city's policy with a test's own devices, as the dispatcher's input bundle."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from auditor.audit.inputs import Bundle
from auditor.inventory.models import AssetLedger, Device, Inventory
from auditor.policy.loader import load_policy
from auditor.rules import discover

REPO = Path(__file__).resolve().parents[2]


def example_city_bundle(devices: Sequence[Device]) -> Bundle:
    """The shipped example-city policy (validated like the CLI does) and ``devices``, no ledger."""
    registry = discover()
    loaded = load_policy(
        REPO / "policies" / "example-city",
        known_check_ids=registry.ids(),
        parameter_models=registry.parameter_models(),
    )
    return Bundle(
        policy=loaded.policy,
        inventory=Inventory(devices=list(devices)),
        ledger=AssetLedger(),
        policy_hash=loaded.sha256,
    )

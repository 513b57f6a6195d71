"""Inputs of the offline tests: the example city's rendered configurations saved as files."""

from __future__ import annotations

from pathlib import Path

import pytest

from auditor.audit.inputs import Bundle
from auditor.inventory.ledger import load_ledger
from auditor.inventory.models import Device, Inventory
from auditor.lab.cli_render import render
from auditor.lab.scenario import Scenario
from auditor.platforms.registry import profile_for
from auditor.policy.loader import load_policy
from auditor.rules import Registry, discover
from tests.builders import example_city

REPO = Path(__file__).resolve().parents[2]
SALT = b"offline-test"


@pytest.fixture(scope="session")
def scenario() -> Scenario:
    return example_city()


@pytest.fixture(scope="session")
def registry() -> Registry:
    return discover()


@pytest.fixture(scope="session")
def bundle(scenario: Scenario, registry: Registry) -> Bundle:
    loaded = load_policy(
        REPO / "policies" / "example-city",
        known_check_ids=registry.ids(),
        parameter_models=registry.parameter_models(),
    )
    inventory = Inventory(
        devices=[
            Device(
                name=d.name,
                address=d.address,
                platform=d.platform,
                zones=d.zones,
                site=d.site,
                role=d.role,
            )
            for d in scenario.devices
        ]
    )
    ledger = load_ledger(REPO / "inventory" / "example-city" / "ledger.csv", loaded.policy)
    return Bundle(
        policy=loaded.policy, inventory=inventory, ledger=ledger, policy_hash=loaded.sha256
    )


def save_city(scenario: Scenario, folder: Path, names: tuple[str, ...] | None = None) -> Path:
    """Every device with a CLI, its running configuration as the renderer prints it."""
    folder.mkdir(parents=True, exist_ok=True)
    for device in scenario.devices:
        if names is not None and device.name not in names:
            continue
        profile = profile_for(device.platform)
        if profile is None:
            continue
        text = render(device, scenario)[profile.config_command]
        data = text if isinstance(text, bytes) else text.encode("utf-8")
        (folder / f"{device.name}.cfg").write_bytes(data)
    return folder


@pytest.fixture
def city_dir(scenario: Scenario, tmp_path: Path) -> Path:
    return save_city(scenario, tmp_path / "city")

"""The example city audited without the network: the lab scenario's expected snapshots, the real
policy, the real checks, recorded in a real store through the audit service. Its report is what ``auditor demo`` would show
if every collector were perfect."""

from __future__ import annotations

import functools
from datetime import UTC, datetime, timedelta
from pathlib import Path

from auditor.audit.inputs import Bundle
from auditor.audit.service import RunRequest, run
from auditor.inventory.models import AssetLedger, Device, Inventory
from auditor.lab.scenario import Scenario, expected_snapshot
from auditor.policy.loader import load_policy
from auditor.policy.models import Policy
from auditor.rules import discover
from auditor.store import Store
from tests.builders import example_city
from tests.storefiles import prepared_copy

REPO = Path(__file__).resolve().parents[2]
POLICY_DIR = REPO / "policies" / "example-city"


@functools.cache
def _scenario() -> Scenario:
    """The lab scenario, parsed once per test process (its YAML takes a fifth of a second of CPU
    and every caller here only reads it; ``Scenario`` builds its lookup tables once anyway)."""
    return example_city()


def example_inventory() -> Inventory:
    scenario = _scenario()
    return Inventory(
        devices=[
            Device(
                name=device.name,
                address="127.0.0.1",
                platform=device.platform,
                zones=list(device.zones),
                site=device.site,
                role=device.role,
                asset_id=device.asset_id,
            )
            for device in scenario.devices
        ]
    )


def audit_example_city(store: Store, now: datetime | None = None) -> tuple[Policy, Inventory]:
    """Two nightly runs (yesterday and today) of every check over the expected snapshots."""
    now = now or datetime.now(UTC)
    policy = load_policy(POLICY_DIR).policy
    inventory = example_inventory()
    scenario = _scenario()
    registry = discover()
    bundle = Bundle(policy=policy, inventory=inventory, ledger=AssetLedger(), policy_hash="")
    for at in (now - timedelta(days=1), now):
        snapshots = {d.name: expected_snapshot(scenario, d.name, at) for d in scenario.devices}
        request = RunRequest(scope="full", devices=inventory.devices, snapshots=snapshots, now=at)
        run(bundle, registry, store, request)  # the audit service, so the matrix is stored too
    return policy, inventory


def audited_example_city_at(path: Path, now: datetime) -> tuple[Policy, Inventory]:
    """A SQLite store at ``path`` holding :func:`audit_example_city` at ``now`` (recorded once per
    process and time, then copied), and private copies of the policy and inventory it used."""
    policy, inventory = prepared_copy(
        ("example-city-audited", now), lambda store: audit_example_city(store, now), path
    )
    return policy.model_copy(deep=True), inventory.model_copy(deep=True)


TWO_CITIES_NOW = datetime.now(UTC).replace(microsecond=0)
"""When the second of :func:`two_cities_at`'s cities was audited (the first: two hours before)."""


def two_cities_at(path: Path, first: str, second: str) -> None:
    """A SQLite store at ``path`` holding the example city audited as tenant ``first`` two hours
    before :data:`TWO_CITIES_NOW` and as tenant ``second`` at it (recorded once per process,
    copied per caller: the multi-city CLI and the prefecture console read the same two cities)."""

    def build(store: Store) -> None:
        for tenant, at in ((first, TWO_CITIES_NOW - timedelta(hours=2)), (second, TWO_CITIES_NOW)):
            with store.for_tenant(tenant) as city:
                audit_example_city(city, at)

    prepared_copy(("two-cities", first, second), build, path)

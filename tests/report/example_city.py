"""The example city audited without the network: the lab scenario's expected snapshots, the real
policy, the real checks, recorded in a real store. Its report is what ``auditor demo`` would show
if every collector were perfect."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from auditor.audit.engine import build_context, evaluate
from auditor.inventory.models import AssetLedger, Device, Inventory
from auditor.lab.scenario import expected_snapshot, load_example_city
from auditor.policy.loader import load_policy
from auditor.policy.models import Policy
from auditor.rules import discover
from auditor.store import Store

REPO = Path(__file__).resolve().parents[2]
POLICY_DIR = REPO / "policies" / "example-city"


def example_inventory() -> Inventory:
    scenario = load_example_city()
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
    scenario = load_example_city()
    registry = discover()
    for at in (now - timedelta(days=1), now):
        snapshots = {d.name: expected_snapshot(scenario, d.name, at) for d in scenario.devices}
        context = build_context(
            policy=policy,
            inventory=inventory,
            ledger=AssetLedger(),
            snapshots=snapshots,
            errors=[],
            registry=registry,
            now=at,
        )
        evaluation = evaluate(registry, context)
        run_id = store.begin_run(
            "audit", "full", sorted(snapshots), "example", registry.pack_hash(), None, at
        )
        store.record_run(
            run_id,
            snapshots=snapshots,
            findings=evaluation.findings,
            covered_devices=set(snapshots),
            evaluated_checks=evaluation.evaluated_checks,
            policy=policy,
            now=at,
            complete=True,
        )
    return policy, inventory

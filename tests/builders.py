"""Small builders for check tests: a policy, an inventory and a context without any I/O; and the
example city's lab scenario, read once per process."""

from __future__ import annotations

import functools
from datetime import UTC, datetime
from typing import Any

from auditor.inventory.models import AssetLedger, Inventory, LedgerRow
from auditor.lab.scenario import Scenario, load_example_city
from auditor.policy.models import Policy
from auditor.rules import AuditContext, discover

AUDIT_TIME = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)


def policy(**overrides: Any) -> Policy:
    data: dict[str, Any] = {
        "zones": [
            {
                "id": "mynumber",
                "kind": "mynumber",
                "name_ja": "マイナンバー利用事務系",
                "name_en": "My Number",
                "protected": True,
                "vlans": ["10-19"],
                "subnets": ["10.10.0.0/16"],
            },
            {
                "id": "lgwan",
                "kind": "lgwan",
                "name_ja": "LGWAN接続系",
                "name_en": "LGWAN",
                "protected": True,
                "vlans": ["20-29"],
                "subnets": ["10.20.0.0/16"],
            },
            {
                "id": "internet",
                "kind": "internet",
                "name_ja": "インターネット接続系",
                "name_en": "Internet",
                "vlans": ["30-39"],
                "subnets": ["10.30.0.0/16"],
            },
        ]
    }
    data.update(overrides)
    return Policy.model_validate(data)


def ledger_row(row_number: int, **fields: Any) -> LedgerRow:
    defaults: dict[str, Any] = {
        "asset_id": f"A-{row_number:04d}",
        "kind": "スイッチ",
        "location": "本庁舎 3F サーバ室",
        "owner_department": "情報政策課",
        "confidentiality": "2",
    }
    defaults.update(fields)
    return LedgerRow(row_number=row_number, **defaults)


def context(
    *,
    policy_obj: Policy | None = None,
    ledger: AssetLedger | None = None,
    inventory: Inventory | None = None,
    now: datetime = AUDIT_TIME,
) -> AuditContext:
    return AuditContext(
        policy=policy_obj or policy(),
        inventory=inventory or Inventory(),
        now=now,
        ledger=ledger or AssetLedger(source="ledger.csv"),
        known_check_ids=_known_check_ids(),
    )


@functools.cache
def _known_check_ids() -> frozenset[str]:
    """The installed checks' ids, discovered once per process (each discovery walks the
    entry points and the check packages again: 5 ms, and hundreds of tests build a context)."""
    return discover().ids()


@functools.cache
def _example_city() -> Scenario:
    return load_example_city()


def example_city() -> Scenario:
    """The shipped example-city scenario, a private copy for each caller.

    Parsing its YAML takes 0.2 s of CPU and dozens of test modules need it; a deep copy of the
    scenario read once per process takes 5 ms, and no test can change another test's city.
    """
    return _example_city().model_copy(deep=True)

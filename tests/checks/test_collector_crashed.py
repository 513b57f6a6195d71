"""No collection failure is ever dropped: crashes and unknown ids become COL-000 findings."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from auditor.audit.engine import collect, evaluate
from auditor.collect.base import CollectionError, CollectionResult, ProgressCallback
from auditor.inventory.models import Device
from auditor.model.findings import Outcome
from auditor.rules import discover
from auditor_checks.collection.collector_crashed import CollectorCrashed
from tests import builders

DEVICE = Device(name="sw1", address="127.0.0.1", platform="cisco_ios", snmp={})


class Exploding:
    """A collector that raises, standing in for a bug in a real collector."""

    name = "snmp"

    def collect(
        self,
        devices: Sequence[Device],
        resolve_secret: Any,
        progress: ProgressCallback | None = None,
    ) -> CollectionResult:
        raise KeyError("boom")


def test_a_crashing_collector_gives_every_device_a_col_000_error() -> None:
    result = collect([Exploding()], [DEVICE], lambda ref: "")
    context = builders.context()
    context.collection_errors = result.errors
    findings = [f for f in evaluate(discover(), context).findings if f.check_id == "COL-000"]
    assert [(f.device, f.subject, f.outcome) for f in findings] == [
        ("sw1", "collector:snmp", Outcome.ERROR)
    ]


def test_a_failure_with_an_unknown_check_id_is_still_reported() -> None:
    context = builders.context()
    context.collection_errors = [
        CollectionError(device="sw1", check_id="COL-999", message_en="odd", message_ja="不明")
    ]
    findings = list(CollectorCrashed().evaluate(context))
    assert [(f.device, f.subject) for f in findings] == [("sw1", "COL-999:collection")]


def test_known_failures_are_left_to_their_own_checks() -> None:
    context = builders.context()
    context.collection_errors = [
        CollectionError(
            device="sw1", check_id="COL-001", message_en="timeout", message_ja="応答なし"
        )
    ]
    assert list(CollectorCrashed().evaluate(context)) == []

"""No collection failure is ever dropped: crashes and unmapped kinds become COL-000 findings."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest

from auditor.audit.engine import collect, evaluate
from auditor.collect.base import CollectionResult, ProgressCallback
from auditor.inventory.models import Device
from auditor.model.collection import CollectionFailure, FailureKind
from auditor.model.findings import Outcome
from auditor.rules import discover
from auditor_checks.collection import kinds
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
    assert [(f.message_en, f.message_ja) for f in findings] == [
        ("The snmp collector crashed: KeyError", "snmp 収集処理が異常終了しました: KeyError")
    ]


def test_a_failure_kind_no_check_maps_is_still_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delitem(kinds.CHECK_IDS, FailureKind.RUNAWAY)
    context = builders.context()
    context.collection_errors = [
        CollectionFailure(device="sw1", kind=FailureKind.RUNAWAY, subject="table:ifTable")
    ]
    findings = list(CollectorCrashed().evaluate(context))
    assert [(f.device, f.subject, f.outcome) for f in findings] == [
        ("sw1", "runaway:table:ifTable", Outcome.ERROR)
    ]


def test_a_failure_whose_check_is_not_registered_is_still_reported() -> None:
    context = builders.context()
    context.known_check_ids = frozenset({"COL-000"})
    context.collection_errors = [CollectionFailure(device="sw1", kind=FailureKind.TIMEOUT)]
    findings = list(CollectorCrashed().evaluate(context))
    assert [(f.device, f.subject) for f in findings] == [("sw1", "COL-001:collection")]


def test_known_failures_are_left_to_their_own_checks() -> None:
    context = builders.context()
    context.collection_errors = [CollectionFailure(device="sw1", kind=FailureKind.TIMEOUT)]
    assert list(CollectorCrashed().evaluate(context)) == []

"""Every failure kind a collector can report has a COL- check and ja/en wording."""

from __future__ import annotations

from auditor.model.collection import CollectionFailure, FailureKind
from auditor.rules import discover
from auditor_checks.collection import kinds
from tests import builders


def test_every_failure_kind_maps_to_a_registered_collection_check() -> None:
    registry = discover()
    for kind in FailureKind:
        check_id = kinds.CHECK_IDS.get(kind)
        assert check_id is not None, f"{kind} has no COL- check"
        check = registry.get(check_id)
        assert check is not None and check.scope == "collection", (kind, check_id)


def test_every_failure_kind_has_its_own_wording_in_both_languages() -> None:
    failures = [CollectionFailure("sw1", kind, detail="detail") for kind in FailureKind]
    for failure in failures:
        english, japanese = kinds.describe(failure)
        assert "collection failed (" not in english, f"{failure.kind} uses the generic wording"
        assert english and japanese and english != japanese


def test_each_kind_becomes_exactly_one_error_finding_of_its_check() -> None:
    context = builders.context()
    context.collection_errors = [
        CollectionFailure(f"dev-{kind}", kind, subject="x") for kind in FailureKind
    ]
    registry = discover()
    found = {
        (finding.device, finding.check_id)
        for check in registry
        if check.scope == "collection"
        for finding in check().evaluate(context)
    }
    assert found == {(f"dev-{kind}", kinds.CHECK_IDS[kind]) for kind in FailureKind}

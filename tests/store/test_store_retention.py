"""Retention drops old bulk data but keeps findings, events, newest snapshots and cited evidence."""

from __future__ import annotations

import hashlib

import pytest

from auditor.model.findings import EvidenceRef, Outcome
from auditor.store import EvidenceNotFound, Store
from tests.store.helpers import day, finding, run_once, snapshot

CITED = b"interface Gi0/1\n switchport access vlan 10\n"
UNCITED = b"show version\nIOS 15.2\n"


def test_prune_keeps_the_audit_trail_and_what_is_still_needed(store: Store) -> None:
    cited = finding().model_copy(
        update={
            "evidence": [
                EvidenceRef(
                    source="ssh",
                    detail="show running-config",
                    blob_sha256=hashlib.sha256(CITED).hexdigest(),
                )
            ]
        }
    )
    devices = ["core-sw1", "edge-sw3", "sw2"]
    run_once(
        store,
        [cited],
        at=day(0),
        devices=devices,
        snapshots={
            "core-sw1": snapshot("core-sw1", at=day(0)),
            "edge-sw3": snapshot("edge-sw3", at=day(0)),
        },
        evidence={"core-sw1": [("show running-config", CITED), ("show version", UNCITED)]},
    )
    unreachable = finding("COL-001", device="sw2", subject="collection", outcome=Outcome.ERROR)
    run_once(
        store,
        [cited, unreachable],
        at=day(1),
        devices=devices,
        covered=["core-sw1"],
        snapshots={"core-sw1": snapshot("core-sw1", at=day(1))},
    )
    run_once(
        store,
        [cited],
        at=day(5),
        devices=["core-sw1"],
        snapshots={"core-sw1": snapshot("core-sw1", at=day(5))},
    )

    removed = store.prune(before=day(3))

    assert removed == 2 + 2 + 1 + 1  # snapshots, evidence links, one blob, one collection error
    latest = store.latest_snapshots()
    assert {name: s.collected_at for name, s in latest.items()} == {
        "core-sw1": day(5),
        "edge-sw3": day(0),
    }
    assert latest["core-sw1"].system.descr == "IOS 15.2"
    assert [s.collected_at for s in store.snapshot_history("core-sw1")] == [day(5)]
    assert store.evidence_blob(hashlib.sha256(CITED).hexdigest()) == CITED
    with pytest.raises(EvidenceNotFound):
        store.evidence_blob(hashlib.sha256(UNCITED).hexdigest())
    assert store.collection_failures("sw2") == []
    assert len(store.list_findings()) == 2
    assert store.verify().ok
    assert store.prune(before=day(3)) == 0

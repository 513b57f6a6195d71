"""Snapshots are stored when their content changes; evidence is content-addressed."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from auditor.store import EvidenceNotFound, Store
from tests.store.helpers import day, run_once, snapshot


def _snapshot_rows(store: Store) -> list[tuple[bool, bool]]:
    with store.engine.connect() as connection:
        rows = connection.execute(
            text("SELECT changed, data IS NOT NULL FROM snapshots ORDER BY id")
        ).all()
    return [(bool(changed), bool(has_data)) for changed, has_data in rows]


def test_a_snapshot_is_written_only_when_its_content_changed(store: Store) -> None:
    first = run_once(store, [], at=day(0), snapshots={"core-sw1": snapshot("core-sw1", at=day(0))})
    same = run_once(store, [], at=day(1), snapshots={"core-sw1": snapshot("core-sw1", at=day(1))})
    upgraded = snapshot("core-sw1", at=day(2), descr="IOS 15.9")
    changed = run_once(store, [], at=day(2), snapshots={"core-sw1": upgraded})
    assert (first.snapshots_written, first.snapshots_unchanged) == (1, 0)
    assert (same.snapshots_written, same.snapshots_unchanged) == (0, 1)
    assert (changed.snapshots_written, changed.snapshots_unchanged) == (1, 0)
    assert _snapshot_rows(store) == [(True, True), (False, False), (True, True)]


def test_latest_snapshots_and_history_rebuild_unchanged_sightings(store: Store) -> None:
    run_once(store, [], at=day(0), snapshots={"core-sw1": snapshot("core-sw1", at=day(0))})
    run_once(store, [], at=day(1), snapshots={"core-sw1": snapshot("core-sw1", at=day(1))})
    devices = ["core-sw1", "edge-rt1"]
    run_once(
        store,
        [],
        at=day(2),
        devices=devices,
        snapshots={"edge-rt1": snapshot("edge-rt1", at=day(2), descr="RTX1300")},
    )
    latest = store.latest_snapshots()
    assert set(latest) == {"core-sw1", "edge-rt1"}
    assert latest["core-sw1"].collected_at == day(1)
    assert latest["core-sw1"].system.descr == "IOS 15.2"
    assert latest["core-sw1"].interfaces[0].access_vlan == 10
    assert set(store.latest_snapshots(["edge-rt1"])) == {"edge-rt1"}
    history = store.snapshot_history("core-sw1")
    assert [item.collected_at for item in history] == [day(0), day(1)]
    assert [item.collected_at for item in store.snapshot_history("core-sw1", since=day(1))] == [
        day(1)
    ]


def test_a_poll_that_only_moved_the_clocks_is_unchanged_but_keeps_its_own_clocks(
    store: Store,
) -> None:
    def polled(at_day: int, uptime: float, since_change: float) -> object:
        base = snapshot("core-sw1", at=day(at_day))
        interfaces = [
            i.model_copy(update={"last_change_seconds": since_change}) for i in base.interfaces
        ]
        system = base.system.model_copy(update={"uptime_seconds": uptime})
        return base.model_copy(update={"system": system, "interfaces": interfaces})

    run_once(store, [], at=day(0), snapshots={"core-sw1": polled(0, 1_000.0, 500.0)})
    later = run_once(store, [], at=day(1), snapshots={"core-sw1": polled(1, 87_400.0, 86_900.0)})
    assert (later.snapshots_written, later.snapshots_unchanged) == (0, 1)
    latest = store.latest_snapshots()["core-sw1"]
    assert latest.system.uptime_seconds == 87_400.0
    assert {i.last_change_seconds for i in latest.interfaces} == {86_900.0}
    first, second = store.snapshot_history("core-sw1")
    assert first.system.uptime_seconds == 1_000.0
    assert second.system.uptime_seconds == 87_400.0


def test_evidence_is_stored_once_per_content_and_linked_to_each_run(store: Store) -> None:
    config = b"hostname core-sw1\nsnmp-server community <redacted:sha256:0123456789ab> RO\n"
    first = run_once(store, [], at=day(0), evidence={"core-sw1": [("show running-config", config)]})
    second = run_once(
        store, [], at=day(1), evidence={"core-sw1": [("show running-config", config)]}
    )
    assert (first.evidence_blobs_stored, second.evidence_blobs_stored) == (1, 0)
    links = store.run_evidence(second.run_id)
    assert [(link.device, link.label, link.size) for link in links] == [
        ("core-sw1", "show running-config", len(config))
    ]
    assert links[0].media_type.startswith("text/plain")
    assert store.evidence_blob(links[0].sha256) == config
    with pytest.raises(EvidenceNotFound):
        store.evidence_blob("0" * 64)


def test_binary_evidence_keeps_its_bytes(store: Store) -> None:
    blob = bytes(range(256)) * 4
    summary = run_once(store, [], at=day(0), evidence={"": [("capture.pcap", blob)]})
    (link,) = store.run_evidence(summary.run_id)
    assert link.device is None
    assert store.evidence_blob(link.sha256) == blob

"""``chain_status()``: the head of an intact chain, re-hashing only events after the checkpoint.

Reports use it instead of the full ``verify()``; it must still call a broken chain broken, and
``verify()`` must still see tampering before the checkpoint.
"""

from __future__ import annotations

from sqlalchemy import text

from auditor.store import Store
from tests.store.helpers import day, finding, run_once


def _runs(store: Store, count: int = 3) -> list[object]:
    items = [finding(subject=f"port {n}") for n in range(3)]
    for index in range(count):
        run_once(store, items if index % 2 == 0 else items[:2], at=day(index))
    return items


def _edit_payload(store: Store, event_id: int) -> None:
    with store.engine.begin() as connection:
        cast = "CAST(:p AS json)" if connection.dialect.name == "postgresql" else ":p"
        connection.execute(
            text(f"UPDATE finding_events SET payload = {cast} WHERE id = :i"),
            {"p": '{"from": "open"}', "i": event_id},
        )


def test_the_first_walk_checks_every_event_and_later_ones_only_the_new(store: Store) -> None:
    _runs(store)
    full = store.verify()
    first = store.chain_status()
    assert first.intact and first.head_hash == full.head_hash
    assert first.head_event_id == full.events_checked
    # verify() left a checkpoint at the head: only that event is re-hashed now
    assert (first.events_checked, first.from_event_id) == (1, full.events_checked)

    run_once(store, [finding(subject="port 9")], at=day(5))
    after = store.chain_status()
    assert after.intact and after.head_hash == store.verify().head_hash
    assert after.from_event_id == full.events_checked
    assert after.events_checked == after.head_event_id - full.events_checked + 1 > 1


def test_without_a_checkpoint_the_walk_starts_at_the_first_event(store: Store) -> None:
    _runs(store)
    status = store.chain_status()
    assert status.intact and status.from_event_id == 0
    assert status.events_checked == status.head_event_id
    again = store.chain_status()
    assert (again.events_checked, again.from_event_id) == (1, status.head_event_id)


def test_an_edit_after_the_checkpoint_breaks_the_head(store: Store) -> None:
    _runs(store, 2)
    checkpoint = store.chain_status().head_event_id
    run_once(store, [finding(subject="port 9")], at=day(5))
    _edit_payload(store, checkpoint + 1)
    status = store.chain_status()
    assert not status.intact and status.head_hash is None
    assert status.reason is not None and str(checkpoint + 1) in status.reason


def test_an_edit_of_the_checkpoint_event_itself_breaks_the_head(store: Store) -> None:
    _runs(store)
    head = store.chain_status().head_event_id
    _edit_payload(store, head)
    assert store.chain_status().head_hash is None
    assert not store.verify().ok


def test_an_edit_before_the_checkpoint_is_still_found_by_verify(store: Store) -> None:
    """The checkpoint trusts what an earlier walk proved; ``verify`` trusts nothing."""
    _runs(store)
    store.chain_status()
    _edit_payload(store, 4)
    assert store.chain_status().intact  # the report's cheap check starts after event 4
    result = store.verify()
    assert not result.ok and result.first_broken_event_id == 4


def test_a_chain_rewritten_through_the_checkpoint_event_is_broken(store: Store) -> None:
    _runs(store)
    head = store.chain_status().head_event_id
    with store.engine.begin() as connection:
        connection.execute(
            text("UPDATE finding_events SET hash = :h WHERE id = :i"), {"h": "ab" * 32, "i": head}
        )
        connection.execute(text("UPDATE event_chain SET last_hash = :h"), {"h": "ab" * 32})
    status = store.chain_status()
    assert not status.intact and status.head_hash is None
    assert status.reason is not None and "checkpoint" in status.reason


def test_events_deleted_back_past_the_checkpoint_are_found(store: Store) -> None:
    _runs(store)
    head = store.chain_status().head_event_id
    with store.engine.begin() as connection:
        connection.execute(text("DELETE FROM finding_events WHERE id >= :i"), {"i": head - 1})
        connection.execute(text("UPDATE event_chain SET last_event_id = :i"), {"i": head - 2})
    status = store.chain_status()
    assert not status.intact and status.head_hash is None


def test_a_broken_chain_stays_broken_and_moves_no_checkpoint(store: Store) -> None:
    _runs(store, 2)
    _edit_payload(store, 2)
    assert store.chain_status().head_hash is None
    assert store.chain_status().from_event_id == 0  # no checkpoint was saved past the break

"""``verify()`` recomputes the event hash chain and names the first broken event."""

from __future__ import annotations

from sqlalchemy import text

from auditor.store import Store
from tests.store.helpers import day, finding, run_once


def _three_runs(store: Store) -> None:
    items = [finding(subject=f"port {n}") for n in range(3)]
    run_once(store, items, at=day(0))
    run_once(store, items[:2], at=day(1))
    run_once(store, items, at=day(2))
    store.ack(items[0].fingerprint, "sato", "確認済み", now=day(2))


def test_an_untouched_chain_verifies(store: Store) -> None:
    _three_runs(store)
    result = store.verify()
    assert result.ok
    # lifecycle events, one run_finished per run, the ack
    assert result.events_checked == 3 + 2 + 1 + 1 + 3 + 1
    assert result.first_broken_event_id is None
    assert result.head_hash is not None and len(result.head_hash) == 64


def test_an_empty_store_verifies(store: Store) -> None:
    result = store.verify()
    assert (result.ok, result.events_checked) == (True, 0)


def test_verify_detects_an_event_payload_edited_with_raw_sql(store: Store) -> None:
    _three_runs(store)
    with store.engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(
                text("UPDATE finding_events SET payload = CAST(:p AS json) WHERE id = 4"),
                {"p": '{"from": "open"}'},
            )
        else:
            connection.execute(
                text("UPDATE finding_events SET payload = :p WHERE id = 4"),
                {"p": '{"from": "open"}'},
            )
    result = store.verify()
    assert not result.ok
    assert result.first_broken_event_id == 4
    assert result.reason is not None and "hash" in result.reason


def test_verify_detects_a_deleted_event(store: Store) -> None:
    _three_runs(store)
    with store.engine.begin() as connection:
        connection.execute(text("DELETE FROM finding_events WHERE id = 5"))
    result = store.verify()
    assert not result.ok
    assert result.first_broken_event_id == 6
    assert result.events_checked == 5


def test_verify_detects_the_last_event_deleted(store: Store) -> None:
    _three_runs(store)
    with store.engine.begin() as connection:
        connection.execute(text("DELETE FROM finding_events WHERE id = 11"))
    result = store.verify()
    assert not result.ok
    assert result.first_broken_event_id == 11


def test_verify_detects_an_event_rewritten_with_a_self_consistent_hash(store: Store) -> None:
    _three_runs(store)
    with store.engine.begin() as connection:
        connection.execute(text("UPDATE finding_events SET actor = 'mallory' WHERE id = 2"))
        connection.execute(
            text("UPDATE finding_events SET hash = :h WHERE id = 2"), {"h": "ab" * 32}
        )
    result = store.verify()
    assert not result.ok
    assert result.first_broken_event_id == 2

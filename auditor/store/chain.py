"""The hash chain over finding events: ``hash = sha256(prev_hash + canonical JSON of the event)``."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

GENESIS_HASH = "0" * 64
"""``prev_hash`` of the very first event."""


def canonical_json(value: Any) -> str:
    """Key-sorted, compact, UTF-8 JSON: the same event always gives the same text."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def event_fields(
    *,
    event_id: int,
    fingerprint: str,
    run_id: int | None,
    event_type: str,
    actor: str,
    at: datetime,
    payload: Mapping[str, Any],
) -> dict[str, Any]:
    """Every stored field of an event except the two hashes, in hashable form."""
    return {
        "id": event_id,
        "fingerprint": fingerprint,
        "run_id": run_id,
        "type": event_type,
        "actor": actor,
        "at": at.astimezone(UTC).isoformat(timespec="microseconds"),
        "payload": dict(payload),
    }


def event_hash(prev_hash: str, fields: Mapping[str, Any]) -> str:
    return hashlib.sha256((prev_hash + canonical_json(fields)).encode("utf-8")).hexdigest()


VerifiedEvent = tuple[int, str, int | None, str, str, datetime, Mapping[str, Any], str]
"""id, fingerprint, run_id, event_type, actor, at, payload, hash: one event found intact."""


class ChainBrokenError(Exception):
    """Where a walk found the chain broken: ``checked`` events read, the break's kind and ids."""

    def __init__(self, kind: str, checked: int, event_id: int, expected_id: int) -> None:
        super().__init__(kind)
        self.kind = kind  # "gap", "prev_hash" or "content"
        self.checked = checked
        self.event_id = event_id
        self.expected_id = expected_id


def linked_events(
    rows: Iterable[Sequence[Any]], *, first_id: int = 1, previous_hash: str = GENESIS_HASH
) -> Iterator[VerifiedEvent]:
    """Each event of ``rows`` (id, fingerprint, run_id, event_type, actor, at, payload,
    prev_hash, hash; by id from ``first_id``) once it is proven:
    its id follows the previous one, it names the previous hash, and its content hashes to its
    own hash. The first event that fails raises :class:`ChainBrokenError`. One walk for ``verify``
    (every event) and the reports' walk from a checkpoint, so both prove the same things."""
    for checked, row in enumerate(rows, 1):
        expected_id = first_id + checked - 1
        event_id, fingerprint, run_id, event_type, actor, at, payload, prev, digest = row
        if event_id != expected_id:
            raise ChainBrokenError("gap", checked, event_id, expected_id)
        if prev != previous_hash:
            raise ChainBrokenError("prev_hash", checked, event_id, expected_id)
        fields = event_fields(
            event_id=event_id,
            fingerprint=fingerprint,
            run_id=run_id,
            event_type=event_type,
            actor=actor,
            at=at,
            payload=payload,
        )
        if event_hash(previous_hash, fields) != digest:
            raise ChainBrokenError("content", checked, event_id, expected_id)
        yield event_id, fingerprint, run_id, event_type, actor, at, payload, digest
        previous_hash = digest

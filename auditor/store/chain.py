"""The hash chain over finding events: ``hash = sha256(prev_hash + canonical JSON of the event)``."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
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

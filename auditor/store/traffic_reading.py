"""Reading the newest stored traffic summary back (for the matrix and the report)."""

from __future__ import annotations

import json
from typing import Any

from auditor.model.traffic import EVIDENCE_LABEL, TrafficSummary


def latest_stored_summary(store: Any) -> TrafficSummary | None:
    """The flow table of the newest recorded traffic run (``None`` when there is none)."""
    for run in store.list_runs(kind="traffic", limit=5):
        for link in store.run_evidence(run.id):
            if link.label == EVIDENCE_LABEL:
                return TrafficSummary.from_json(json.loads(store.evidence_blob(link.sha256)))
    return None

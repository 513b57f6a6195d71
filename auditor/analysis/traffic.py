"""Traffic judged against the policy: which policy flows cover an observed flow or a probe, and
the matrix's "observed in traffic" column.
"""

from __future__ import annotations

from typing import Any

from auditor.model.traffic import EVIDENCE_LABEL, TrafficSummary
from auditor.policy.flow_match import destination_matches, service_covers

__all__ = ["add_observed", "destination_matches", "service_covers"]


def add_observed(matrix: Any, summary: TrafficSummary | None) -> None:
    """Fill the matrix's "observed in traffic" column from a summary."""
    from auditor.analysis.matrix import ObservedFlow

    if summary is None:
        return
    for (source, destination), flows in summary.zone_pairs().items():
        if (source, destination) not in matrix.cells:
            continue
        matrix.add_observed(
            source,
            destination,
            ObservedFlow(
                services=sorted({flow.service for flow in flows}),
                packets=sum(flow.packets for flow in flows),
                bytes=sum(flow.bytes for flow in flows),
                first_seen=min((f.first_seen for f in flows if f.first_seen), default=None),
                last_seen=max((f.last_seen for f in flows if f.last_seen), default=None),
                evidence=[EVIDENCE_LABEL],
            ),
        )

"""Permit portions that let given services from one kind of zone into another (pure)."""

from __future__ import annotations

from collections.abc import Iterator

from auditor.analysis.matrix import PermitPortion, judge_permits
from auditor.analysis.network import NetworkView
from auditor.analysis.services import ServiceRange
from auditor.policy.models import ZoneKind


def portions_with_services(
    view: NetworkView,
    services: list[str],
    *,
    source_kinds: frozenset[ZoneKind],
    destination_kinds: frozenset[ZoneKind] | None,
) -> Iterator[tuple[PermitPortion, list[ServiceRange]]]:
    """ACL/firewall permit portions (first-match applied) whose services overlap ``services``.

    ``destination_kinds`` None means any zone of a different kind than the source's.
    """
    wanted = [ServiceRange.parse(s) for s in services]
    for judgement in judge_permits(view):
        portion = judgement.portion
        if portion.kind == "l3":
            continue
        source = view.zones.get(portion.source_zone)
        destination = view.zones.get(portion.destination_zone)
        if source is None or destination is None or source.kind not in source_kinds:
            continue
        if destination_kinds is None:
            if destination.kind is source.kind:
                continue
        elif destination.kind not in destination_kinds:
            continue
        hits = [w for w in wanted if any(s.overlaps(w) for s in portion.services)]
        if hits:
            yield portion, hits

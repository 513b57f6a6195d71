"""Which findings make a zone-matrix cell, read from the stored matrix of the run.

A cell's subject strings are not all of the form ``src->dst`` (``l3:a+b`` is shared by both
directions, ``fw:12#a->b`` and ``acl:NAME:30#a->b`` name a rule), so matching subjects by text
finds the wrong findings. The stored matrix (``ZoneMatrix.to_json``) says which configuration
elements make each cell; a cell's findings are exactly:

- the findings on an excess permit of the cell (``within_policy`` false): same device, same
  subject;
- SEG-013's path finding(s) of the pair (subject ``path:SRC->DST``);
- the traffic findings (``TRF-…``) about flows of the pair (subject ``<kind>:SRC->DST:<service>``).

:meth:`CellSelection.matches` is the Python form (the overview's counts), the store's
``FindingQuery.cell`` the SQL form (the findings list); both follow this one definition.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from auditor.store import console

PATH_CHECK = "SEG-013"
TRAFFIC_PREFIX = "TRF-"


@dataclass(frozen=True)
class CellSelection:
    """The findings of one ordered zone pair (see the module docstring)."""

    source: str
    target: str
    permits: frozenset[tuple[str, str]]
    """(device, subject) of each permit of the cell that goes beyond the policy."""

    @property
    def path_subject(self) -> str:
        return f"path:{self.source}->{self.target}"

    @property
    def traffic_marker(self) -> str:
        """What a traffic finding's subject contains: ``:SRC->DST:`` (zone ids have no ``:``)."""
        return f":{self.source}->{self.target}:"

    def filter(self) -> console.CellFilter:
        """The same selection for the store's findings query."""
        return console.CellFilter(
            permits=self.permits,
            path_check=PATH_CHECK,
            path_subject=self.path_subject,
            traffic_prefix=TRAFFIC_PREFIX,
            traffic_marker=self.traffic_marker,
        )

    def matches(self, check_id: str, device: str | None, subject: str) -> bool:
        if device is not None and (device, subject) in self.permits:
            return True
        if check_id == PATH_CHECK and subject == self.path_subject:
            return True
        return check_id.startswith(TRAFFIC_PREFIX) and self.traffic_marker in subject


def _cells(matrix: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    cells = matrix.get("cells")
    return [c for c in cells if isinstance(c, Mapping)] if isinstance(cells, list) else []


def selections(matrix: Mapping[str, Any] | None) -> dict[tuple[str, str], CellSelection]:
    """Every cell of a stored matrix (``ZoneMatrix.to_json``) as a selection of findings."""
    found: dict[tuple[str, str], CellSelection] = {}
    if not matrix:
        return found
    for cell in _cells(matrix):
        source = str(cell.get("from", cell.get("source", "")))
        target = str(cell.get("to", cell.get("target", "")))
        if not source or not target:
            continue
        entries = cell.get("permitted_by_config")
        permits = frozenset(
            (str(entry["device"]), str(entry["subject"]))
            for entry in (entries if isinstance(entries, list) else [])
            if isinstance(entry, Mapping)
            and not entry.get("within_policy", True)
            and entry.get("device")
            and entry.get("subject")
        )
        found[(source, target)] = CellSelection(source, target, permits)
    return found


def selection(matrix: Mapping[str, Any] | None, source: str, target: str) -> CellSelection:
    """One pair's selection; a pair the matrix does not hold still has its path/traffic part."""
    return selections(matrix).get((source, target)) or CellSelection(source, target, frozenset())


__all__ = ["PATH_CHECK", "TRAFFIC_PREFIX", "CellSelection", "selection", "selections"]

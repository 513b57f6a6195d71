"""What a finding page shows as evidence besides the finding's own evidence references.

- the configuration lines the stored matrix names for the finding's (device, subject) — the
  permit a segmentation finding is about, with its zone pair, services and policy verdict;
- the path hops of a SEG-013 finding, from the stored matrix cell's reachability verdict;
- an excerpt of the device's latest stored (redacted at recording) configuration around the
  lines named by the matrix, the evidence or the subject itself.

Everything comes from the store; nothing is recomputed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

EXCERPT_LINES = 80
"""At most this many configuration lines are shown on a finding page."""
MATCH_MIN = 6
"""Shorter wanted texts must equal a whole (stripped) line."""
CONTEXT = 2
"""Lines of context before and after a matched line that starts no block."""


@dataclass(frozen=True)
class PermitLine:
    source: str
    target: str
    kind: str
    line: str
    services: str
    within_policy: bool


@dataclass(frozen=True)
class PathHop:
    service: str
    reason: str
    trace: str


def _cells(matrix: Mapping[str, Any] | None) -> list[Mapping[str, Any]]:
    cells = (matrix or {}).get("cells")
    return [c for c in cells if isinstance(c, Mapping)] if isinstance(cells, list) else []


def permit_lines(
    matrix: Mapping[str, Any] | None, device: str | None, subject: str
) -> list[PermitLine]:
    """The permits of the stored matrix with this device and subject (both directions of an
    ``l3:a+b`` interface permit), or whose subject the finding's subject wraps
    (``cleartext:acl:…``, ``mail:fw:…``)."""
    if not device:
        return []
    found: list[PermitLine] = []
    for cell in _cells(matrix):
        entries = cell.get("permitted_by_config")
        for entry in entries if isinstance(entries, list) else []:
            if not isinstance(entry, Mapping) or entry.get("device") != device:
                continue
            named = str(entry.get("subject", ""))
            if not named or not (subject == named or subject.endswith(":" + named)):
                continue
            found.append(
                PermitLine(
                    source=str(cell.get("from", "")),
                    target=str(cell.get("to", "")),
                    kind=str(entry.get("kind", "")),
                    line=str(entry.get("line", "")),
                    services=", ".join(str(s) for s in entry.get("services") or []),
                    within_policy=bool(entry.get("within_policy")),
                )
            )
    return found


def path_hops(matrix: Mapping[str, Any] | None, subject: str) -> list[PathHop]:
    """A SEG-013 finding's (``path:SRC->DST``) violating paths, one per service."""
    if not subject.startswith("path:") or "->" not in subject:
        return []
    source, _, target = subject.removeprefix("path:").partition("->")
    for cell in _cells(matrix):
        if cell.get("from") == source and cell.get("to") == target:
            path = cell.get("reachable_by_path")
            violations = path.get("violations") if isinstance(path, Mapping) else None
            return [
                PathHop(
                    service=str(v.get("service", "")),
                    reason=str(v.get("reason", "")),
                    trace=str(v.get("trace", "")),
                )
                for v in (violations if isinstance(violations, list) else [])
                if isinstance(v, Mapping)
            ]
    return []


def config_excerpt(config: str | None, wanted: Sequence[str]) -> str:
    """The lines of ``config`` equal to one of ``wanted`` (or containing one of at least
    :data:`MATCH_MIN` characters: a parser's line may lack the sequence number), each with its block (the
    unindented line above and its indented lines) or a little context; gaps shown as ``…``."""
    if not config:
        return ""
    targets = {w.strip() for w in wanted if w and w.strip()}
    if not targets:
        return ""
    lines = config.splitlines()
    keep: set[int] = set()
    long = [t for t in targets if len(t) >= MATCH_MIN]
    for index, line in enumerate(lines):
        text = line.strip()
        if not text or not (text in targets or any(t in text for t in long)):
            continue
        start = index
        while start > 0 and lines[start][:1].isspace():
            start -= 1
        end = index + 1
        while end < len(lines) and lines[end][:1].isspace():
            end += 1
        if start == index and end == index + 1:
            start, end = max(0, index - CONTEXT), min(len(lines), index + CONTEXT + 1)
        keep.update(range(start, end))
    if not keep:
        return ""
    out: list[str] = []
    previous = -2
    for index in sorted(keep)[:EXCERPT_LINES]:
        if index != previous + 1 and out:
            out.append("…")
        out.append(f"{index + 1:>5}  {lines[index]}")
        previous = index
    return "\n".join(out)


__all__ = ["PathHop", "PermitLine", "config_excerpt", "path_hops", "permit_lines"]

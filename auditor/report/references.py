"""Turn a finding's references into the labels auditors filter by (guideline title, plan item)."""

from __future__ import annotations

from collections.abc import Iterable

from auditor.model.findings import Reference
from auditor.policy.clauses import PLAN_ITEMS, resolve_clause, section
from auditor.policy.models import Policy
from auditor.report.model import ReferenceLabel


def label_reference(reference: Reference, policy: Policy | None) -> ReferenceLabel:
    """A guideline title gets this edition's (or the city's) number; a plan key gets its name."""
    if reference.kind == "guideline":
        clause = resolve_clause(reference.key, policy)
        known = section(reference.key)
        label_en = clause.label_en()
        if known is not None:
            label_en = label_en.replace(reference.key, f"{known.title_en} ({reference.key})", 1)
        return ReferenceLabel("guideline", reference.key, clause.label_ja(), label_en)
    if reference.kind == "plan":
        item = PLAN_ITEMS.get(reference.key)
        if item is None:
            return ReferenceLabel("plan", reference.key, reference.key, reference.key)
        return ReferenceLabel(
            "plan", reference.key, f"{item.key} {item.name_ja}", f"{item.key} {item.name_en}"
        )
    text = reference.label()
    return ReferenceLabel(reference.kind, reference.key, text, text)


def split_references(
    references: Iterable[Reference], policy: Policy | None
) -> tuple[tuple[ReferenceLabel, ...], tuple[ReferenceLabel, ...], tuple[ReferenceLabel, ...]]:
    """(guideline, plan, other) labels, each in the order the check declared them."""
    guideline: list[ReferenceLabel] = []
    plan: list[ReferenceLabel] = []
    other: list[ReferenceLabel] = []
    for reference in references:
        label = label_reference(reference, policy)
        {"guideline": guideline, "plan": plan}.get(reference.kind, other).append(label)
    return tuple(guideline), tuple(plan), tuple(other)


def matches_clause(
    clause: str, guideline: Iterable[ReferenceLabel], plan: Iterable[ReferenceLabel]
) -> bool:
    """``--clause``: a plan item key (``4-1-2``, or a prefix such as ``4-1``) or a title substring."""
    needle = clause.strip()
    if not needle:
        return True
    for item in plan:
        if item.key == needle or item.key.startswith(needle + "-"):
            return True
    lowered = needle.lower()
    return any(
        needle in label.key or lowered in label.label_en.lower() or needle in label.label_ja
        for label in guideline
    )

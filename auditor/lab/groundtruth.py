"""Found versus planted: how the demo and the ground-truth test keep the checks honest.

Recall: every planted violation whose check exists must be found (same check id, device, and
subject when the scenario names one; subjects may be shell-style globs). Precision: devices and
``device:subject`` pairs the scenario marks clean must produce no FAIL or ERROR finding.
A plant with a ``path`` must also be reported as a reachability finding (SEG-013) on the device
the path leaves its zone from, whose witnessing path passes the named devices in order.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from fnmatch import fnmatchcase

from auditor.lab.scenario import PlantedPath, PlantedViolation, Scenario
from auditor.model.findings import Finding, Outcome


@dataclass
class PlantOutcome:
    planted: PlantedViolation
    applicable_checks: list[str]
    matches: list[Finding] = field(default_factory=list)

    @property
    def applicable(self) -> bool:
        return bool(self.applicable_checks)

    @property
    def found(self) -> bool:
        return bool(self.matches)


@dataclass
class GroundTruth:
    plants: list[PlantOutcome]
    false_positives: list[Finding]

    @property
    def applicable(self) -> list[PlantOutcome]:
        return [p for p in self.plants if p.applicable]

    @property
    def missed(self) -> list[PlantOutcome]:
        return [p for p in self.applicable if not p.found]

    @property
    def recall(self) -> float:
        applicable = self.applicable
        return 1.0 if not applicable else sum(p.found for p in applicable) / len(applicable)


PATH_CHECK = "SEG-013"
_HOP = re.compile(r"([\w.-]+)\[[^\]]*→[^\]]*\]")


def _matches(plant: PlantedViolation, finding: Finding, check_ids: set[str]) -> bool:
    if finding.check_id not in check_ids:
        return False
    if plant.device is not None and finding.device != plant.device:
        return False
    return plant.subject is None or fnmatchcase(finding.subject, plant.subject)


def _passes(hops: list[str], finding: Finding) -> bool:
    """The finding's path (``device[in→out] → …`` in its message) visits ``hops`` in order."""
    visited = iter(_HOP.findall(finding.message_en))
    return all(any(device == hop for device in visited) for hop in hops)


def _path_plant(plant: PlantedViolation, path: PlantedPath) -> PlantedViolation:
    return PlantedViolation(
        id=f"{plant.id}/path",
        kind="path",
        description=f"{plant.description} (reachability)",
        check_ids=[PATH_CHECK],
        device=path.device,
        subject=path.subject,
    )


def _is_reportable(finding: Finding) -> bool:
    return finding.outcome in (Outcome.FAIL, Outcome.ERROR)


def _clean_hit(clean: str, finding: Finding) -> bool:
    device, _, subject = clean.partition(":")
    if finding.device != device:
        return False
    return not subject or fnmatchcase(finding.subject, subject)


def compare(
    scenario: Scenario, findings: Sequence[Finding], known_check_ids: Iterable[str]
) -> GroundTruth:
    """Match findings against the scenario's planted violations and clean marks."""
    known = set(known_check_ids)
    reportable = [f for f in findings if _is_reportable(f)]
    plants: list[PlantOutcome] = []
    for plant in scenario.planted:
        applicable = sorted(set(plant.check_ids) & known)
        outcome = PlantOutcome(planted=plant, applicable_checks=applicable)
        if applicable:
            outcome.matches = [f for f in reportable if _matches(plant, f, set(applicable))]
        plants.append(outcome)
        if plant.path is not None:
            derived = _path_plant(plant, plant.path)
            on_path = PlantOutcome(derived, sorted({PATH_CHECK} & known))
            if on_path.applicable:
                on_path.matches = [
                    f
                    for f in reportable
                    if _matches(derived, f, {PATH_CHECK}) and _passes(plant.path.hops, f)
                ]
            plants.append(on_path)
    false_positives = [
        finding
        for finding in reportable
        if any(_clean_hit(clean, finding) for clean in scenario.clean)
    ]
    return GroundTruth(plants=plants, false_positives=false_positives)

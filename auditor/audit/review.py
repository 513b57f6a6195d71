"""Pre-change review: which findings a proposed configuration adds, resolves or keeps.

Both sides are audited in memory (no store) by the same audit service as any run, as kind
``offline``; findings are compared by fingerprint. Each added finding cites the lines of the
device's unified diff that are responsible for it (``+`` lines of the section the finding's
subject names), each resolved finding the ``-`` lines; when no changed line names the subject,
every changed line of the device is cited rather than none.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

from auditor.audit.engine import RunOutcome
from auditor.model.findings import Finding, Outcome

Change = Literal["added", "resolved", "kept"]
CHANGES: tuple[Change, ...] = ("added", "resolved", "kept")
_SUBJECT_NOISE = frozenset({"port", "vlan", "trunk", "link", "acl", "l3", "fw", "user", "file"})


@dataclass
class ReviewItem:
    change: Change
    finding: Finding
    lines: list[str] = field(default_factory=list)


@dataclass
class Review:
    items: list[ReviewItem]
    diffs: dict[str, list[str]]

    def of(self, change: Change) -> list[ReviewItem]:
        return [item for item in self.items if item.change == change]


def device_diff(before: str | None, after: str | None, device: str) -> list[str]:
    return list(
        difflib.unified_diff(
            (before or "").splitlines(),
            (after or "").splitlines(),
            f"baseline/{device}",
            f"proposed/{device}",
            lineterm="",
        )
    )


def _tokens(subject: str) -> list[str]:
    parts = re.split(r"[:#+<>\-]{1,2}(?=\S)|[:#]", subject)
    return [
        p.strip().lower() for p in parts if p.strip() and p.strip().lower() not in _SUBJECT_NOISE
    ]


def _sections(diff: Sequence[str], sign: str) -> list[tuple[str, str]]:
    """(changed line, the section header above it) for the lines starting with ``sign``."""
    header = ""
    found: list[tuple[str, str]] = []
    for line in diff:
        if line.startswith(("+++", "---", "@@")):
            continue
        body = line[1:]
        if body and not body[0].isspace() and body.strip() not in ("!", "exit", "next", "end"):
            header = body
        if line.startswith(sign) and body.strip() not in ("", "!"):
            found.append((body, header))
    return found


def responsible_lines(finding: Finding, diff: Sequence[str], sign: str) -> list[str]:
    changed = _sections(diff, sign)
    tokens = _tokens(finding.subject)
    named = [
        f"{sign}{line}"
        for line, header in changed
        if any(token in line.lower() or token in header.lower() for token in tokens)
    ]
    return named or [f"{sign}{line}" for line, _ in changed]


def compare_outcomes(
    baseline: RunOutcome,
    proposed: RunOutcome,
    devices: Sequence[str] | None = None,
) -> Review:
    """Findings added, resolved and kept by the proposed configurations."""

    def reportable(outcome: RunOutcome) -> dict[str, Finding]:
        return {
            f.fingerprint: f
            for f in outcome.findings
            if f.outcome is not Outcome.NOT_APPLICABLE
            and (devices is None or f.device is None or f.device in devices)
        }

    before, after = reportable(baseline), reportable(proposed)
    names = sorted(set(baseline.snapshots) | set(proposed.snapshots))
    diffs: dict[str, list[str]] = {}
    for name in names:
        old, new = baseline.snapshots.get(name), proposed.snapshots.get(name)
        diff = device_diff(
            old.config_redacted if old else None, new.config_redacted if new else None, name
        )
        if diff:
            diffs[name] = diff
    items: list[ReviewItem] = []
    for fingerprint, finding in after.items():
        if fingerprint in before:
            items.append(ReviewItem("kept", finding))
        else:
            diff = diffs.get(finding.device or "", [])
            items.append(ReviewItem("added", finding, responsible_lines(finding, diff, "+")))
    for fingerprint, finding in before.items():
        if fingerprint not in after:
            diff = diffs.get(finding.device or "", [])
            items.append(ReviewItem("resolved", finding, responsible_lines(finding, diff, "-")))
    order = {"added": 0, "resolved": 1, "kept": 2}
    items.sort(
        key=lambda i: (
            order[i.change],
            -i.finding.severity.rank,
            i.finding.device or "",
            i.finding.check_id,
        )
    )
    return Review(items=items, diffs=diffs)


def to_json(review: Review) -> dict[str, object]:
    return {
        "summary": {change: len(review.of(change)) for change in CHANGES},
        "items": [
            {
                "change": item.change,
                "check_id": item.finding.check_id,
                "severity": item.finding.severity.value,
                "device": item.finding.device,
                "zone": item.finding.zone,
                "subject": item.finding.subject,
                "message_en": item.finding.message_en,
                "message_ja": item.finding.message_ja,
                "fingerprint": item.finding.fingerprint,
                "lines": item.lines,
            }
            for item in review.items
        ],
        "diffs": review.diffs,
    }


def to_markdown(review: Review, lang: str) -> str:
    ja = lang == "ja"
    title = "## 変更前レビュー / Pre-change review" if ja else "## Pre-change review"
    out = [title, ""]
    counts = {change: len(review.of(change)) for change in CHANGES}
    out.append(
        f"追加 {counts['added']} 件 / 解消 {counts['resolved']} 件 / 継続 {counts['kept']} 件"
        if ja
        else f"added {counts['added']}, resolved {counts['resolved']}, kept {counts['kept']}"
    )
    out += [
        "",
        "| change | severity | check | device | zone | subject | lines |",
        "|---|---|---|---|---|---|---|",
    ]
    for item in review.items:
        if item.change == "kept":
            continue
        f = item.finding
        subject = f.subject.replace("|", "\\|")
        lines = "<br>".join(f"`{line}`" for line in item.lines[:5]).replace("|", "\\|")
        out.append(
            f"| {item.change} | {f.severity.value} | {f.check_id} | {f.device or '-'} | "
            f"{f.zone or '-'} | {subject} | {lines} |"
        )
    for device, diff in sorted(review.diffs.items()):
        out += ["", f"### {device}", "", "```diff", *diff, "```"]
    return "\n".join(out) + "\n"


def to_sarif(review: Review) -> dict[str, object]:
    """SARIF 2.1.0: the added findings as results (what a CI gate reports)."""
    levels = {"critical": "error", "high": "error", "medium": "warning"}
    added = review.of("added")
    rules = sorted({item.finding.check_id for item in added})
    return {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "kyojin-auditor",
                        "rules": [{"id": rule} for rule in rules],
                    }
                },
                "results": [
                    {
                        "ruleId": item.finding.check_id,
                        "level": levels.get(item.finding.severity.value, "note"),
                        "message": {"text": item.finding.message_en},
                        "partialFingerprints": {"auditor/v1": item.finding.fingerprint},
                        "locations": [
                            {
                                "physicalLocation": {
                                    "artifactLocation": {
                                        "uri": f"proposed/{item.finding.device or 'network'}"
                                    }
                                },
                                "message": {"text": "\n".join(item.lines[:20])},
                            }
                        ],
                    }
                    for item in added
                ],
            }
        ],
    }

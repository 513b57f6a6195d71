"""What can be notified, and the one adapter from findings to a comparable level.

An :class:`Event` is plain data that survives a trip through the outbox as JSON
(:meth:`Event.to_payload` / :meth:`Event.from_payload`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

SEVERITY_ORDER = {"info": 0, "low": 1, "medium": 2, "high": 3, "critical": 4}
GRADE_ORDER = {"observation": 0, "minor": 1, "major": 2}
GRADE_LABELS = {
    "major": ("重大な不適合", "major nonconformity"),
    "minor": ("軽微な不適合", "minor nonconformity"),
    "observation": ("観察事項", "observation"),
}
_GRADE_ALIASES = {
    "重大な不適合": "major",
    "軽微な不適合": "minor",
    "観察事項": "observation",
    "major": "major",
    "minor": "minor",
    "observation": "observation",
}


def grade_of(finding: object) -> str:
    """The audit grade of a finding or finding record: its ``grade`` field when it has one
    (another branch adds it), else derived from the severity (critical/high → major, medium →
    minor, low/info → observation). The only place that knows about both vocabularies."""
    raw = getattr(finding, "grade", None)
    value = getattr(raw, "value", raw)
    if isinstance(value, str) and value in _GRADE_ALIASES:
        return _GRADE_ALIASES[value]
    severity = getattr(getattr(finding, "severity", None), "value", None) or str(
        getattr(finding, "severity", "info")
    )
    rank = SEVERITY_ORDER.get(severity, 0)
    if rank >= SEVERITY_ORDER["high"]:
        return "major"
    if rank == SEVERITY_ORDER["medium"]:
        return "minor"
    return "observation"


@dataclass(frozen=True)
class Event:
    """One thing worth telling someone; ``key`` makes it unique (no repeats)."""

    kind: str
    key: str
    level: str
    at: datetime
    title_ja: str
    title_en: str
    body_ja: str = ""
    body_en: str = ""
    grade: str | None = None
    device: str | None = None
    zone: str | None = None
    check_id: str | None = None
    fingerprint: str | None = None
    run_id: int | None = None
    subject: str | None = None
    """What device up/down state is tracked by (the device name)."""
    groups: tuple[str, ...] = ()
    files: tuple[str, ...] = ()
    """Report or pack files (HTML inline, others attached when the channel allows)."""
    extra: Mapping[str, str] = field(default_factory=dict)

    @property
    def effective_grade(self) -> str:
        return self.grade or grade_of(self)

    @property
    def severity(self) -> str:
        return self.level

    def to_payload(self) -> dict[str, Any]:
        data = asdict(self)
        data["at"] = self.at.isoformat()
        data["groups"] = list(self.groups)
        data["files"] = list(self.files)
        data["extra"] = dict(self.extra)
        return data

    @classmethod
    def from_payload(cls, payload: Mapping[str, Any]) -> Event:
        data = dict(payload)
        data["at"] = datetime.fromisoformat(str(data["at"]))
        data["groups"] = tuple(data.get("groups") or ())
        data["files"] = tuple(data.get("files") or ())
        data["extra"] = dict(data.get("extra") or {})
        known = set(cls.__dataclass_fields__)
        return cls(**{name: value for name, value in data.items() if name in known})

    def title(self, lang: str) -> str:
        if lang == "ja":
            return self.title_ja
        if lang == "en":
            return self.title_en
        return f"{self.title_ja} / {self.title_en}"

    def body(self, lang: str) -> str:
        if lang == "ja":
            return self.body_ja
        if lang == "en":
            return self.body_en
        return "\n\n".join(part for part in (self.body_ja, self.body_en) if part)

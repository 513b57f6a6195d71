"""Findings: what a check reports, with a fingerprint that stays stable across runs."""

from __future__ import annotations

import hashlib
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, computed_field


class Severity(StrEnum):
    CRITICAL = "critical"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"
    INFO = "info"

    @property
    def rank(self) -> int:
        """Higher is worse; used for ``--fail-on`` and sorting."""
        return _SEVERITY_RANK[self]

    @property
    def label_ja(self) -> str:
        return _SEVERITY_JA[self]


_SEVERITY_RANK = {
    Severity.INFO: 0,
    Severity.LOW: 1,
    Severity.MEDIUM: 2,
    Severity.HIGH: 3,
    Severity.CRITICAL: 4,
}
_SEVERITY_JA = {
    Severity.INFO: "情報",
    Severity.LOW: "低",
    Severity.MEDIUM: "中",
    Severity.HIGH: "高",
    Severity.CRITICAL: "重大",
}


class AuditGrade(StrEnum):
    """How an auditor grades a finding (監査の判定), next to the product's severity.

    ``scope_limitation`` is not a non-conformity of the city: the auditor could not collect or
    judge (COL-*, not applicable, errors), so it is reported apart from the findings.
    ``evidence_required`` (証跡確認が必要) is what the network cannot show (two-factor
    authentication, USB control, EDR …): neither a pass nor a non-conformity until the city's
    evidence is on file, reported in its own section.
    """

    MAJOR = "major_nonconformity"
    MINOR = "minor_nonconformity"
    OBSERVATION = "observation"
    EVIDENCE_REQUIRED = "evidence_required"
    SCOPE_LIMITATION = "scope_limitation"

    @property
    def rank(self) -> int:
        """Higher is worse; a scope limitation sorts below everything."""
        return _GRADE_RANK[self]

    @property
    def label_ja(self) -> str:
        return _GRADE_LABELS[self][0]

    @property
    def label_en(self) -> str:
        return _GRADE_LABELS[self][1]

    def label(self, lang: str) -> str:
        return self.label_ja if lang == "ja" else self.label_en


_GRADE_RANK = {
    AuditGrade.SCOPE_LIMITATION: -2,
    AuditGrade.EVIDENCE_REQUIRED: -1,
    AuditGrade.OBSERVATION: 0,
    AuditGrade.MINOR: 1,
    AuditGrade.MAJOR: 2,
}
_GRADE_LABELS = {
    AuditGrade.MAJOR: ("重大な不適合", "Major non-conformity"),
    AuditGrade.MINOR: ("軽微な不適合", "Minor non-conformity"),
    AuditGrade.OBSERVATION: ("観察事項", "Observation"),
    AuditGrade.EVIDENCE_REQUIRED: ("証跡確認が必要", "Evidence required"),
    AuditGrade.SCOPE_LIMITATION: ("監査範囲の制約", "Scope limitation"),
}


class Outcome(StrEnum):
    """FAIL: the rule is violated. ERROR: the auditor could not tell (never a silent pass)."""

    FAIL = "fail"
    ERROR = "error"
    NOT_APPLICABLE = "not_applicable"


class Reference(BaseModel):
    """A pointer to the clause a check enforces.

    ``kind`` says which document; for the 総務省 guideline the stable key is the section *title*
    (numbers change between editions and municipal policies), see ``auditor.policy.clauses``.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: Literal["guideline", "plan", "cis", "cwe", "rfc", "other"]
    key: str
    note: str | None = None

    def label(self) -> str:
        prefix = {
            "guideline": "総務省ガイドライン",
            "plan": "計画",
            "cis": "CIS",
            "cwe": "CWE",
            "rfc": "RFC",
            "other": "",
        }[self.kind]
        return f"{prefix} {self.key}".strip()


class EvidenceRef(BaseModel):
    """Names a piece of evidence: a snapshot field, a config line, a stored blob.

    ``source`` says where the fact was read; ``file`` is a saved configuration (offline audit),
    so a reader never takes a line from a file received from a contractor for one read live.
    """

    model_config = ConfigDict(extra="forbid")

    source: Literal[
        "snmp", "ssh", "file", "traffic", "policy", "inventory", "ledger", "store", "engine"
    ]
    detail: str
    blob_sha256: str | None = None


class Finding(BaseModel):
    """One result of one check about one subject."""

    model_config = ConfigDict(extra="forbid")

    check_id: str
    outcome: Outcome = Outcome.FAIL
    severity: Severity
    device: str | None = None
    subject: str
    zone: str | None = None
    message_en: str
    message_ja: str
    evidence: list[EvidenceRef] = Field(default_factory=list)
    references: list[Reference] = Field(default_factory=list)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def fingerprint(self) -> str:
        """``sha256(check, device, subject)``: the identity of a finding across runs."""
        return fingerprint(self.check_id, self.device, self.subject)


def fingerprint(check_id: str, device: str | None, subject: str) -> str:
    raw = "\x1f".join((check_id, device or "", subject)).encode("utf-8")
    return hashlib.sha256(raw).hexdigest()


def read_from_file(finding: Finding) -> Finding:
    """The finding with its configuration evidence marked as read from a saved file.

    Checks name configuration evidence ``ssh`` (where a live run reads it); a device audited from
    a saved configuration (offline audit, inventory ``source: {file: …}``) had no session.
    """
    if not any(ref.source == "ssh" for ref in finding.evidence):
        return finding
    evidence = [
        ref.model_copy(update={"source": "file"}) if ref.source == "ssh" else ref
        for ref in finding.evidence
    ]
    return finding.model_copy(update={"evidence": evidence})

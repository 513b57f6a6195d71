"""COL-109: configuration lines the platform parser did not understand (coverage, INFO)."""

from __future__ import annotations

from collections.abc import Iterator

from pydantic import Field

from auditor.model.findings import EvidenceRef, Finding, Severity
from auditor.rules import AuditContext, Check, CheckParams

from ._base import COLLECTION_REFERENCES


class UnparsedConfigurationLines(Check):
    """The parser left configuration lines of a device uninterpreted.

    What it checks:
        Devices whose collected running configuration has lines (or FortiGate ``config`` blocks)
        no parser rule recognised. The finding lists how many and the first few (redacted).

    Why is this bad?:
        Checks only see what the parser understood. A line nobody read could be the one that
        opens a path between zones, so the auditor must know the coverage is incomplete.

    Example:
        ``ip nat inside source static 10.10.0.5 203.0.113.5`` on an IOS router: one INFO finding
        ``COL-109`` with subject ``config-coverage``.

    Remediation:
        Review the listed lines by hand; report frequent ones to the maintainers so the parser
        learns them.

    Parameters:
        max_lines: how many unparsed lines to quote in the finding (default 10).
    """

    id = "COL-109"
    slug = "unparsed-config-lines"
    severity = Severity.INFO
    title_ja = "解釈できなかった設定行"
    title_en = "Configuration lines not understood by the parser"
    scope = "device"
    references = COLLECTION_REFERENCES

    class Params(CheckParams):
        max_lines: int = Field(10, ge=0, description="unparsed lines quoted in the finding")

    def evaluate(self, context: AuditContext) -> Iterator[Finding]:
        limit = self.params(context).max_lines
        for name, snapshot in sorted(context.snapshots.items()):
            lines = snapshot.unparsed_config_lines
            if not lines:
                continue
            quoted = "\n".join(lines[:limit])
            yield self.finding(
                context,
                device=name,
                subject="config-coverage",
                message_en=f"{name}: {len(lines)} configuration line(s) were not understood",
                message_ja=f"{name}: 解釈できなかった設定行が {len(lines)} 行あります",
                evidence=[EvidenceRef(source="ssh", detail=quoted)],
            )

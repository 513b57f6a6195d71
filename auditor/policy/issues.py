"""Problems found in a policy or inventory file, each pointing at ``file:line`` and a field path.

One issue type serves YAML syntax errors, pydantic validation errors and cross-field checks, so the
CLI prints them all the same way: ``policies/city.yaml:42: flows[3].to: unknown zone 'lgwan2'``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

IssueSeverity = Literal["error", "warning"]


@dataclass(frozen=True)
class PolicyIssue:
    """One problem in a configuration file; ``line`` is 1-based, ``None`` when unknown."""

    file: str
    line: int | None
    field: str
    message: str
    severity: IssueSeverity = "error"

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        if self.field:
            return f"{where}: {self.field}: {self.message}"
        return f"{where}: {self.message}"

    @property
    def is_error(self) -> bool:
        return self.severity == "error"


class ConfigFileError(Exception):
    """A configuration file could not be loaded; ``issues`` holds every error found (not just one)."""

    def __init__(self, issues: Iterable[PolicyIssue]) -> None:
        self.issues: list[PolicyIssue] = list(issues)
        super().__init__(
            "\n".join(
                str(issue) if issue.is_error else f"{issue} (warning)" for issue in self.issues
            )
        )


class PolicyError(ConfigFileError):
    """The policy is invalid; the daemon keeps the last good policy when it sees this on reload."""


def errors_only(issues: Iterable[PolicyIssue]) -> list[PolicyIssue]:
    return [issue for issue in issues if issue.severity == "error"]


def warnings_only(issues: Iterable[PolicyIssue]) -> list[PolicyIssue]:
    return [issue for issue in issues if issue.severity == "warning"]

"""Every check is documented, unique and reachable through the registry."""

from __future__ import annotations

import re

import pytest

from auditor.audit.engine import evaluate
from auditor.model.findings import Outcome, Severity
from auditor.rules import DOC_SECTIONS, Check, Registry, discover
from tests import builders

REGISTRY = discover()
ID_PATTERN = re.compile(r"^[A-Z]{3,4}-\d{3}$")  # WIFI-… has four letters


def test_the_registry_finds_the_shipped_checks() -> None:
    assert {"POL-001", "LED-001", "LED-002"} <= REGISTRY.ids()


@pytest.mark.parametrize("check", list(REGISTRY), ids=lambda c: c.id)
def test_every_check_docstring_has_all_sections(check: type[Check]) -> None:
    sections = check.documentation()
    missing = [name for name in DOC_SECTIONS if not sections.get(name)]
    assert not missing, f"{check.id} lacks docstring sections {missing}"


@pytest.mark.parametrize("check", list(REGISTRY), ids=lambda c: c.id)
def test_every_check_has_complete_metadata(check: type[Check]) -> None:
    assert ID_PATTERN.match(check.id)
    assert check.slug and check.slug == check.slug.lower()
    assert isinstance(check.severity, Severity)
    assert check.title_ja and check.title_en
    assert check.references, f"{check.id} cites no reference"


def test_slugs_are_unique() -> None:
    slugs = [check.slug for check in REGISTRY]
    assert len(slugs) == len(set(slugs))


def test_duplicate_check_ids_are_refused() -> None:
    class First(Check):
        id = "TST-001"

    class Second(Check):
        id = "TST-001"

    registry = Registry([First])
    with pytest.raises(ValueError, match="duplicate check id TST-001"):
        registry.add(Second)


def test_a_crashing_check_becomes_an_error_finding_not_silence() -> None:
    class Crashing(Check):
        """Crashes.

        What it checks:
            x
        """

        id = "TST-002"
        slug = "crashing"
        severity = Severity.LOW
        title_ja = "テスト"
        title_en = "Test"
        scope = "policy"

        def evaluate(self, context):  # type: ignore[no-untyped-def]
            raise KeyError("boom")

    result = evaluate(Registry([Crashing]), builders.context())
    assert len(result.findings) == 1
    assert result.findings[0].outcome is Outcome.ERROR
    assert result.findings[0].check_id == "TST-002"
    assert "TST-002" in result.crashed_checks
    assert "TST-002" not in result.evaluated_checks


def test_a_check_disabled_in_the_policy_is_not_run() -> None:
    policy = builders.policy(
        exceptions=[
            {
                "check": "LED-001",
                "reason": "r",
                "approver": "a",
                "approval_number": "n",
                "expires": "2020-01-01",
            }
        ],
        rules={"POL-001": {"enabled": False}},
    )
    result = evaluate(REGISTRY, builders.context(policy_obj=policy))
    assert "POL-001" not in result.evaluated_checks
    assert not [f for f in result.findings if f.check_id == "POL-001"]

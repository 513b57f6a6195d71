"""Every check is documented, unique and reachable through the registry."""

from __future__ import annotations

import inspect
import re

import pytest
from pydantic import ValidationError

from auditor.audit.engine import evaluate
from auditor.model.findings import Outcome, Severity
from auditor.policy.clauses import PLAN_ITEMS, SECTIONS_BY_TITLE
from auditor.rules import (
    DOC_SECTIONS,
    Check,
    CheckParams,
    Registry,
    discover,
    parse_doc_sections,
    reference_text,
)
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


@pytest.mark.parametrize("check", list(REGISTRY), ids=lambda c: c.id)
def test_every_params_model_instantiates_with_defaults_and_refuses_unknown_keys(
    check: type[Check],
) -> None:
    defaults = check.Params()
    assert issubclass(check.Params, CheckParams)
    for name, info in check.Params.model_fields.items():
        assert info.description, f"{check.id}.{name} has no description"
        assert not info.is_required(), f"{check.id}.{name} has no default"
    with pytest.raises(ValidationError, match="extra"):
        check.Params.model_validate({"no_such_parameter": 1})
    # What the catalogue prints is what a check gets without any policy setting.
    documented = {p.name: p.default for p in check.parameter_docs()}
    assert documented == defaults.model_dump(mode="json")


@pytest.mark.parametrize("check", list(REGISTRY), ids=lambda c: c.id)
def test_params_reads_the_policy_setting_as_the_checks_model(check: type[Check]) -> None:
    context = builders.context()
    assert check().params(context) == check.Params()


@pytest.mark.parametrize("check", list(REGISTRY), ids=lambda c: c.id)
def test_the_docstring_parameters_section_names_every_parameter(check: type[Check]) -> None:
    text = check.documentation()["Parameters"]
    missing = [name for name in check.Params.model_fields if not re.search(rf"\b{name}\b", text)]
    assert not missing, f"{check.id}: the Parameters section does not explain {missing}"


@pytest.mark.parametrize("check", list(REGISTRY), ids=lambda c: c.id)
def test_every_guideline_and_plan_reference_resolves(check: type[Check]) -> None:
    for reference in check.references:
        if reference.kind == "guideline":
            assert reference.key in SECTIONS_BY_TITLE, (
                f"{check.id} cites guideline section {reference.key!r}, not a title in "
                "auditor/policy/clauses.py"
            )
        elif reference.kind == "plan":
            assert reference.key in PLAN_ITEMS, (
                f"{check.id} cites unknown plan item {reference.key}"
            )


# Which plan items (plan-goal4.md) each family may cite: segmentation is 4-1-4 ネットワーク強靱化の推進,
# device hardening 4-1-6 庁内通信ネットワークの強化 (4-1-4 where it is about the tiers, 4-2-1 for
# the My Number tier's audit evidence, 4-2-2 for logging and time), monitoring and collection
# 4-2-2 ネットワーク監視の充実 (4-2-3 for what an incident needs: configuration changes); Wi-Fi
# 4-3-3 for the public Wi-Fi and 4-1-4 for business wireless inside the tiers.
PLAN_KEYS_BY_FAMILY = {
    "SEG": {"4-1-4", "4-2-2"},
    "HRD": {"4-1-4", "4-1-6", "4-2-1", "4-2-2"},
    "MON": {"4-2-2", "4-2-3"},
    "COL": {"4-2-2"},
    "TRF": {"4-2-2", "4-1-4"},
    "LED": {"4-1-2", "4-1-5", "4-2-2"},
    "WIFI": {"4-3-3", "4-1-4"},
    "POL": {"4-2-1"},
}


@pytest.mark.parametrize("check", list(REGISTRY), ids=lambda c: c.id)
def test_every_check_cites_a_plan_item_that_fits_its_family(check: type[Check]) -> None:
    keys = {reference.key for reference in check.references if reference.kind == "plan"}
    assert keys, f"{check.id} cites no plan item"
    allowed = PLAN_KEYS_BY_FAMILY[check.id.split("-")[0]]
    assert keys <= allowed, f"{check.id} cites {sorted(keys - allowed)}, outside {sorted(allowed)}"
    if "4-2-1" in keys and check.id.startswith("HRD"):
        assert "mynumber" in check.slug, f"{check.id}: 4-2-1 is for My Number tier evidence"


def test_hrd_001_cites_access_control_first() -> None:
    (hrd_001,) = [check for check in REGISTRY if check.id == "HRD-001"]
    assert hrd_001.references[0].key == "アクセス制御"


@pytest.mark.parametrize("check", list(REGISTRY), ids=lambda c: c.id)
def test_no_check_points_at_a_rule_that_does_not_exist(check: type[Check]) -> None:
    text = " ".join(check.documentation().values())
    families = "|".join(sorted({rule.id.split("-")[0] for rule in REGISTRY}))
    for cited in re.findall(rf"\b(?:{families}|LOG)-\d{{3}}\b", text):
        assert cited in REGISTRY.ids(), f"{check.id} mentions {cited}, which does not exist"


@pytest.mark.parametrize("check", list(REGISTRY), ids=lambda c: c.id)
def test_references_have_one_source_the_code(check: type[Check]) -> None:
    docstring = parse_doc_sections(inspect.getdoc(check) or "")
    assert "References" not in docstring, (
        f"{check.id}: remove the docstring References section; it is generated from references"
    )
    generated = check.documentation()["References"].splitlines()
    assert generated == [f"- {reference_text(ref)}" for ref in check.references]
    for reference in check.references:
        label = reference.label()
        prefix = label.split(" ", 1)[0]
        assert not label.startswith(f"{prefix} {prefix} "), f"{check.id}: {label!r}"


def test_the_registry_hands_the_policy_loader_every_parameter_model() -> None:
    models = REGISTRY.parameter_models()
    assert set(models) == REGISTRY.ids()
    assert "minimum" in models["HRD-015"].model_fields

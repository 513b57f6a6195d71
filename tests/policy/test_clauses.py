"""Guideline references resolve by section title, through the city's own clause map."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from auditor.policy.clauses import (
    ACCESS_CONTROL,
    COMMUNICATION_LINES,
    COMPUTER_AND_NETWORK,
    PLAN_ITEMS,
    SECTIONS,
    WIRELESS_AND_EAVESDROPPING,
    resolve_clause,
)
from auditor.policy.models import ClauseMapping, Policy


def test_a_title_resolves_to_the_editions_number_marked_unverified():
    label = resolve_clause(COMMUNICATION_LINES, Policy())

    assert (label.title, label.number, label.city_clause) == (COMMUNICATION_LINES, "4.3", None)
    assert label.number_verified is False


def test_the_citys_clause_map_adds_its_own_article_and_may_override_the_number():
    policy = Policy(
        clause_map={COMMUNICATION_LINES: ClauseMapping(number="2-4-3", city_clause="第29条")}
    )

    label = resolve_clause(COMMUNICATION_LINES, policy)

    assert (label.number, label.city_clause, label.number_verified) == ("2-4-3", "第29条", True)
    assert label.label_ja() == "2-4-3 通信回線及び通信回線装置の管理(本市: 第29条)"


def test_an_unknown_title_still_resolves_without_a_number():
    label = resolve_clause("存在しない節", Policy())

    assert (label.number, label.city_clause) == (None, None)


def test_titles_are_unique_and_the_plan_carries_all_thirteen_items():
    titles = [section.title for section in SECTIONS]
    assert len(titles) == len(set(titles))
    assert len(PLAN_ITEMS) == 13
    assert PLAN_ITEMS["4-1-4"].name_ja == "ネットワーク強靱化の推進"
    assert all(item.name_ja and item.name_en for item in PLAN_ITEMS.values())


PLAN_FILE = Path(__file__).resolve().parents[3] / "shared" / "plan-goal4.md"


@pytest.mark.skipif(not PLAN_FILE.is_file(), reason="../shared/plan-goal4.md is not present")
def test_plan_titles_equal_the_plan_documents_tables():
    rows = re.findall(
        r"^\| (4-\d-\d) \| ([^|]+?) (?:\(.*?\) )?\|", PLAN_FILE.read_text("utf-8"), re.M
    )
    from_plan = {key: title.strip() for key, title in rows}
    assert len(from_plan) == 13
    assert {key: item.name_ja for key, item in PLAN_ITEMS.items()} == from_plan


def test_r4_3_has_numbers_and_the_quoted_ones_are_verified():
    r43 = Policy(guideline_edition="R4.3")
    assert (
        resolve_clause(COMPUTER_AND_NETWORK, r43).number,
        resolve_clause(COMPUTER_AND_NETWORK, r43).number_verified,
    ) == ("6.1", True)
    assert resolve_clause(ACCESS_CONTROL, r43).number_verified is True
    wireless = resolve_clause(WIRELESS_AND_EAVESDROPPING, r43)
    assert (wireless.number, wireless.number_verified) == ("6.1(13)", True)
    # Later editions: same assumed numbering, not confirmed by a source.
    assert (
        resolve_clause(COMPUTER_AND_NETWORK, Policy(guideline_edition="R7.3")).number_verified
        is False
    )
    assert (
        resolve_clause(WIRELESS_AND_EAVESDROPPING, Policy(guideline_edition="R7.3")).number is None
    )

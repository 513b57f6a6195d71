"""Guideline references resolve by section title, through the city's own clause map."""

from __future__ import annotations

from auditor.policy.clauses import (
    COMMUNICATION_LINES,
    PLAN_ITEMS,
    SECTIONS,
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


def test_titles_are_unique_and_the_plan_items_are_the_six_cited_ones():
    titles = [section.title for section in SECTIONS]
    assert len(titles) == len(set(titles))
    assert sorted(PLAN_ITEMS) == ["4-1-2", "4-1-4", "4-1-5", "4-2-1", "4-2-2", "4-3-3"]
    assert all(item.name_ja and item.name_en for item in PLAN_ITEMS.values())

"""Parsed YAML is kept per (name, text): every caller still gets its own tree, equal to a parse."""

from __future__ import annotations

from pathlib import Path

import pytest

from auditor.policy import source
from auditor.policy.issues import ConfigFileError
from auditor.policy.source import SourceMap, parse_located, to_plain

REPO = Path(__file__).resolve().parents[2]
POLICY = (REPO / "policies" / "example-city" / "policy.yaml").read_text(encoding="utf-8")


def _fresh(text: str, name: str) -> source.Located:
    return source._parse_located(text, name)


def test_a_second_parse_equals_a_fresh_one_and_shares_nothing_with_the_first() -> None:
    first = parse_located(POLICY, "policy.yaml")
    second = parse_located(POLICY, "policy.yaml")
    fresh = _fresh(POLICY, "policy.yaml")
    assert first == second == fresh
    assert SourceMap.of(second).positions == SourceMap.of(fresh).positions
    # loaders merge and delete keys in what they are given: no caller sees another's changes
    first.value.pop("zones")
    first.value["flows"].value.clear()
    third = parse_located(POLICY, "policy.yaml")
    assert third == fresh
    assert to_plain(third) == to_plain(fresh)


def test_the_same_text_under_another_name_names_that_file() -> None:
    parse_located(POLICY, "a.yaml")
    other = parse_located(POLICY, "b.yaml")
    assert other.file == "b.yaml"
    assert all(file == "b.yaml" for file, _ in SourceMap.of(other).positions.values())


def test_errors_are_raised_every_time_and_the_cache_stays_bounded() -> None:
    for _ in range(2):
        with pytest.raises(ConfigFileError):
            parse_located("zones: [\n", "broken.yaml")
    for index in range(source.PARSED_CACHE_ENTRIES + 10):
        parse_located(f"n: {index}\n", "small.yaml")
    assert len(source._parsed) == source.PARSED_CACHE_ENTRIES
    assert to_plain(parse_located("n: 3\n", "small.yaml")) == {"n": 3}

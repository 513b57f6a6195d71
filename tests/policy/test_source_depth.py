"""The nesting budget of the YAML loader: refused while parsing, at the same depth as before."""

from __future__ import annotations

import pytest

from auditor.policy.issues import ConfigFileError
from auditor.policy.source import MAX_DEPTH, parse_located


def _nested(levels: int) -> str:
    """``levels`` lists inside each other: the innermost is at depth ``levels - 1``."""
    return "[" * levels + "]" * levels


def test_the_deepest_allowed_nesting_loads() -> None:
    located = parse_located(_nested(MAX_DEPTH + 1), "deep.yaml")
    depth = 0
    while located.value:
        [located] = located.value
        depth += 1
    assert depth == MAX_DEPTH


def test_flow_nesting_under_block_mappings_loads_up_to_the_same_depth() -> None:
    """The scanner refuses by flow level alone; block levels above it count in the composer."""
    parse_located("a:\n  b: " + _nested(MAX_DEPTH - 1), "deep.yaml")


@pytest.mark.parametrize(
    "text",
    [
        _nested(MAX_DEPTH + 2),
        "[" * 100_000,  # unterminated: refused at level 65, not scanned to the end
        "{a: " * 5_000,
        "zones:\n" + "".join("  " * (n + 1) + "- x:\n" for n in range(MAX_DEPTH + 2)),
        "a:\n  b: " + _nested(MAX_DEPTH),  # flow inside block: the scanner's flow level is lower
    ],
    ids=["one-too-deep", "100000-brackets", "5000-maps", "block-style", "flow-in-block"],
)
def test_deeper_nesting_is_an_issue_with_the_file_and_line(text: str) -> None:
    with pytest.raises(ConfigFileError) as raised:
        parse_located(text, "deep.yaml")
    [issue] = raised.value.issues
    assert issue.line is not None
    assert f"nested deeper than {MAX_DEPTH} levels" in issue.message


def test_an_alias_that_nests_too_deep_is_still_refused_once_expanded() -> None:
    """The composer sees the anchor once; the expanded copy is deeper, and the converter counts it."""
    text = f"base: &b {_nested(60)}\ntop: {'[' * 10}*b{']' * 10}\n"
    with pytest.raises(ConfigFileError, match="nested deeper than"):
        parse_located(text, "alias.yaml")

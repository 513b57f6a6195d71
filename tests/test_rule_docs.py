"""docs/rules/ is generated from the registry and must not go stale."""

from __future__ import annotations

from pathlib import Path

from auditor.rules import discover
from auditor.rules.catalogue import expected_files

DOCS = Path(__file__).resolve().parents[1] / "docs" / "rules"


def test_docs_rules_match_the_registry() -> None:
    expected = expected_files(discover())
    actual = {p.name: p.read_text(encoding="utf-8") for p in DOCS.glob("*.md")}
    stale = sorted(name for name in expected if actual.get(name) != expected[name])
    extra = sorted(set(actual) - set(expected))
    assert not stale and not extra, (
        f"docs/rules is stale (regenerate with `python -m auditor.rules.catalogue`): "
        f"changed {stale}, no longer a check {extra}"
    )

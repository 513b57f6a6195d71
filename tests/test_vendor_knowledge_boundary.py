"""Vendor knowledge stops at ``auditor/platforms/`` (issue 13).

Platform names and vendor interface spellings may appear in the platform layer, the lab (which
plays the vendors' CLIs) and the collectors (which pick a profile by platform); analysis, the
audit service, rules, the store, reports and checks read the typed model only. Docstrings and
comments are documentation for users (a check's Remediation names vendor commands) and are not
scanned; code and every other string literal are.
"""

from __future__ import annotations

import ast
import io
import re
import tokenize
from pathlib import Path

import pytest

from auditor.platforms.registry import profiles

ROOT = Path(__file__).resolve().parent.parent
SCANNED = [
    ROOT / "auditor" / "analysis",
    ROOT / "auditor" / "audit",
    ROOT / "auditor" / "report",
    ROOT / "auditor" / "store",
    ROOT / "auditor" / "rules",
    ROOT / "auditor" / "model",
    ROOT / "auditor" / "policy",
    ROOT / "checks",
]
PLATFORM_WORDS = sorted(
    {*profiles(), "fortinet", "fortigate", "yamaha", "awplus", "alaxala", "nec_ix", "junos"}
)
FORBIDDEN = {
    "platform names": r"(?i)\b(?:" + "|".join(map(re.escape, PLATFORM_WORDS)) + r")\b",
    "vendor interface spellings": (
        r"(?i)\b(?:vlanif|vlan-interface|gigabitethernet|tengigabitethernet|fastethernet|"
        r"port-channel|gigaethernet)\b|\bVlan\d|\bVLAN0\d|\birb\\?\.|\bbvi\b"
    ),
    # IOS ``host A`` operands and wildcard masks: a literal "host " token, a wildcard helper.
    "vendor address syntax": r"""(?:^|\s)["']host ["'](?:\s|$)|\bwildcard""",
    # Configuration header stamps (IOS, NEC IX, AX, FortiGate): the platform parser reads them
    # into ``SystemInfo.config_changed_at``/``config_changed_by``.
    "configuration header stamps": (
        r"(?i)last\s+configuration\s+change|last\s+updated\s+\w{3}|last\s+modified\s+by|"
        r"config-version="
    ),
}


def _sources() -> list[Path]:
    return sorted(p for folder in SCANNED for p in folder.rglob("*.py"))


def _docstring_lines(tree: ast.AST) -> set[int]:
    """Lines of bare string statements (module, class and function docstrings)."""
    lines: set[int] = set()
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Expr)
            and isinstance(node.value, ast.Constant)
            and isinstance(node.value.value, str)
        ):
            lines.update(range(node.lineno, (node.end_lineno or node.lineno) + 1))
    return lines


def code_lines(source: str) -> dict[int, str]:
    """Each line's code and non-docstring string literals, without comments or docstrings."""
    skipped = _docstring_lines(ast.parse(source))
    lines: dict[int, list[str]] = {}
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type in (tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE):
            continue
        if token.type == tokenize.STRING and token.start[0] in skipped:
            continue
        lines.setdefault(token.start[0], []).append(token.string)
    return {number: " ".join(parts) for number, parts in lines.items()}


def test_the_scan_covers_the_layers_above_the_platforms() -> None:
    names = {p.relative_to(ROOT).as_posix() for p in _sources()}
    assert {"auditor/analysis/layer2.py", "auditor/analysis/layer3.py"} <= names
    assert "checks/segmentation/permit_beyond_policy.py" in names
    assert not any(name.startswith("auditor/platforms/") for name in names)


@pytest.fixture(scope="module")
def scanned_code() -> list[tuple[Path, dict[int, str]]]:
    """Every scanned file's code lines, tokenized once for all the kinds below."""
    return [(path, code_lines(path.read_text(encoding="utf-8"))) for path in _sources()]


@pytest.mark.parametrize("kind", sorted(FORBIDDEN))
def test_no_vendor_knowledge_outside_the_platform_layer(
    kind: str, scanned_code: list[tuple[Path, dict[int, str]]]
) -> None:
    pattern = re.compile(FORBIDDEN[kind])
    hits = [
        f"{path.relative_to(ROOT)}:{number}: {text}"
        for path, lines in scanned_code
        for number, text in lines.items()
        if pattern.search(text)
    ]
    assert hits == []


def test_the_scan_sees_code_but_not_documentation() -> None:
    source = '''"""Module docstring naming cisco_ios and Vlan10 for users."""
# a comment about fortinet
FIREWALLS = frozenset({"fortinet"})


def f(text: str) -> str:
    """Remediation: ``interface Vlan21``."""
    return "Vlan21" + text.removeprefix("host ")


STAMP = re.compile(r"Last configuration change at (\\S+)")
'''
    lines = code_lines(source)
    assert re.search(FORBIDDEN["platform names"], lines[3])
    assert re.search(FORBIDDEN["vendor interface spellings"], lines[8])
    assert re.search(FORBIDDEN["vendor address syntax"], lines[8])
    assert not re.search(FORBIDDEN["vendor address syntax"], "f\"host '{name}' is in zone\"")
    assert re.search(FORBIDDEN["configuration header stamps"], lines[11])
    assert not any(
        re.search(pattern, text)
        for number, text in lines.items()
        if number in (1, 2, 7)
        for pattern in FORBIDDEN.values()
    )

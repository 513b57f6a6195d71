"""One glossary (docs/glossary.md): every Japanese user-facing string uses one word per concept.

Scans the CLI string tables (``auditor/cli/i18n*.py``), the report labels and the checks' titles,
messages and reasons — the messages are f-strings, so the check modules' source is parsed and the
literal parts of every ``title_ja``/``message_ja``/``reason_ja``/``basis_ja`` are read.
"""

from __future__ import annotations

import ast
import functools
import importlib
import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]

FORBIDDEN: dict[str, str] = {
    # pattern: the word to use (docs/glossary.md)
    r"機器台帳": "機器一覧 (台帳 means only the asset ledger)",
    r"強靱": "強靭 (the guideline's own spelling)",
    r"サーバ(?!ー)": "サーバー",
    r"インタフェース": "インターフェース",
    r"ユーザ(?!ー)": "ユーザー",
    r"ルータ(?!ー)": "ルーター",
    r"報告書": "レポート",
    r"検出事項|指摘事項": "指摘",
    r"デーモン": "常駐プロセス",
    r"該当なし|判定対象なし": "対象外",
}
_JA_NAME = re.compile(r"(title|message|reason|basis|detail|summary)_ja$|_JA$|^ja$")


def _string_tables() -> dict[str, list[tuple[str, str]]]:
    """(ja, en) pairs of every CLI and report string table."""
    tables: dict[str, list[tuple[str, str]]] = {}
    for path in sorted((REPO / "auditor" / "cli").glob("i18n*.py")):
        module = importlib.import_module(f"auditor.cli.{path.stem}")
        for name in ("MESSAGES", "HEADERS", "VALUES"):
            table = getattr(module, name, None)
            if isinstance(table, dict):
                tables[f"{path.name}:{name}"] = list(table.values())
    from auditor.report.labels import LABELS

    tables["auditor/report/labels.py:LABELS"] = list(LABELS.values())
    return tables


def _literal_parts(node: ast.AST) -> list[str]:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.JoinedStr):
        return [v.value for v in node.values if isinstance(v, ast.Constant)]
    if isinstance(node, ast.BinOp):
        return _literal_parts(node.left) + _literal_parts(node.right)
    if isinstance(node, ast.IfExp):
        return _literal_parts(node.body) + _literal_parts(node.orelse)
    return []


@functools.cache
def _check_strings() -> list[tuple[str, str]]:
    """(where, Japanese text) of every title/message/reason literal in ``checks/**`` (parsed once
    per process for the tests below, which only read it)."""
    found: list[tuple[str, str]] = []
    for path in sorted((REPO / "checks").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            targets: list[tuple[str, ast.AST]] = []
            if isinstance(node, ast.keyword) and node.arg and _JA_NAME.search(node.arg):
                targets.append((node.arg, node.value))
            elif isinstance(node, ast.Assign | ast.AnnAssign):
                names = node.targets if isinstance(node, ast.Assign) else [node.target]
                for target in names:
                    named = isinstance(target, ast.Name) and _JA_NAME.search(target.id)
                    if named and node.value is not None:
                        targets.append((target.id, node.value))  # type: ignore[union-attr]
            for name, value in targets:
                text = "".join(_literal_parts(value))
                if text:
                    where = f"{path.relative_to(REPO)}:{getattr(value, 'lineno', 0)} {name}"
                    found.append((where, text))
    return found


def _violations(texts: list[tuple[str, str]]) -> list[str]:
    return [
        f"{where}: {match.group(0)!r} -> {use}: {text[:80]}"
        for where, text in texts
        for pattern, use in FORBIDDEN.items()
        for match in [re.search(pattern, text)]
        if match
    ]


def test_the_scan_reads_the_checks_messages() -> None:
    strings = _check_strings()
    messages = [w for w, _ in strings if w.endswith("message_ja")]
    titles = [w for w, _ in strings if w.endswith("title_ja")]
    assert len(messages) > 80 and len(titles) > 70
    assert any("機器一覧" in text for _, text in strings)


@pytest.mark.parametrize("pattern", sorted(FORBIDDEN))
def test_the_scan_catches_a_forbidden_variant(pattern: str) -> None:
    sample = {
        r"機器台帳": "機器台帳にない機器",
        r"強靱": "強靱性",
        r"サーバ(?!ー)": "NTP サーバ未設定",
        r"インタフェース": "インタフェース Gi0/1",
        r"ユーザ(?!ー)": "ローカルユーザ admin",
        r"ルータ(?!ー)": "ルータの設定",
        r"報告書": "報告書に印字",
        r"検出事項|指摘事項": "指摘事項 3 件",
        r"デーモン": "デーモンの状態",
        r"該当なし|判定対象なし": "(該当なし)",
    }[pattern]
    assert _violations([("sample", sample)])
    assert not _violations([("sample", "NTP サーバー・ルーター・ユーザー・インターフェース")])


def test_no_forbidden_variant_in_the_cli_and_report_string_tables() -> None:
    texts = [(table, ja) for table, pairs in _string_tables().items() for ja, _ in pairs]
    assert _violations(texts) == []


def test_no_forbidden_variant_in_check_titles_and_messages() -> None:
    assert _violations(_check_strings()) == []


def test_the_ledger_word_never_stands_for_the_inventory() -> None:
    """台帳 is the asset ledger: a string whose English says "inventory" (and no ledger) must not
    say 台帳 in Japanese."""
    wrong = [
        f"{table}: {ja}"
        for table, pairs in _string_tables().items()
        for ja, en in pairs
        if "台帳" in ja and "inventory" in en.lower() and "ledger" not in en.lower()
    ]
    assert wrong == []


def test_the_resilience_spelling_follows_the_guideline() -> None:
    """The guideline's chapter title spells 強靭; only the city plan's own title keeps 強靱."""
    from auditor.policy.clauses import PLAN_RESILIENCE, RESILIENCE

    assert "強靭" in RESILIENCE
    assert "強靱" in PLAN_RESILIENCE.name_ja  # quoted verbatim, the one exception in the glossary
    glossary = (REPO / "docs" / "glossary.md").read_text(encoding="utf-8")
    assert "ネットワーク強靱化の推進" in glossary and "機器一覧" in glossary

"""Japanese-first user-facing text for the CLI, with English alongside.

The language comes from ``--lang`` when given, else from the locale (``LC_ALL``, ``LC_MESSAGES``,
``LANG``): a Japanese locale gives Japanese, anything else English.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Literal

Lang = Literal["ja", "en"]

MESSAGES: dict[str, tuple[str, str]] = {
    # key: (ja, en)
    "app": (
        "強靭 (Kyojin) 監査: 自治体ネットワークの三層の対策を継続的に点検します。\n\n"
        "終了コード: 0 = --fail-on 以上の指摘なし、1 = --fail-on 以上の指摘あり、"
        "2 = 入力・使い方の誤り、3 = 実行が不完全 (収集できない機器があった、または中断)。",
        "Kyojin Auditor: continuous 三層の対策 compliance auditing of municipal networks.\n\n"
        "Exit codes: 0 = nothing at or above --fail-on, 1 = findings at or above --fail-on, "
        "2 = invalid input or usage, 3 = the run was incomplete (a device not collected, or "
        "interrupted).",
    ),
    "validate": (
        "ポリシー・機器台帳・資産台帳を検証します (誤りは ファイル:行: 項目 で表示)。",
        "Validate policy, inventory and asset ledger (errors name file:line: field).",
    ),
    "rules": (
        "チェック (ルール) の一覧、または ID を指定して説明を表示します。",
        "List the checks, or show one check's documentation by ID.",
    ),
    "run": (
        "機器台帳の全機器を収集・評価し、実行結果を記録します (完全実行)。",
        "Collect and evaluate every inventory device and record the run (full run).",
    ),
    "check": (
        "指定した機器だけを収集・評価します (部分実行として記録)。",
        "Collect and evaluate the named devices only (recorded as a partial run).",
    ),
    "findings": (
        "記録された指摘の一覧・詳細・確認。",
        "List, show and acknowledge stored findings.",
    ),
    "findings.list": ("指摘の一覧を表示します。", "List findings."),
    "findings.show": ("指摘の詳細と履歴を表示します。", "Show one finding with its history."),
    "findings.ack": ("指摘を確認済みにします (履歴に記録)。", "Acknowledge a finding (recorded)."),
    "db": ("データベースの管理。", "Database administration."),
    "db.upgrade": (
        "データベースを最新のスキーマに移行します。",
        "Upgrade the database schema to the latest migration.",
    ),
    "verify": (
        "指摘履歴のハッシュ連鎖を再計算し、改ざんを検出します。",
        "Recompute the finding-event hash chain and report the first broken link.",
    ),
    "opt.policy": ("ポリシーのファイルまたはディレクトリ。", "Policy file or directory."),
    "opt.inventory": ("機器台帳のファイルまたはディレクトリ。", "Inventory file or directory."),
    "opt.ledger": ("情報資産管理台帳 (CSV/XLSX)。", "Asset ledger (CSV/XLSX)."),
    "opt.db": (
        "データベース URL またはファイル (既定: 状態ディレクトリの SQLite)。",
        "Database URL or file (default: SQLite in the state directory).",
    ),
    "opt.fail_on": (
        "この重大度以上の指摘があれば終了コード 1。",
        "Exit 1 when a finding at or above this severity remains.",
    ),
    "opt.format": ("出力形式。", "Output format."),
    "opt.lang": ("表示言語 (ja / en)。", "Output language (ja / en)."),
    "opt.only": ("使う収集方式 (snmp, ssh)。", "Collectors to use (snmp, ssh)."),
    "opt.lab_state": ("ラボの状態ディレクトリ。", "Lab state directory."),
    "demo": (
        "デモ: 模擬都市ネットワークを起動し、監査を 1 回実行して、検出数と仕込んだ違反を比較します。",
        "Demo: start the simulated city, run one full audit, compare found with planted.",
    ),
    # output
    "valid": ("検証に成功しました", "Validation succeeded"),
    "warnings": ("警告", "Warnings"),
    "errors": ("エラー", "Errors"),
    "no_findings": ("指摘はありません。", "No findings."),
    "run_summary": (
        "実行 {run_id}: 状態 {status}、機器 {covered}/{total} 台を収集、指摘 {count} 件",
        "Run {run_id}: status {status}, collected {covered}/{total} devices, {count} findings",
    ),
    "not_applicable": (
        "判定対象なし (比較する情報がない): {count} 件",
        "Not applicable (nothing to compare): {count}",
    ),
    "unknown_device": ("機器台帳にない機器: {names}", "Not in the inventory: {names}"),
    "unknown_rule": ("そのIDのチェックはありません: {id}", "No check with id {id}"),
    "verify_ok": (
        "ハッシュ連鎖は正常です ({count} 件のイベントを検証)。",
        "The hash chain is intact ({count} events checked).",
    ),
    "verify_broken": (
        "ハッシュ連鎖が壊れています: イベント {event_id} ({reason})",
        "The hash chain is broken at event {event_id} ({reason})",
    ),
    "db_upgraded": ("データベースを最新化しました: {url}", "Database upgraded: {url}"),
    "acked": ("確認済みにしました: {fp}", "Acknowledged: {fp}"),
}


def detect_lang(argv: Sequence[str], environ: Mapping[str, str]) -> Lang:
    """``--lang`` on the command line wins; otherwise the locale decides."""
    for index, arg in enumerate(argv):
        if arg == "--lang" and index + 1 < len(argv):
            return "ja" if argv[index + 1].lower().startswith("ja") else "en"
        if arg.startswith("--lang="):
            return "ja" if arg.split("=", 1)[1].lower().startswith("ja") else "en"
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = environ.get(name)
        if value:
            return "ja" if value.lower().startswith("ja") else "en"
    return "en"


def t(key: str, lang: Lang, **values: object) -> str:
    ja, en = MESSAGES[key]
    text = ja if lang == "ja" else en
    return text.format(**values) if values else text


def both(key: str) -> str:
    """Japanese and English together, for places that cannot know the language."""
    ja, en = MESSAGES[key]
    return f"{ja} / {en}"

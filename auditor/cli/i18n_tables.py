"""Column headers and enumerated values of the CLI's tables (``findings list``, ``status``,
``rules``, ``check``/``run``), so ``--lang ja`` tables are Japanese like the report's.

The words match ``auditor/report/labels.py`` and ``docs/glossary.md``: one term per concept.
"""

from __future__ import annotations

from auditor.model.language import Lang

HEADERS: dict[str, tuple[str, str]] = {
    "fingerprint": ("指紋", "fingerprint"),
    "status": ("状態", "status"),
    "severity": ("重要度", "severity"),
    "check": ("チェック", "check"),
    "device": ("機器", "device"),
    "subject": ("対象", "subject"),
    "message": ("内容", "message"),
    "first seen": ("初回検出", "first seen"),
    "id": ("ID", "id"),
    "scope": ("範囲", "scope"),
    "title": ("名称", "title"),
    "kind": ("種類", "kind"),
    "started": ("開始", "started"),
    "duration s": ("所要秒数", "duration s"),
}

VALUES: dict[str, tuple[str, str]] = {
    # finding and run states (the report's words, auditor/report/labels.py status.*)
    "new": ("新規", "new"),
    "open": ("未対応", "open"),
    "reopened": ("再発", "reopened"),
    "resolved": ("解消", "resolved"),
    "suppressed": ("抑止", "suppressed"),
    "in_progress": ("対応中", "in progress"),
    "complete": ("完了", "complete"),
    "partial": ("一部のみ", "partial"),
    "incomplete": ("未完了", "incomplete"),
    "failed": ("失敗", "failed"),
    "running": ("実行中", "running"),
    # rule scopes
    "device": ("機器", "device"),
    "network": ("ネットワーク全体", "network"),
    "ledger": ("資産台帳", "ledger"),
    "policy": ("ポリシー", "policy"),
    "history": ("履歴", "history"),
    "traffic": ("通信", "traffic"),
    "collection": ("収集", "collection"),
    # run kinds
    "poll": ("定期収集", "poll"),
    "audit": ("監査", "audit"),
    "offline": ("オフライン監査", "offline"),
}


def header(key: str, lang: Lang) -> str:
    ja, en = HEADERS[key]
    return ja if lang == "ja" else en


def headers(lang: Lang, *keys: str) -> list[str]:
    return [header(key, lang) for key in keys]


def value(raw: str, lang: Lang) -> str:
    """The word for a stored state, scope or run kind; an unknown value is shown as it is."""
    pair = VALUES.get(raw)
    if pair is None:
        return raw
    return pair[0] if lang == "ja" else pair[1]

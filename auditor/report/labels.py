"""Report and export wording, Japanese first (the readers are municipal staff and auditors)."""

from __future__ import annotations

LABELS: dict[str, tuple[str, str]] = {
    "title": ("ネットワーク強靭性 監査レポート", "Network resilience audit report"),
    "report_date": ("対象日", "Report date"),
    "generated_at": ("作成日時", "Generated at"),
    "run": ("最新の実行", "Latest run"),
    "previous_run": ("前回の実行", "Previous run"),
    "no_run": ("実行記録がありません", "No run recorded"),
    "devices_collected": ("収集できた機器", "Devices collected"),
    "chain_head": ("履歴ハッシュ連鎖の先頭", "Event hash-chain head"),
    "tool_version": ("ツールのバージョン", "Tool version"),
    "rule_pack_hash": ("ルールパックのハッシュ", "Rule-pack hash"),
    "headline": ("区域別・重大度別の未対応件数", "Open findings by zone and severity"),
    "zone": ("区域", "Zone"),
    "total": ("合計", "Total"),
    "matrix": ("区域間通信マトリクス", "Zone-to-zone matrix"),
    "matrix_help": (
        "行 = 送信元区域、列 = 宛先区域。A = ポリシーで許可、P = 機器設定で通過可能、O = 通信を観測。",
        "Rows = source zone, columns = destination zone. A = allowed by policy, P = permitted by "
        "device configuration, O = observed in traffic.",
    ),
    "legend_ok": ("許可され一致", "Allowed"),
    "legend_violation": (
        "ポリシー違反 (許可なし、または許可の範囲を超えて通過可能/観測)",
        "Violation (permitted or observed without, or beyond, what the policy allows)",
    ),
    "legend_denied": ("遮断 (許可なし)", "Denied (not allowed)"),
    "legend_unknown": ("不明 (情報なし)", "Unknown (no data)"),
    "no_matrix": ("マトリクスの情報がありません。", "No matrix data."),
    "matrix_from": (
        "実行 #{run} ({at}) で記録したマトリクスです。",
        "Matrix recorded by run #{run} ({at}).",
    ),
    "matrix_gap_none": (
        "カバレッジの欠落: マトリクスを記録した実行がありません。ポリシーの許可のみを表示しています"
        " (機器設定・通信は不明)。",
        "Coverage gap: no run has stored a zone matrix; only what the policy allows is shown "
        "(device configuration and traffic unknown).",
    ),
    "matrix_gap_failed": (
        "カバレッジの欠落: 実行 #{run} ({at}) のマトリクスを計算できませんでした ({error})。"
        "ポリシーの許可のみを表示しています。",
        "Coverage gap: the zone matrix of run #{run} ({at}) could not be computed ({error}); only "
        "what the policy allows is shown.",
    ),
    "matrix_gap_devices": (
        "カバレッジの欠落: 次の機器は収集できなかったため、設定による通過可否が反映されていません: {devices}",
        "Coverage gap: these devices were not collected, so what their configuration permits is "
        "missing from the matrix: {devices}",
    ),
    "matrix_gap_missing": (
        "カバレッジの欠落: 最新の実行 #{latest} はマトリクスを記録していません。"
        "表示は実行 #{run} ({at}) のものです。",
        "Coverage gap: the latest run #{latest} stored no zone matrix; the matrix shown is run "
        "#{run}'s ({at}).",
    ),
    "trend": ("未対応件数の推移 (30 日)", "Open findings over 30 days"),
    "new": ("前回以降の新規", "New since the previous report"),
    "resolved": ("解消", "Resolved"),
    "still_open": ("未対応 (経過日数順)", "Still open (oldest first)"),
    "suppressed": ("抑止中 (例外措置)", "Suppressed (exceptions)"),
    "expiring": ("30 日以内に期限切れとなる例外措置", "Exceptions expiring within 30 days"),
    "expired": ("期限切れの例外措置", "Expired exceptions"),
    "collection_errors": ("収集エラー", "Collection errors"),
    "unreached": ("収集できなかった機器", "Devices not reached"),
    "devices": ("機器別の指摘", "Findings by device"),
    "network_wide": ("ネットワーク全体の指摘", "Network-wide findings"),
    "all_findings": ("指摘一覧", "All findings"),
    "none": ("なし", "None"),
    "more": ("ほか {n} 件 (機器別の指摘を参照)", "{n} more (see findings by device)"),
    "severity": ("重大度", "Severity"),
    "status": ("状態", "Status"),
    "check": ("チェック", "Check"),
    "device": ("機器", "Device"),
    "subject": ("対象", "Subject"),
    "message": ("内容", "Message"),
    "age": ("経過日数", "Age (days)"),
    "first_seen": ("初回検出", "First seen"),
    "last_seen": ("最終検出", "Last seen"),
    "resolved_at": ("解消日時", "Resolved at"),
    "guideline": ("ガイドライン", "Guideline"),
    "plan": ("計画項目", "Plan item"),
    "references": ("参照", "References"),
    "exception": ("例外", "Exception"),
    "reason": ("理由", "Reason"),
    "approver": ("承認者", "Approver"),
    "approval_number": ("承認番号", "Approval number"),
    "expires": ("有効期限", "Expires"),
    "days_left": ("残り日数", "Days left"),
    "acknowledged": ("確認済み", "Acknowledged"),
    "reached": ("収集", "Collected"),
    "not_reached": ("収集できず", "Not reached"),
    "yes": ("はい", "yes"),
    "no": ("いいえ", "no"),
    "status.new": ("新規", "new"),
    "status.open": ("未対応", "open"),
    "status.reopened": ("再発", "reopened"),
    "status.resolved": ("解消", "resolved"),
    "status.suppressed": ("抑止", "suppressed"),
    "compact_note": (
        "指摘が {n} 件あるため、機器ごとの件数のみを示します。全件は CSV / XLSX / JSON 出力を参照してください。",
        "With {n} findings, only per-device counts are shown; every finding is in the CSV / XLSX / "
        "JSON exports.",
    ),
    "summary_sheet": ("集計", "Summary"),
    "audit_grade": ("監査の判定", "Audit grade"),
    "grade_headline": (
        "監査の判定別の未対応件数 (監査範囲の制約は別掲)",
        "Open findings by audit grade (scope limitations listed apart)",
    ),
    "scope_limitations": ("監査範囲の制約", "Scope limitations"),
    "evidence_required": ("証跡確認が必要", "Evidence required"),
    "evidence_required_help": (
        "ネットワークからは確認できない対策です (二要素認証・USB 制御・EDR 等)。証跡を確認するまでは"
        "適合とも不適合ともしません。",
        "Measures the network cannot show (two-factor authentication, USB control, EDR …). Neither "
        "passed nor a non-conformity until their evidence has been seen.",
    ),
    "scope_limitations_help": (
        "監査側が情報を収集・判定できなかった事項です (収集エラー・判定不能)。市の不適合ではありません。",
        "What the auditor could not collect or judge (collection failures, not applicable). "
        "These are not non-conformities of the city.",
    ),
    "findings_sheet": ("全指摘", "Findings"),
}


def label(key: str, lang: str, **values: object) -> str:
    ja, en = LABELS[key]
    text = ja if lang == "ja" else en
    return text.format(**values) if values else text


def status_label(status: str, lang: str) -> str:
    key = f"status.{status}"
    return label(key, lang) if key in LABELS else status

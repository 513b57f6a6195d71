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
        "行 = 送信元区域、列 = 宛先区域。記号と色の意味は下の凡例のとおりです (o = 通信を観測)。",
        "Rows = source zone, columns = destination zone. Symbols and colours as in the legend "
        "below (o = observed in traffic).",
    ),
    "legend_ok": ("方針どおり許可", "Permitted as allowed"),
    "legend_violation": (
        "方針を超える許可・通信 (許可のない区域間、または許可された区域間でも許可の範囲を超えて"
        "通過可能・観測)",
        "Permit or traffic beyond the policy (between zones the policy does not allow, or beyond "
        "what it allows)",
    ),
    "legend_path-violation": (
        "経路で到達可能 (各機器の許可は範囲内でも、複数機器を経由する経路が方針を超える)",
        "Reachable by a path across devices beyond the policy (each hop within its own rules)",
    ),
    "legend_not-permitted": (
        "方針で許可・設定では未許可",
        "Allowed, not permitted by configuration",
    ),
    "legend_denied": ("遮断 (方針で許可なし)", "Denied (not allowed)"),
    "legend_unknown": ("不明 (情報なし)", "Unknown (no data)"),
    "legend_self": ("同一区域", "Same zone"),
    "legend_observed": ("o = 通信を観測", "o = observed in traffic"),
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
    "status.in_progress": ("対応中", "in progress"),
    "status.complete": ("完了", "complete"),
    "status.partial": ("一部のみ", "partial"),
    "status.incomplete": ("未完了", "incomplete"),
    "status.failed": ("失敗", "failed"),
    "status.running": ("実行中", "running"),
    "compact_note": (
        "指摘が {n} 件あるため、機器ごとの件数のみを示します。全件は CSV / XLSX / JSON 出力を参照してください。",
        "With {n} findings, only per-device counts are shown; every finding is in the CSV / XLSX / "
        "JSON exports.",
    ),
    "devices_left_out": (
        "未到達の機器と指摘の重い機器 {shown} 台を示しました。ほか {n} 台の機器は省略しています。"
        "全件は CSV / XLSX 出力を参照してください。",
        "The {shown} unreached or worst devices are shown; {n} more devices are left out here. "
        "Every finding is in the CSV / XLSX exports.",
    ),
    "summary_sheet": ("集計", "Summary"),
    "reconcile.open": ("未対応", "open"),
    "reconcile.evidence_required": ("証跡の確認待ち", "evidence required"),
    "reconcile.scope_limitations": ("監査範囲の制約", "scope limitations"),
    "reconcile.suppressed": ("抑止", "suppressed"),
    "reconcile.resolved": ("解消", "resolved"),
    "reconcile.other": ("その他", "other"),
    "reconcile_line": (
        "件数の内訳: {terms} = 出力 (CSV・XLSX・JSON) の {rows} 行",
        "Counts: {terms} = {rows} rows exported (CSV, XLSX, JSON)",
    ),
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
    "provenance_sheet": ("来歴", "Provenance"),
    "findings_sheet": ("全指摘", "Findings"),
    # The opening summary (a non-engineer acts on it) and the table of contents.
    "toc": ("目次", "Contents"),
    "summary": ("まとめ", "Summary"),
    "changes": ("前回からの変化", "Changes since the previous report"),
    "changes_line": (
        "新規 {new} 件、再発 {reopened} 件、解消 {resolved} 件。未対応は {open} 件"
        " (うち重大な不適合 {major} 件) です。",
        "{new} new, {reopened} reopened, {resolved} resolved. {open} open ({major} major "
        "non-conformities).",
    ),
    "todo": ("まず対応すること", "What to do first"),
    "todo_none": (
        "対応が必要な未対応の指摘はありません。",
        "No open finding needs action.",
    ),
    "todo_item": (
        "{title} ({n} 件{where}) — {verb}",
        "{title} ({n} finding(s){where}) — {verb}",
    ),
    "todo_where": ("、機器: {devices}", ", devices: {devices}"),
    "verb.major_nonconformity": ("直ちに是正してください。", "correct this now."),
    "verb.minor_nonconformity": ("計画的に是正してください。", "plan the correction."),
    "verb.observation": (
        "内容を確認し、必要なら対応してください。",
        "review it and act where needed.",
    ),
    "verb.scope_limitation": ("監査側で確認します。", "the auditor follows this up."),
    "verb.evidence_required": (
        "証跡 (記録・設定画面など) を監査人に提示してください。",
        "show the auditor the evidence (records, settings).",
    ),
    "responsible": ("担当 (所管課)", "Responsible"),
    "default_owner": ("情報管理課", "Information management division"),
    "change": ("変化", "Change"),
    "change.new": ("新規", "new"),
    "change.reopened": ("再発", "reopened"),
    "reopened": ("再発", "Reopened"),
    "open_findings": ("未対応の指摘", "Open findings"),
    "provenance": ("記録と検証のための情報", "Provenance"),
    "provenance_help": (
        "このレポートがどの実行・どのルールで作られたかを確かめるための情報です。",
        "What this report was made from, for verification.",
    ),
    "edition": ("ガイドラインの版", "Guideline edition"),
    "edition_value": ("{edition} 版", "edition {edition}"),
    "history": ("経緯", "History"),
    "recommendation": ("推奨される対応", "Recommendation"),
    "recommendations": ("ルールごとの推奨される対応", "Recommendations by rule"),
    "evidence": ("証跡", "Evidence"),
    "evidence_files": ("証跡ファイル", "Evidence files"),
    "outcome": ("結果", "Outcome"),
    "fingerprint": ("識別子", "Fingerprint"),
    "event.created": ("検出", "detected"),
    "event.resolved": ("解消", "resolved"),
    "event.reopened": ("再発", "reopened"),
    "event.suppressed": ("抑止", "suppressed"),
    "event.unsuppressed": ("抑止解除", "unsuppressed"),
    "event.acked": ("確認", "acknowledged"),
    "event.severity_changed": ("重大度の変更", "severity changed"),
    "outcome.fail": ("不適合", "fail"),
    "outcome.error": ("判定不能", "error"),
    "outcome.not_applicable": ("対象外", "not applicable"),
    "no_zone": ("区域なし", "no zone"),
    "not_recorded": ("(未記録)", "(not recorded)"),
    "no_expiry": ("期限なし", "no expiry"),
    "mail_subject": ("件名", "Subject"),
    "mail_subject_text": (
        "[強靭性監査] {date} 重大な不適合 {major} 件・新規 {new} 件・解消 {resolved} 件",
        "[Resilience audit] {date}: {major} major, {new} new, {resolved} resolved",
    ),
    "details": ("詳細", "Details"),
    "trend_gap": ("実行なし", "no run"),
    "trend_gap_help": (
        "点線の枠の日は監査の実行がなかった日です (0 件ではありません)。",
        "Days drawn as a dashed box had no audit run (not zero findings).",
    ),
}


def label(key: str, lang: str, **values: object) -> str:
    ja, en = LABELS[key]
    text = ja if lang == "ja" else en
    return text.format(**values) if values else text


def status_label(status: str, lang: str) -> str:
    key = f"status.{status}"
    return label(key, lang) if key in LABELS else status


def keyed(prefix: str, value: str, lang: str) -> str:
    """``label(f"{prefix}.{value}")`` where one exists, else ``value`` as it is."""
    key = f"{prefix}.{value}"
    return label(key, lang) if key in LABELS else value


def owner_label(responsible: str, lang: str) -> str:
    """The 所管課 to show; an empty one is the information-management division (情報管理課)."""
    return responsible or label("default_owner", lang)

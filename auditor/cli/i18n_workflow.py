"""Texts of the finding workflow and the control matrix (merged into ``auditor.cli.i18n``).

Kept apart so these commands add their texts without editing the shared table.
"""

MESSAGES: dict[str, tuple[str, str]] = {
    "findings.assign": (
        "指摘の所管課を設定します (履歴に記録)。",
        "Assign a finding to a department (recorded).",
    ),
    "findings.comment": (
        "指摘にコメントを追記します (履歴に記録)。",
        "Add a comment to a finding (recorded).",
    ),
    "findings.due": (
        "指摘の対応期限を設定します (履歴に記録)。",
        "Set the due date of a finding (recorded).",
    ),
    "findings.progress": (
        "指摘を「対応中」にします (--stop で未対応に戻します)。",
        "Mark a finding in progress (--stop puts it back to open).",
    ),
    "opt.owner": ("所管課 (例: 総務課)。", "Owning department (e.g. 総務課)."),
    "opt.comment_text": ("コメント本文。", "Comment text."),
    "opt.due_date": (
        "対応期限 (YYYY-MM-DD)。--clear で解除。",
        "Due date (YYYY-MM-DD); --clear removes it.",
    ),
    "opt.due_clear": ("期限を解除します。", "Remove the due date."),
    "opt.progress_stop": ("対応中を取り消し、未対応に戻します。", "Back from in progress to open."),
    "opt.actor": (
        "操作した人 (既定: OS のユーザー名)。",
        "Who makes the change (default: the OS user).",
    ),
    "workflow.assigned": ("所管課を設定しました: {fp} → {owner}", "Assigned: {fp} → {owner}"),
    "workflow.commented": ("コメントを記録しました: {fp}", "Comment recorded: {fp}"),
    "workflow.due": ("対応期限を設定しました: {fp} → {due}", "Due date set: {fp} → {due}"),
    "workflow.progress": ("状態を変更しました: {fp} → {status}", "Status changed: {fp} → {status}"),
    "opt.controls_run": (
        "管理策マトリクスの対象とする実行 ID (既定: 結果を記録した最新の実行)。",
        "Run id of the control matrix (default: the newest run that recorded results).",
    ),
    "controls.written": (
        "管理策マトリクス ({checks} チェック × {targets} 対象) を書き出しました: {out}",
        "Control matrix ({checks} checks × {targets} targets) written: {out}",
    ),
    "controls.none": (
        "結果を記録した実行がまだありません (auditor run を実行してください)。",
        "No run has recorded its results yet (run `auditor run`).",
    ),
}

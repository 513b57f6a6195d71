"""Help texts of ``audit-configs`` and ``review`` (merged into :data:`auditor.cli.i18n.MESSAGES`).

Kept apart so the offline commands add their texts without editing the shared table.
"""

MESSAGES: dict[str, tuple[str, str]] = {
    "offline.audit-configs": (
        "保存された設定ファイル(フォルダ、Oxidized、RANCID)をオフラインで監査し、記録します。",
        "Audit saved configurations (folder, Oxidized, RANCID) offline and record the runs.",
    ),
    "offline.dir": ("設定ファイルのフォルダ", "folder of saved configurations"),
    "offline.layout": ("入力の形式 (auto で自動判定)", "input layout (auto detects it)"),
    "offline.inventory": (
        "機器一覧 (省略時は設定の hostname を機器名とします)",
        "inventory (default: none; devices are named by each config's hostname)",
    ),
    "offline.history": (
        "Oxidized git: 各コミットを1回の実行として記録 (設定変更履歴)",
        "Oxidized git: record one run per commit (config history)",
    ),
    "review.review": (
        "変更前レビュー: 提案された設定が追加・解消・継続する指摘を、責任のある設定行と差分付きで"
        "示します。終了コードは追加された指摘のみで決まります。",
        "Pre-change review: the findings proposed configurations add, resolve or keep, with the "
        "responsible lines and a diff per device. The exit code depends on added findings only.",
    ),
    "review.baseline": ("現在の設定のフォルダ", "folder of the current configurations"),
    "review.proposed": ("変更後の設定のフォルダ", "folder of the proposed configurations"),
    "review.proposed_file": (
        "変更後の設定ファイル1台分 (--db の最新スナップショットと比較)",
        "one proposed device file, compared with the newest stored snapshots (--db)",
    ),
    "review.device": ("--proposed-file の機器名", "device name of --proposed-file"),
    "review.format": ("出力形式", "output format"),
    "review.out": ("出力先ファイル (省略時は標準出力)", "write to this file instead of stdout"),
    "review.inventory": (
        "機器一覧 (省略時は設定の hostname を機器名とします)",
        "inventory (default: none; devices are named by each config's hostname)",
    ),
    "config.export-all": (
        "全機器の最後の正常な設定を復旧キット(機器一覧・資産台帳・SHA256SUMS・README 付き)として"
        "書き出します。秘密情報はマスクされます。",
        "Write every device's last known-good configuration as a recovery kit (inventory, "
        "ledger, SHA256SUMS, README). Secrets stay redacted.",
    ),
    "export.out": ("書き出し先のフォルダ", "folder to write the kit into"),
    "export.device": ("対象機器 (繰り返し可、省略時は全機器)", "device to export (repeatable)"),
    "export.inventory": ("機器一覧 (復旧キットに含めます)", "inventory to include in the kit"),
    "export.unredacted": (
        "秘密情報をマスクしない (root のシェルから、--from-files の元ファイルのみ)",
        "do not redact secrets (root shell only; original files given with --from-files)",
    ),
    "export.from_files": (
        "保存された元の設定ファイルのフォルダ (--unredacted 用)",
        "folder of original saved configurations (for --unredacted)",
    ),
    "export.i_understand": (
        "端末がなくても平文の秘密情報の書き出しを確認済みとする",
        "confirm writing secrets in the clear without a terminal",
    ),
}

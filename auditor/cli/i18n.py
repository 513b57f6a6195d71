"""Japanese-first user-facing text for the CLI, with English alongside.

The language comes from ``--lang`` when given, else from the locale (``LC_ALL``, ``LC_MESSAGES``,
``LANG``): a Japanese locale gives Japanese, anything else English.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from auditor.cli.i18n_distributed import MESSAGES as DISTRIBUTED_MESSAGES
from auditor.cli.i18n_offline import MESSAGES as OFFLINE_MESSAGES
from auditor.cli.i18n_path import MESSAGES as PATH_MESSAGES
from auditor.cli.i18n_web import MESSAGES as WEB_MESSAGES
from auditor.cli.i18n_workflow import MESSAGES as WORKFLOW_MESSAGES
from auditor.model.language import Lang as Lang

MESSAGES: dict[str, tuple[str, str]] = {
    # key: (ja, en)
    "app": (
        "強靭 (Kyojin) 監査: 自治体ネットワークの三層の対策を継続的に点検します。\n\n"
        "終了コード: 0 = --fail-on 以上の指摘なし、1 = --fail-on 以上の指摘あり、"
        "2 = 入力・使い方の誤り、3 = 実行が不完全 (収集できない機器があった、中断、または予期しない失敗)。\n\n"
        "日付だけの指定 (YYYY-MM-DD) は設定のタイムゾーン (既定 Asia/Tokyo、AUDITOR_TIMEZONE "
        "または auditor.toml の timezone) の 1 日として読みます。",
        "Kyojin Auditor: continuous 三層の対策 compliance auditing of municipal networks.\n\n"
        "Exit codes: 0 = nothing at or above --fail-on, 1 = findings at or above --fail-on, "
        "2 = invalid input or usage, 3 = the run was incomplete (a device not collected, "
        "interrupted, or an unexpected failure).\n\n"
        "Bare dates (YYYY-MM-DD) are days in the configured time zone (default Asia/Tokyo; "
        "AUDITOR_TIMEZONE or timezone in auditor.toml).",
    ),
    "validate": (
        "ポリシー・機器一覧・資産台帳を検証します (誤りは ファイル:行: 項目 で表示)。",
        "Validate policy, inventory and asset ledger (errors name file:line: field).",
    ),
    "rules": (
        "チェック (ルール) の一覧、または ID を指定して説明を表示します。",
        "List the checks, or show one check's documentation by ID.",
    ),
    "run": (
        "機器一覧の全機器を収集・評価し、実行結果を記録します (完全実行)。",
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
    "opt.inventory": ("機器一覧のファイルまたはディレクトリ。", "Inventory file or directory."),
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
    "opt.no_policy": (
        "ポリシーなしで作成します (例外の理由・承認者・期限とマトリクスは含まれません)。",
        "Go without the policy (no exception reasons, approvers, expiries or zone matrix).",
    ),
    "opt.all": (
        "指定した機器以外 (台帳など) の指摘も表示します。",
        "Also show findings about other devices and the ledger.",
    ),
    "opt.debug": (
        "予期しない失敗のときにトレースバックを表示します (AUDITOR_DEBUG=1 と同じ)。",
        "Show the traceback of an unexpected failure (same as AUDITOR_DEBUG=1).",
    ),
    "opt.only": ("使う収集方式 (snmp, ssh)。", "Collectors to use (snmp, ssh)."),
    "demo": (
        "デモ: 模擬都市ネットワークを起動し、監査を 1 回実行して、検出数と仕込んだ違反を比較します。",
        "Demo: start the simulated city, run one full audit, compare found with planted.",
    ),
    "arg.rule_id": ("チェック ID (例: SEG-001)。", "Check ID (e.g. SEG-001)."),
    "arg.devices": ("機器名 (複数可)。", "Device names (one or more)."),
    "arg.device": ("機器名。", "Device name."),
    "arg.fingerprint": (
        "指摘のフィンガープリント (16 進 8 桁以上)。",
        "Finding fingerprint (8+ hex).",
    ),
    "opt.by": ("確認する担当者。", "Who acknowledges."),
    "opt.note": ("理由・メモ。", "Note."),
    "opt.status": ("状態で絞り込み (複数可)。", "Filter by status (repeatable)."),
    "opt.severity": ("重大度で絞り込み (複数可)。", "Filter by severity (repeatable)."),
    "opt.device": ("機器名で絞り込み。", "Filter by device."),
    "opt.check": ("チェック ID で絞り込み。", "Filter by check ID."),
    "opt.format_text": ("出力形式 (table / json)。", "Output format (table / json)."),
    # daemon and status
    "daemon": (
        "監視用の常駐プロセスを起動します (systemd Type=notify 対応)。",
        "Run the scheduling daemon (systemd Type=notify aware).",
    ),
    "opt.config": ("設定ファイル (auditor.toml)。", "Settings file (auditor.toml)."),
    "opt.print_sample_config": (
        "設定ファイルの見本を出力します。",
        "Print a sample settings file.",
    ),
    "opt.audit_now": ("起動直後に監査を 1 回実行します。", "Run a full audit at start."),
    "status": (
        "常駐プロセスの状態・直近の実行・次回予定・未対応の指摘を表示します。",
        "Daemon state, last runs, next scheduled runs, open findings.",
    ),
    # matrix
    "matrix": (
        "ゾーン間通信マトリクス (方針で許可 / 設定で許可 / 通信で観測) を表示します。",
        "Zone-to-zone matrix: allowed by policy / permitted by config / observed in traffic.",
    ),
    # config
    "config": (
        "機器設定の履歴・差分・送信予定コマンド。",
        "Device configuration history, diffs and plan.",
    ),
    "config.show": ("指定日時の設定を表示します。", "Show the configuration in force."),
    "config.diff": ("2 時点の設定の差分を表示します。", "Diff the configuration of two dates."),
    "config.plan": (
        "SSH で送信するコマンドを表示します (接続しない)。",
        "Print exactly what SSH collection would send (dry run; connects to nothing).",
    ),
    "opt.at": (
        "日時 (YYYY-MM-DD または ISO 形式、時差なしは設定のタイムゾーン、既定: 現在)。",
        "Date/time (YYYY-MM-DD or ISO; without an offset in the configured time zone; "
        "default: now).",
    ),
    "opt.from": (
        "比較元の日時 (YYYY-MM-DD または ISO 形式、設定のタイムゾーン)。",
        "Earlier date/time (YYYY-MM-DD or ISO, configured time zone).",
    ),
    "opt.to": (
        "比較先の日時 (YYYY-MM-DD または ISO 形式、設定のタイムゾーン)。",
        "Later date/time (YYYY-MM-DD or ISO, configured time zone).",
    ),
    # report, export, suppress
    "report": (
        "日次レポートを作成します (外部参照のない 1 ファイルの HTML、メール用テキスト、Markdown)。",
        "Write the nightly report (one self-contained HTML file, a mail-ready text, or Markdown).",
    ),
    "opt.report_out": (
        "出力ファイル (省略時は標準出力)。",
        "Output file (default: standard output).",
    ),
    "opt.report_format": ("形式。", "Format."),
    "opt.date": ("対象日 (YYYY-MM-DD、日本時間)。", "Report date (YYYY-MM-DD, Japan time)."),
    "export": (
        "監査人向けに指摘を書き出します (CSV/XLSX/JSON/SARIF/PDF/証跡バンドル)。",
        "Export findings for auditors (CSV/XLSX/JSON/SARIF/PDF/evidence bundle).",
    ),
    "opt.export_out": ("出力ファイル。", "Output file."),
    "opt.since": (
        "この日時以降に検出 (YYYY-MM-DD、設定のタイムゾーン、既定 Asia/Tokyo)。",
        "Seen on or after (YYYY-MM-DD, in the configured time zone, default Asia/Tokyo).",
    ),
    "opt.until": (
        "この日まで (YYYY-MM-DD、設定のタイムゾーン)。",
        "Up to and including (YYYY-MM-DD, in the configured time zone).",
    ),
    "opt.zone": ("区域 ID (複数可)。", "Zone id (repeatable)."),
    "opt.export_severity": ("重大度 (複数可)。", "Severity (repeatable)."),
    "opt.export_status": (
        "状態 (new/open/reopened/resolved/suppressed)。",
        "Status (new/open/reopened/resolved/suppressed).",
    ),
    "opt.export_check": ("チェック ID またはその先頭 (SEG-)。", "Check id or prefix (SEG-)."),
    "opt.clause": (
        "ガイドラインの節名の一部、または計画項目 (4-1-2)。",
        "Guideline section title substring or plan item (4-1-2).",
    ),
    "opt.encoding": ("CSV の文字コード。", "CSV encoding."),
    "findings.suppress": (
        "指摘を承認済みの例外として抑止します (理由・承認者・承認番号・期限を履歴に記録)。",
        "Suppress a finding as an approved exception (reason, approver, approval number and "
        "expiry recorded in the hash chain).",
    ),
    "opt.reason": ("理由。", "Reason."),
    "opt.approver": ("承認者。", "Approver."),
    "opt.approval_number": ("承認番号 (決裁番号)。", "Approval number."),
    "opt.expires": (
        "有効期限 (YYYY-MM-DD、当日まで有効)。",
        "Expiry (YYYY-MM-DD, valid through that day).",
    ),
    "opt.suppress_by": ("操作者 (既定: 承認者)。", "Who records it (default: the approver)."),
    # traffic, probe, netns
    "traffic": ("通信の分析 (pcap / ライブ)。", "Traffic analysis (captures and live)."),
    "traffic.analyze": (
        "pcap/pcapng を分析し、ゾーン間の通信と指摘を表示します。",
        "Analyse pcap/pcapng files: flows by zone pair and traffic findings.",
    ),
    "traffic.watch": (
        "インターフェースで通信を取り込み分析します (CAP_NET_RAW が必要、Ctrl-C で早く終了)。",
        "Capture on an interface and analyse (needs CAP_NET_RAW; Ctrl-C ends it early).",
    ),
    "arg.captures": ("pcap/pcapng ファイル。", "pcap/pcapng files."),
    "opt.iface": ("取り込むインターフェース。", "Interface to capture on."),
    "opt.duration": ("取り込む秒数。", "Capture duration in seconds."),
    "opt.traffic_db": (
        "記録先 (指定時のみ実行を記録)。",
        "Store URL; the run is recorded only when given.",
    ),
    "probe": (
        "ゾーン内のプローブ端末から他ゾーンの代表宛先へ到達性を試験します (CAP_NET_RAW)。",
        "From a probe host inside a zone, test which other zones' targets answer "
        "(needs CAP_NET_RAW).",
    ),
    "opt.from_zone": ("プローブ端末のいるゾーン。", "Zone the probe host is in."),
    "opt.targets": ("宛先 (カンマ区切り可)。", "Targets, comma-separated."),
    "opt.rate": ("1 秒あたりの送信数。", "Probes per second."),
    "opt.timeout": ("応答待ちの秒数。", "Seconds to wait for an answer."),
    "opt.retries": ("再送回数。", "Retries."),
    "opt.max_probes": ("送信数の上限。", "At most this many probes."),
    "netns": (
        "ネットワーク名前空間のセグメント試験ラボ。",
        "Segmentation lab in network namespaces.",
    ),
    "netns.up": ("ラボを構築します (root)。", "Build the lab (root needed)."),
    "netns.down": ("ラボを削除します。", "Remove everything the lab created."),
    "opt.netns_state": ("作成物の記録ファイル。", "File recording what was created."),
    "opt.prefix": ("名前空間名の接頭辞。", "Namespace name prefix."),
    "opt.hole": ("FROM->TO:tcp/PORT (既定: 自動選択)。", "FROM->TO:tcp/PORT (default: chosen)."),
    # lab
    "lab": (
        "模擬自治体ネットワーク (ラボ) の起動・停止。",
        "Start and stop the simulated city network.",
    ),
    "lab.up": ("ラボを起動します (バックグラウンド)。", "Start the lab in the background."),
    "lab.down": (
        "ラボを停止します (記録した PID のみ)。",
        "Stop the lab (exactly the recorded processes).",
    ),
    "lab.scale": (
        "合成都市を起動して計測します。",
        "Start a synthetic city of N devices and print its figures.",
    ),
    "lab.status": ("ラボの状態を表示します。", "Show what the lab runs."),
    "opt.state_dir": (
        "ラボの状態ディレクトリ (既定: $AUDITOR_LAB_DIR または実行時ディレクトリ)。",
        "Lab state directory (default: $AUDITOR_LAB_DIR or the runtime directory).",
    ),
    "opt.scenario": ("シナリオ YAML (既定: 例市)。", "Scenario YAML (default: the example city)."),
    "opt.lab_devices": (
        "合成都市の台数 (シナリオの代わり)。",
        "Size of a synthetic city instead of a scenario.",
    ),
    "opt.ssh_devices": (
        "SSH を提供する機器数の上限。",
        "At most this many devices get an SSH CLI.",
    ),
    "opt.scale_devices": ("台数。", "Number of devices."),
    "opt.json": ("JSON で出力します。", "Print JSON."),
    "opt.device_ports": ("機器ごとのポートも表示します。", "Also list each device's ports."),
    # demo
    "opt.demo_out": ("出力先 (データベース、レポート)。", "Output folder (database, report)."),
    # output
    "valid": ("検証に成功しました", "Validation succeeded"),
    "warnings": ("警告", "Warnings"),
    "errors": ("エラー", "Errors"),
    "status.daemon": ("常駐プロセス: {state}", "daemon: {state}"),
    "status.last_runs": ("直近の実行", "last runs"),
    "status.next_run": ("次回の{job}: {when}", "next {job}: {when}"),
    "status.database": ("データベース: {url} ({size})", "database: {url} ({size})"),
    "status.open_findings": ("未対応の指摘: {counts}", "open findings: {counts}"),
    "no_findings": ("指摘はありません。", "No findings."),
    "run_summary": (
        "実行 {run_id}: 状態 {status}、機器 {covered}/{total} 台を収集、指摘 {count} 件",
        "Run {run_id}: status {status}, collected {covered}/{total} devices, {count} findings",
    ),
    "not_applicable": (
        "対象外: {count} 件 (その機器・設定に当てはまらない、または比較する情報がないため"
        "判定しなかったチェック。違反ではありません。一覧は --format json の outcome "
        '"not_applicable")',
        "Not applicable: {count} (checks that do not apply to these devices or had nothing to "
        "compare, so they made no judgement; not violations. List them with --format json, "
        'outcome "not_applicable")',
    ),
    "unknown_device": ("機器一覧にない機器: {names}", "Not in the inventory: {names}"),
    "unknown_rule": ("そのIDのチェックはありません: {id}", "No check with id {id}"),
    "verify_ok": (
        "ハッシュ連鎖は正常です ({count} 件のイベントを検証)。",
        "The hash chain is intact ({count} events checked).",
    ),
    "verify_broken": (
        "ハッシュ連鎖が壊れています: イベント {event_id} ({reason})",
        "The hash chain is broken at event {event_id} ({reason})",
    ),
    "verify_rows": (
        "指摘 {findings} 件・実行 {runs} 件の状態をイベントから再現し、一致しました。",
        "The state of {findings} findings and {runs} runs matches their events.",
    ),
    "verify_mismatch": (
        "表の内容がイベントと一致しません ({count} 件):",
        "Rows differ from their events ({count}):",
    ),
    "verify_unprovable": (
        "注意: 旧版で記録された指摘 {findings} 件・実行 {runs} 件は、最終検出日時と内容を"
        "証明できません (状態と例外は証明済み)。",
        "Note: {findings} findings and {runs} runs recorded by an older version cannot have "
        "their last sighting and content proven (their status and exceptions are).",
    ),
    "verify_head": ("連鎖の先頭: {head}", "Chain head: {head}"),
    "verify_expected_head_current": (
        "期待した先頭 {head} は現在の先頭です。",
        "The expected head {head} is the current head.",
    ),
    "verify_expected_head_older": (
        "期待した先頭 {head} は連鎖内にあり、その後に {count} 件のイベントが追加されています。",
        "The expected head {head} is in the chain; {count} events were appended after it.",
    ),
    "verify_expected_head_missing": (
        "期待した先頭 {head} は連鎖にありません: その後のイベントが削除され、連鎖が"
        "書き換えられた可能性があります。",
        "The expected head {head} is not in the chain: events after it may have been deleted "
        "and the chain rewritten.",
    ),
    "opt.expect_head": (
        "別の場所に保管した連鎖の先頭 (レポートに印字されたもの) と照合します。",
        "Compare with a chain head kept elsewhere (the one printed in a report).",
    ),
    "run_interrupted": (
        "シグナル {signal} により中断しました。実行 {run_id} を不完全として記録しました"
        " (何も解決済みにしていません)。",
        "Interrupted by {signal}. Run {run_id} was recorded as incomplete (nothing resolved).",
    ),
    "db_upgraded": ("データベースを最新化しました: {url}", "Database upgraded: {url}"),
    "acked": ("確認済みにしました: {fp}", "Acknowledged: {fp}"),
    # loud failures (issue 17)
    "prefecture": (
        "複数の自治体をまとめて見る (都道府県・共同利用の運用者向け)。",
        "Every city of a multi-city deployment at once (prefectures, shared services).",
    ),
    "prefecture.report": (
        "自治体別・ゾーン別・判定別の概況、推移、一定期間監査されていない自治体 "
        "(HTML / JSON / CSV)。",
        "Overview per city, zone and grade, the trend, and cities not audited recently "
        "(HTML / JSON / CSV).",
    ),
    "opt.overview_format": ("出力形式: html / json / csv。", "Output format: html / json / csv."),
    "opt.overview_out": ("出力先ファイル (既定: 標準出力)。", "Output file (default: stdout)."),
    "opt.stale_days": (
        "この日数より長く監査されていない自治体を挙げる (既定: 2)。",
        "List cities not audited for longer than this many days (default: 2).",
    ),
    "overview_written": ("概況を書き出しました: {path}", "Overview written: {path}"),
    "opt.tenant": (
        "対象の自治体 (テナント)。複数の自治体を監査する構成では必須 (既定: default)。",
        "The city (tenant) to work on; required where several cities are configured "
        "(default: default).",
    ),
    "tenant_required": (
        "この構成は複数の自治体を監査します ({names})。--tenant NAME "
        "(または AUDITOR_TENANT) で対象を指定してください。",
        "This deployment audits several cities ({names}); choose one with --tenant NAME "
        "(or AUDITOR_TENANT).",
    ),
    "tenant_unknown": (
        "テナント '{value}' は設定にありません。設定済み: {names}",
        "Unknown tenant '{value}'; configured: {names}",
    ),
    "tenant_invalid": (
        "テナント名 '{value}' は使えません (英小文字・数字・'-'・'_'、64 文字まで)。",
        "Invalid tenant name '{value}' (lower-case letters, digits, '-', '_'; at most 64).",
    ),
    "db_missing": (
        "データベースがありません: {path}\n"
        "  --db / AUDITOR_DB_URL を確認してください (新規作成は `auditor db upgrade --db {path}`)。",
        "No database at {path}\n"
        "  Check --db / AUDITOR_DB_URL (to create one: `auditor db upgrade --db {path}`).",
    ),
    "db_not_kyojin": (
        "Kyojin のデータベースではありません (スキーマがない): {url}\n"
        "  `auditor db upgrade` でスキーマを作成してください。",
        "Not a Kyojin database (no schema): {url}\n  Run `auditor db upgrade` to create it.",
    ),
    "db_bad_url": (
        "データベース URL が読めません (--db / AUDITOR_DB_URL)。\n"
        "  例: postgresql://user@host/auditor または SQLite ファイルのパス",
        "Unreadable database URL (--db / AUDITOR_DB_URL).\n"
        "  E.g. postgresql://user@host/auditor or the path of a SQLite file.",
    ),
    "unknown_value": (
        "{option} の値 '{value}' は使えません{hint}。\n  選べる値: {choices}",
        "{option}: unknown value '{value}'{hint}.\n  Choose from: {choices}",
    ),
    "did_you_mean": (" (もしかして '{value}')", " (did you mean '{value}'?)"),
    "nothing_to_choose": ("(なし)", "(none)"),
    "more_choices": (" ほか {count} 件", " and {count} more"),
    "bad_date": (
        "{option} の日付が読めません: {value} (YYYY-MM-DD または ISO 8601 日時)",
        "{option}: not a date: {value} (YYYY-MM-DD or an ISO 8601 timestamp)",
    ),
    "bad_fingerprint": (
        "フィンガープリントが不正です: {value} (16 進 8 桁以上)\n"
        "  `auditor findings list` の fingerprint 列の値を指定してください。",
        "Not a finding fingerprint: {value} (8 or more hexadecimal characters)\n"
        "  Use a value from the fingerprint column of `auditor findings list`.",
    ),
    "internal_error": (
        "エラー: {message}\n  予期しない失敗です。詳細は --debug (または AUDITOR_DEBUG=1) で再実行。",
        "Error: {message}\n  An unexpected failure; rerun with --debug (or AUDITOR_DEBUG=1) "
        "for the traceback.",
    ),
    "store_unavailable": (
        "データベースを使えません: {message}\n  しばらくしてから再実行してください。",
        "The database is unavailable: {message}\n  Try again later.",
    ),
    "policy_required": (
        "ポリシーを読み込めません: {path}\n"
        "  例外の理由・承認者・期限とゾーン間マトリクスに必要です。--policy を指定するか、"
        "承知のうえで --no-policy を付けてください。",
        "Cannot load the policy: {path}\n"
        "  It is needed for exception reasons, approvers, expiries and the zone matrix; give "
        "--policy, or --no-policy to go without them.",
    ),
    "no_policy_notice": (
        "注意: --no-policy のため、例外の理由・承認者・期限とゾーン間マトリクスは含まれません。",
        "Note: --no-policy: exception reasons, approvers, expiries and the zone matrix are "
        "missing.",
    ),
    "config_nothing_to_diff": (
        "{device} の設定は 1 世代しか保存されていないため、差分を取れません ({when})。",
        "Only one stored configuration of {device}: nothing to diff ({when}).",
    ),
    "config_same": (
        "変更なし: {device} の設定は {since} と {until} で同じです。",
        "No change: the configuration of {device} is the same at {since} and {until}.",
    ),
    "check_other_findings": (
        "ほかの機器・台帳の指摘 {count} 件は表示していません (--all で表示)。",
        "{count} findings about other devices or the ledger not shown (--all shows them).",
    ),
    "waiting_for": ("待機中: {device}", "waiting for {device}"),
    "waiting_more": (" ほか {count} 台", " and {count} more"),
    "collecting": ("収集中", "collecting"),
    "collected_all": ("収集完了", "collection done"),
    # notifications (auditor notify)
    "notify": (
        "通知: チャネルの送信テストと送信待ち (outbox) の一覧。",
        "Notifications: test a channel, list the outbox.",
    ),
    "notify.test": (
        "指定したチャネルにテストメッセージを今すぐ送ります (outbox を通しません)。",
        "Send a test message on CHANNEL now (bypassing the outbox).",
    ),
    "notify.list": (
        "通知の outbox (送信待ち・送信済み・失敗) を新しい順に表示します。",
        "Show the notification outbox (pending, sent, failed), newest first.",
    ),
    "arg.channel": (
        "auditor.toml の [notify.channels] のチャネル名",
        "Channel name in [notify.channels]",
    ),
    "opt.notify_config": (
        "設定ファイル (既定: $AUDITOR_CONFIG または /etc/auditor/auditor.toml)",
        "Settings file (default: $AUDITOR_CONFIG or /etc/auditor/auditor.toml)",
    ),
    "opt.outbox_status": (
        "状態で絞り込み: pending / sent / failed",
        "Filter: pending / sent / failed",
    ),
    "opt.outbox_channel": ("チャネルで絞り込み", "Filter by channel"),
    "opt.limit": ("表示する件数", "How many rows to show"),
    "notify_unknown_channel": (
        "チャネル {channel} は設定されていません (設定済み: {known})",
        "Channel {channel} is not configured (configured: {known})",
    ),
    "notify_test_failed": (
        "チャネル {channel} への送信に失敗しました: {error}",
        "Sending on channel {channel} failed: {error}",
    ),
    "notify_test_sent": (
        "チャネル {channel} にテストメッセージを送信しました (サーバーが受理)",
        "Test message sent on channel {channel} (accepted by the server)",
    ),
    "notify_bad_status": (
        "状態 {status} は不明です (pending / sent / failed)",
        "Unknown status {status} (pending / sent / failed)",
    ),
    "notify_outbox_title": ("通知 outbox", "Notification outbox"),
}

MESSAGES.update(OFFLINE_MESSAGES)
MESSAGES.update(DISTRIBUTED_MESSAGES)
MESSAGES.update(WORKFLOW_MESSAGES)
MESSAGES.update(PATH_MESSAGES)
MESSAGES.update(WEB_MESSAGES)


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

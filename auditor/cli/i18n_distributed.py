"""Texts of ``keys``, ``collect``, ``import``, ``workers`` and ``run --distributed``.

Merged into :data:`auditor.cli.i18n.MESSAGES`; kept apart so the distributed commands add their
texts without editing the shared table.
"""

MESSAGES: dict[str, tuple[str, str]] = {
    "dist.keys": ("収集バンドルの鍵を管理します。", "Manage the keys of collection bundles."),
    "dist.keys.init": (
        "鍵ペアを作成します (--collector ID: 収集器の Ed25519 署名鍵、--central: 中央側の "
        "X25519 暗号鍵)。秘密鍵は 0600 で書き込みます。",
        "Create a key pair (--collector ID: a collector's Ed25519 signing key; --central: the "
        "central X25519 encryption key). Private keys are written with mode 0600.",
    ),
    "dist.keys.collector": (
        "収集器 ID (収集器の鍵を作成)",
        "collector id (create a collector key)",
    ),
    "dist.keys.central": ("中央側の鍵を作成", "create the central key"),
    "dist.keys.dir": (
        "鍵のフォルダ (既定: $AUDITOR_KEYS_DIR または ./keys)",
        "key folder (default: $AUDITOR_KEYS_DIR or ./keys)",
    ),
    "dist.keys.choose": (
        "--collector ID と --central のどちらか一方を指定してください。",
        "Give exactly one of --collector ID and --central.",
    ),
    "dist.keys.exists": (
        "{path} は既に存在します。鍵は上書きしません。",
        "{path} already exists; keys are never overwritten.",
    ),
    "dist.keys.collector_done": (
        "収集器 {id} の鍵を作成しました。公開鍵 {pub} を中央側の trusted/ に置き、中央側の "
        "central.pub を --recipient に指定してください。",
        "Created the key of collector {id}. Put its public key {pub} into the central side's "
        "trusted/ folder, and give the central side's central.pub as --recipient.",
    ),
    "dist.keys.central_done": (
        "中央側の鍵を作成しました。公開鍵 {pub} を各収集器に渡し、収集器の公開鍵を {trusted} に"
        "置いてください。",
        "Created the central key. Give its public key {pub} to every collector and put the "
        "collectors' public keys into {trusted}.",
    ),
    "dist.collect": (
        "機器を収集し、署名・暗号化した収集バンドルを書き出します (分離された層から中央側への"
        "一方向の受け渡し)。監査はしません。",
        "Collect devices and write a signed, encrypted collection bundle (the one-way hand-over "
        "from an isolated tier to the central side). Does not audit.",
    ),
    "dist.collect.bundle": (
        "書き出し先 (ファイル、またはドロップフォルダ)",
        "where to write the bundle (a file, or a drop folder)",
    ),
    "dist.collect.recipient": (
        "中央側の公開鍵 central.pub (既定: 鍵フォルダの central.pub)",
        "the central side's public key central.pub (default: central.pub in the key folder)",
    ),
    "dist.collect.tier": (
        "この層の機器だけを収集 (mynumber / lgwan / internet)",
        "collect only this tier's devices (mynumber / lgwan / internet)",
    ),
    "dist.collect.site": ("この拠点の機器だけを収集", "collect only this site's devices"),
    "dist.collect.none": (
        "指定された層・拠点に該当する機器がありません。",
        "No device of the inventory matches the given tier/site.",
    ),
    "dist.collect.done": (
        "収集バンドル {path} を書き出しました (通番 {sequence}、スナップショット {devices} 台、"
        "収集エラー {failures} 件)。",
        "Wrote collection bundle {path} (sequence {sequence}, {devices} snapshots, {failures} "
        "collection failures).",
    ),
    "dist.key_error": ("鍵を読み込めません: {message}", "Cannot load the keys: {message}"),
    "dist.import": (
        "収集バンドルを検証 (署名・復号・SHA-256・再送) し、通常の実行として監査・記録します。"
        "複数のバンドルは1回の実行になります。",
        "Verify collection bundles (signature, decryption, SHA-256, replay) and audit them as "
        "one normal run. Several bundles make one run.",
    ),
    "dist.import.bundles": ("収集バンドルのファイル", "collection bundle files"),
    "dist.import.refused": (
        "収集バンドルを拒否しました (何も記録していません): {message}",
        "Collection bundle refused (nothing was recorded): {message}",
    ),
    "dist.import.done": (
        "収集バンドル {count} 件 (収集器 {collectors}) を実行 {run_id} として取り込みました: "
        "状態 {status}、機器 {covered}/{total} 台、指摘 {findings} 件",
        "Imported {count} bundle(s) (collectors {collectors}) as run {run_id}: status {status}, "
        "{covered}/{total} devices, {findings} findings",
    ),
    "dist.workers": (
        "分散収集のキュー、ワーカー、最終ハートビート、滞留タスク数を表示します。",
        "Show the queues, workers, last heartbeats and backlog of distributed collection.",
    ),
    "dist.broker": (
        "ブローカーの URL (既定: $AUDITOR_BROKER_URL または redis://127.0.0.1:6379/0)",
        "broker URL (default: $AUDITOR_BROKER_URL or redis://127.0.0.1:6379/0)",
    ),
    "dist.workers.unreachable": (
        "ブローカー {broker} に接続できません: {message}",
        "Cannot reach the broker {broker}: {message}",
    ),
    "dist.workers.none": ("応答したワーカーはありません。", "No worker answered."),
    "dist.col.queue": ("キュー", "Queue"),
    "dist.col.backlog": ("滞留", "Backlog"),
    "dist.col.workers": ("ワーカー", "Workers"),
    "dist.col.heartbeat": ("最終ハートビート", "Last heartbeat"),
    "dist.col.active": ("処理中", "Active"),
    "dist.run.distributed": (
        "Celery ワーカーで収集し (キューは層ごと)、全機器の報告か期限を待って監査します。",
        "Collect with Celery workers (a queue per tier), wait for every device or the deadline, "
        "then audit.",
    ),
    "dist.run.deadline": (
        "分散収集の期限 (秒)。期限までに報告のない機器は COL 指摘となり実行は不完全になります。",
        "deadline of distributed collection in seconds; devices not reported by then become COL "
        "findings and the run is incomplete for them.",
    ),
    "dist.run.shard_by": (
        "キューの分け方 (tier / site)",
        "how devices map to queues (tier / site)",
    ),
    "dist.run.dispatched": (
        "{count} 台を {queues} に配布しました (収集キー {run_key})。",
        "Dispatched {count} devices to {queues} (collection key {run_key}).",
    ),
    "dist.run.missing": (
        "期限までに報告のなかった機器: {count} 台 ({queues})",
        "Devices not reported by the deadline: {count} ({queues})",
    ),
}

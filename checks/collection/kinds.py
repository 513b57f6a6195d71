"""Which ``COL-…`` check documents each collection failure kind, and how it is worded.

Collectors only report a :class:`FailureKind` with facts; the ids and the Japanese/English
messages users see live here, next to the checks that document them. A kind missing from
:data:`CHECK_IDS` is reported by ``COL-000`` as an unknown failure, never dropped.
"""

from __future__ import annotations

from collections.abc import Callable

from auditor.model.collection import CollectionFailure, FailureKind

CRASHED_CHECK_ID = "COL-000"

CHECK_IDS: dict[FailureKind, str] = {
    FailureKind.CRASHED: CRASHED_CHECK_ID,
    FailureKind.NOT_REPORTED: CRASHED_CHECK_ID,
    FailureKind.TIMEOUT: "COL-001",
    FailureKind.AUTH: "COL-002",
    FailureKind.MALFORMED: "COL-003",
    FailureKind.RUNAWAY: "COL-004",
    FailureKind.CREDENTIAL: "COL-005",
    FailureKind.SSH_AUTH: "COL-101",
    FailureKind.SSH_UNREACHABLE: "COL-102",
    FailureKind.PROMPT: "COL-103",
    FailureKind.SSH_SESSION: "COL-103",
    FailureKind.REJECTED: "COL-104",
    FailureKind.PARSER: "COL-105",
    FailureKind.UNPARSED_OUTPUT: "COL-105",
    FailureKind.HOST_KEY: "COL-106",
    FailureKind.SSH_CREDENTIAL: "COL-107",
    FailureKind.READ_ONLY: "COL-108",
    FailureKind.CONFIG_LOCKED: "COL-110",
    FailureKind.OFFLINE_UNREADABLE: "COL-201",
    FailureKind.OFFLINE_PLATFORM: "COL-202",
    FailureKind.OFFLINE_CLEANED: "COL-203",
}

Messages = tuple[str, str]
"""(English, Japanese)."""

_JA_SECRET = {"password": "パスワード", "enable secret": "特権パスワード", "private key": "秘密鍵"}


def check_id_for(failure: CollectionFailure) -> str | None:
    """The check documenting this failure's kind; ``None`` for a kind no check knows."""
    return CHECK_IDS.get(failure.kind)


def _snmp_timeout(f: CollectionFailure) -> Messages:
    where, timeout, tries = f.fact("where"), f.fact("timeout"), f.fact("tries")
    en = f"No SNMP answer from {f.device} ({where}) after {tries} tries of {timeout}s."
    ja = f"{f.device} ({where}) から SNMP 応答がありません（{timeout}秒×{tries}回）。"
    if f.fact("version") == "v2c":
        en += (
            " With SNMPv2c a wrong community looks exactly like this: the agent drops the "
            "request silently, so check the community as well as reachability."
        )
        ja += (
            "SNMPv2c ではコミュニティ名の誤りも応答なしと区別できません。到達性と"
            "コミュニティ名の両方を確認してください。"
        )
    return en, ja


def _snmp_auth(f: CollectionFailure) -> Messages:
    where = f.fact("where")
    return (
        f"SNMPv3 authentication to {f.device} ({where}) failed: {f.detail}.",
        f"{f.device} ({where}) への SNMPv3 認証に失敗しました: {f.detail}",
    )


def _snmp_malformed(f: CollectionFailure) -> Messages:
    where = f.fact("where")
    return (
        f"{f.device} ({where}) sent an SNMP response that cannot be used: {f.detail}.",
        f"{f.device} ({where}) の SNMP 応答が不正または途中で切れています: {f.detail}",
    )


def _snmp_runaway(f: CollectionFailure) -> Messages:
    where = f.fact("where")
    return (
        f"Walking {f.device} ({where}) was stopped: {f.detail}.",
        f"{f.device} ({where}) の SNMP 取得を打ち切りました（ループまたは行数上限超過）: {f.detail}",
    )


def _snmp_credential(f: CollectionFailure) -> Messages:
    return (
        f"The SNMP credential of {f.device} could not be resolved: {f.detail}.",
        f"{f.device} の SNMP 認証情報を取得できません: {f.detail}",
    )


def _ssh_auth(f: CollectionFailure) -> Messages:
    where, jump = f.fact("where"), f.fact("jump_host")
    if jump:
        return (
            f"{f.device}: the jump host {jump} refused the SSH login; the device was not reached",
            f"{f.device}: 踏み台 {jump} が SSH ログインを拒否しました(機器には接続していません)",
        )
    return (
        f"{f.device} ({where}) refused the SSH login or the privileged-mode password",
        f"{f.device} ({where}) が SSH ログインまたは特権モードのパスワードを拒否しました",
    )


def _ssh_unreachable(f: CollectionFailure) -> Messages:
    where, jump = f.fact("where"), f.fact("jump_host")
    if jump:
        return (
            f"{f.device}: the jump host {jump} could not be reached over SSH within the timeout",
            f"{f.device}: 踏み台 {jump} に SSH で時間内に接続できませんでした",
        )
    return (
        f"{f.device} ({where}) could not be reached over SSH within its timeout",
        f"{f.device} ({where}) に SSH で時間内に接続できませんでした",
    )


def _ssh_prompt(f: CollectionFailure) -> Messages:
    where = f.fact("where")
    return (
        f"{f.device} ({where}): the CLI did not return the expected prompt in time",
        f"{f.device} ({where}): CLI が想定したプロンプトを時間内に返しませんでした",
    )


def _ssh_session(f: CollectionFailure) -> Messages:
    where, exception = f.fact("where"), f.fact("exception")
    interrupted = f.fact("interrupted")
    if interrupted:
        completed = f.fact("completed") or "none"
        completed_ja = f.fact("completed") or "なし"
        return (
            f"{f.device} ({where}): the device closed the SSH session while {interrupted!r} was "
            f"being read ({exception}); completed commands: {completed}. The output of "
            f"{interrupted!r} and of the commands after it was not used",
            f"{f.device} ({where}): {interrupted!r} の読み取り中に機器が SSH セッションを切断しま"
            f"した({exception})。完了したコマンド: {completed_ja}。{interrupted!r} 以降の出力は"
            "使用していません",
        )
    return (
        f"{f.device} ({where}): unexpected SSH session behaviour ({exception})",
        f"{f.device} ({where}): SSH セッションが想定外の動作をしました({exception})",
    )


def _ssh_rejected(f: CollectionFailure) -> Messages:
    command, first_line = f.fact("command"), f.fact("first_line")
    return (
        f"{f.device}: the device rejected {command!r} ({first_line})",
        f"{f.device}: 機器がコマンド {command!r} を受け付けませんでした({first_line})",
    )


def _ssh_parser(f: CollectionFailure) -> Messages:
    platform, exception = f.fact("platform"), f.fact("exception")
    return (
        f"{f.device}: the {platform} parser failed ({exception}); "
        "the outputs were collected but not understood",
        f"{f.device}: {platform} のパーサが失敗しました({exception})。"
        "出力は取得済みですが解釈できていません",
    )


def _ssh_unparsed_output(f: CollectionFailure) -> Messages:
    command = f.fact("command")
    return (
        f"{f.device}: the output of {command!r} could not be parsed; the facts it "
        "gives are missing from this snapshot",
        f"{f.device}: {command!r} の出力を解析できませんでした。"
        "このコマンドから得る情報はスナップショットにありません",
    )


def _ssh_host_key(f: CollectionFailure) -> Messages:
    where = f.fact("where")
    if f.fact("jump_host"):
        where = f"jump host {f.fact('jump_host')}"
    return (
        f"{f.device} ({where}): SSH host key refused ({f.fact('reason')}); "
        "no credentials were sent",
        f"{f.device} ({where}): SSH ホスト鍵を拒否しました(認証情報は送信していません)",
    )


def _ssh_credential(f: CollectionFailure) -> Messages:
    what = f.fact("secret")
    return (
        f"{f.device}: the SSH {what} could not be read ({f.fact('reason')})",
        f"{f.device}: SSH の{_JA_SECRET.get(what, what)}を読み取れませんでした",
    )


def _ssh_read_only(f: CollectionFailure) -> Messages:
    command = f.fact("command")
    return (
        f"{f.device}: the collector refused to send {command!r}, which is not an "
        "allow-listed read-only command; nothing was sent",
        f"{f.device}: 読み取り専用の許可リストにないコマンド {command!r} の送信を"
        "収集器が拒否しました(何も送信していません)",
    )


def _ssh_config_locked(f: CollectionFailure) -> Messages:
    command, first_line = f.fact("command"), f.fact("first_line")
    return (
        f"{f.device}: configuration mode is held by another session ({first_line}); "
        f"{command!r} was refused and nothing was read. The collector does not take the mode "
        "away from an administrator",
        f"{f.device}: 設定モードを他のセッションが使用中のため({first_line})、{command!r} が"
        "拒否され何も取得していません。収集器は管理者から設定モードを奪いません",
    )


def _offline_unreadable(f: CollectionFailure) -> Messages:
    return (
        f"{f.device}: the saved configuration {f.fact('file')} could not be used: {f.detail}",
        f"{f.device}: 保存された設定 {f.fact('file')} を使用できません: {f.detail}",
    )


def _offline_platform(f: CollectionFailure) -> Messages:
    scores = f.fact("scores") or "none"
    return (
        f"{f.fact('file')}: the platform of this saved configuration could not be decided "
        f"(scores: {scores}); it was not audited. Name the platform in the inventory",
        f"{f.fact('file')}: 保存された設定の機種を判定できず(スコア: {scores})、監査していません。"
        "インベントリで機種を指定してください",
    )


def _offline_cleaned(f: CollectionFailure) -> Messages:
    removed = f.fact("removed")
    return (
        f"{f.device}: {f.fact('file')} held terminal residue that was removed before parsing: "
        f"{removed} (the file's SHA-256 and the removed lines are kept as evidence)",
        f"{f.device}: {f.fact('file')} に端末操作の残骸があり、解析前に除去しました: {removed}"
        "(ファイルの SHA-256 と除去内容は証跡として保存しています)",
    )


def _crashed(f: CollectionFailure) -> Messages:
    collector, exception = f.fact("collector"), f.fact("exception")
    return (
        f"The {collector} collector crashed: {exception}",
        f"{collector} 収集処理が異常終了しました: {exception}",
    )


def _not_reported(f: CollectionFailure) -> Messages:
    queue = f.fact("queue")
    return (
        f"{f.device}: not collected by a worker (queue {queue}) before the run's deadline; "
        "the device was not audited in this run",
        f"{f.device}: 期限までにワーカー(キュー {queue})が収集しませんでした。"
        "この実行ではこの機器を監査していません",
    )


_MESSAGES: dict[FailureKind, Callable[[CollectionFailure], Messages]] = {
    FailureKind.CRASHED: _crashed,
    FailureKind.NOT_REPORTED: _not_reported,
    FailureKind.TIMEOUT: _snmp_timeout,
    FailureKind.AUTH: _snmp_auth,
    FailureKind.MALFORMED: _snmp_malformed,
    FailureKind.RUNAWAY: _snmp_runaway,
    FailureKind.CREDENTIAL: _snmp_credential,
    FailureKind.SSH_AUTH: _ssh_auth,
    FailureKind.SSH_UNREACHABLE: _ssh_unreachable,
    FailureKind.PROMPT: _ssh_prompt,
    FailureKind.SSH_SESSION: _ssh_session,
    FailureKind.REJECTED: _ssh_rejected,
    FailureKind.PARSER: _ssh_parser,
    FailureKind.UNPARSED_OUTPUT: _ssh_unparsed_output,
    FailureKind.HOST_KEY: _ssh_host_key,
    FailureKind.SSH_CREDENTIAL: _ssh_credential,
    FailureKind.READ_ONLY: _ssh_read_only,
    FailureKind.CONFIG_LOCKED: _ssh_config_locked,
    FailureKind.OFFLINE_UNREADABLE: _offline_unreadable,
    FailureKind.OFFLINE_PLATFORM: _offline_platform,
    FailureKind.OFFLINE_CLEANED: _offline_cleaned,
}


def describe(failure: CollectionFailure) -> Messages:
    """The (English, Japanese) message of a failure; a generic one for a kind without wording."""
    wording = _MESSAGES.get(failure.kind)
    if wording is not None:
        return wording(failure)
    detail = f" ({failure.detail})" if failure.detail else ""
    return (
        f"{failure.device}: collection failed ({failure.kind}){detail}",
        f"{failure.device}: 収集に失敗しました({failure.kind}){detail}",
    )

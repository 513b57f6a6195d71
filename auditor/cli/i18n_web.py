"""Texts of ``auditor web`` (merged into ``auditor.cli.i18n``)."""

MESSAGES: dict[str, tuple[str, str]] = {
    "web": (
        "Web コンソールを起動します (既定: 127.0.0.1:8080)。利用者は 'web user' で管理します。",
        "Serve the web console (default 127.0.0.1:8080); manage its users with 'web user'.",
    ),
    "web.user": ("Web コンソールの利用者を管理します。", "Manage the web console's users."),
    "web.user.add": (
        "利用者を追加します (パスワードは入力または標準入力から。コマンド引数には書けません)。",
        "Add a user (password from a prompt or stdin, never from the command line).",
    ),
    "web.user.passwd": ("利用者のパスワードを変更します。", "Change a user's password."),
    "web.user.disable": (
        "利用者を無効にします (ログイン中のセッションも終了)。",
        "Disable a user (their sessions end too).",
    ),
    "web.user.list": ("利用者の一覧を表示します。", "List the users."),
    "web.user.log": (
        "ハッシュチェーンに記録された Web のログイン・ログアウト・失敗と利用者の変更を表示します。",
        "Show the web sign-ins, sign-outs, failed sign-ins and user changes in the hash chain.",
    ),
    "opt.web_log_limit": ("表示する件数 (新しいものから)", "How many to show (the newest)"),
    "opt.web_host": ("待ち受けるアドレス。", "Address to listen on."),
    "opt.web_prefecture": (
        "都道府県コンソール: 設定されたすべての自治体の概況を、都道府県専用の利用者で表示します "
        "('auditor web --prefecture user add …' で利用者を追加)。",
        "The prefecture console: every configured city's overview, for the prefecture's own "
        "accounts (add them with 'auditor web --prefecture user add …').",
    ),
    "opt.verify_prefecture": (
        "都道府県コンソールの連鎖 (都道府県の利用者のログインと利用者の変更) を検証します。",
        "Verify the prefecture console's chain (its accounts' sign-ins and user changes).",
    ),
    "verify.prefecture_tenant": (
        "--prefecture は都道府県コンソールの連鎖を検証します。--tenant と同時には指定できません。",
        "--prefecture verifies the prefecture console's chain: it cannot be combined with --tenant.",
    ),
    "web.prefecture_tenant": (
        "--prefecture は自治体ではなく都道府県のコンソールです。--tenant と同時には指定できません。",
        "--prefecture serves the prefecture, not a city: it cannot be combined with --tenant.",
    ),
    "opt.web_port": ("待ち受けるポート。", "Port to listen on."),
    "opt.web_proxy_header": (
        "リバースプロキシが利用者名を渡すヘッダー (例: X-Remote-User)。--trusted-proxy からの接続でのみ信頼します。",
        "Header in which the reverse proxy passes the user name (e.g. X-Remote-User); trusted "
        "only on connections from --trusted-proxy.",
    ),
    "opt.web_trusted_proxy": (
        "利用者ヘッダーを信頼するプロキシのアドレスまたはネットワーク (複数指定可)。",
        "Address or network of a proxy whose user header is trusted (repeatable).",
    ),
    "opt.web_insecure_cookies": (
        "Cookie に Secure 属性を付けません (TLS なしの検証用のみ)。",
        "Cookies without the Secure flag (testing without TLS only).",
    ),
    "opt.web_role": (
        "権限: viewer (閲覧) / triager (対応) / approver (抑止の承認) / admin。",
        "Role: viewer / triager / approver (approves suppressions) / admin.",
    ),
    "opt.password_stdin": (
        "パスワードを標準入力の 1 行目から読みます。",
        "Read the password from the first line of stdin.",
    ),
    "opt.no_password": (
        "パスワードなし (リバースプロキシ経由でのみログイン)。",
        "No password (signs in only through the reverse proxy).",
    ),
    "web.password_prompt": ("パスワード: ", "Password: "),
    "web.password_again": ("パスワード (確認): ", "Password (again): "),
    "web.password_mismatch": ("パスワードが一致しません。", "The passwords differ."),
    "web.user_added": ("利用者を追加しました: {user} ({role})", "User added: {user} ({role})"),
    "web.user_changed": ("変更しました: {user}", "Changed: {user}"),
    "web.bad_host": (
        "127.0.0.1 以外で待ち受けるときは TLS 終端のリバースプロキシを前に置いてください。",
        "Listening beyond 127.0.0.1: put a TLS-terminating reverse proxy in front.",
    ),
}

"""COL-101…108: SSH collection failures, one ERROR finding per failed device (or command).

The SSH collector (``auditor.collect.ssh``) reports every failure as a ``CollectionFailure`` of
some kind; :mod:`.kinds` maps the kinds to these ids and these checks make them findings, so an
unreachable or misbehaving device is never a silent pass.
"""

from __future__ import annotations

from ._base import CollectionErrorCheck


class SshAuthenticationFailure(CollectionErrorCheck):
    """The device refused the SSH login or the privileged-mode (enable/administrator) password.

    What it checks:
        Devices whose SSH login, or whose ``enable`` / Yamaha ``administrator`` password, was
        refused with the credentials the inventory references.

    Why is this bad?:
        Nothing of the device's configuration was read in this run, so every configuration check
        of it is blind. A password that changed without the auditor being told can also mean the
        device was reconfigured outside change control.

    Example:
        ``lg-core-sw1`` answers SSH but rejects user ``auditor``: one ERROR ``COL-101`` finding.

    Remediation:
        Check the read-only account on the device (Cisco ``username auditor privilege 1 secret
        …``), the credential file or environment variable the inventory names, and the enable
        secret where the platform needs one to show its configuration.

    Parameters:
        None.
    """

    id = "COL-101"
    slug = "ssh-authentication-failure"
    title_ja = "SSH ログインまたは特権パスワードの拒否"
    title_en = "SSH login or privileged password refused"


class SshUnreachable(CollectionErrorCheck):
    """The device did not accept an SSH connection within its timeout.

    What it checks:
        Devices whose SSH port refused the connection, did not answer, or timed out before the
        SSH banner, or whose whole collection exceeded its time budget.

    Why is this bad?:
        The configuration of the device is unknown for this run; no finding does not mean
        compliant.

    Example:
        ``shisho-rt1 (10.99.0.26:22)`` with ``ssh.timeout: 20``: no banner in 20 s gives ``COL-102``.

    Remediation:
        Check reachability from the auditor host, the SSH service on the device (Yamaha
        ``sshd service on`` and ``sshd host``, NEC IX ``ssh-server ip enable``), management ACLs
        and the ``ssh.port`` in the inventory.

    Parameters:
        None. The timeout is per device in the inventory (``ssh.timeout``).
    """

    id = "COL-102"
    slug = "ssh-unreachable"
    title_ja = "SSH 接続不可(タイムアウト・到達不能)"
    title_en = "SSH timeout or device unreachable"


class SshUnexpectedPrompt(CollectionErrorCheck):
    """The CLI did not behave as the platform driver expects (prompt not found, session closed).

    What it checks:
        Sessions where the login succeeded but the device's prompt did not come back after a
        command within its read timeout, or the session ended unexpectedly.

    Why is this bad?:
        Output may be truncated or missing; the device's configuration was not fully read.

    Example:
        A banner or a ``--More--`` pager the driver did not switch off leaves ``show
        running-config`` waiting: ``COL-103``.

    Remediation:
        Check the inventory platform (for example ``alaxala_ax`` versus ``cisco_ios``), paging
        settings of the read-only account, and whether the device prints a prompt the driver
        does not recognise (a hostname with spaces, a custom prompt).

    Parameters:
        None.
    """

    id = "COL-103"
    slug = "ssh-unexpected-prompt"
    title_ja = "SSH セッションの想定外の応答(プロンプト不一致等)"
    title_en = "SSH session did not return the expected prompt"


class SshCommandRejected(CollectionErrorCheck):
    """The device answered an allow-listed show command with an error.

    What it checks:
        Each read-only command the platform profile sends; an answer such as ``% Invalid input``
        or ``エラー: コマンド名を確認してください`` is reported with the command as subject.

    Why is this bad?:
        The facts that command provides are missing (for example no LLDP neighbours or no
        routes), so checks that need them cannot judge the device.

    Example:
        An old AW+ release without ``show interface switchport``: ``COL-104`` with subject
        ``command:show interface switchport``.

    Remediation:
        Give the read-only account the privilege level the command needs, or record the device's
        firmware in the inventory so an adapted profile can be used.

    Parameters:
        None.
    """

    id = "COL-104"
    slug = "ssh-command-rejected"
    title_ja = "機器が読み取りコマンドを拒否"
    title_en = "Device rejected a read-only command"


class SshParserFailure(CollectionErrorCheck):
    """The platform parser raised on the collected output.

    What it checks:
        Devices whose outputs were collected but whose parser failed; the outputs' hashes are in
        the command log and the redacted configuration is kept as evidence.

    Why is this bad?:
        Nothing of the device was understood; without this finding the device would silently
        look compliant.

    Example:
        A FortiGate release that prints a new configuration syntax: ``COL-105``.

    Remediation:
        Report the parser error with the (redacted) evidence to the maintainers; meanwhile
        review the device's configuration by hand.

    Parameters:
        None.
    """

    id = "COL-105"
    slug = "ssh-parser-failure"
    title_ja = "収集した出力の解析に失敗"
    title_en = "Parser failed on collected output"


class SshHostKeyRejected(CollectionErrorCheck):
    """The device presented an unknown or a changed SSH host key; no password was sent.

    What it checks:
        Connections whose host key is not in the auditor's known_hosts file (and the inventory
        does not allow trust on first use), or differs from the key recorded earlier.

    Why is this bad?:
        A changed key can mean a replaced device or a machine impersonating it to capture the
        auditor's credentials. The auditor refuses to log in until someone confirms the key.

    Example:
        ``inet-fw1`` was replaced after a failure and presents a new key: ``COL-106``.

    Remediation:
        Confirm the new key's fingerprint on the device console (``show ip ssh`` / ``show
        crypto key mypubkey rsa`` / FortiGate ``get system status``), then update the known_hosts
        file of the auditor (``ssh-keygen -R '[ADDRESS]:PORT' -f KNOWN_HOSTS``).

    Parameters:
        None. ``ssh.host_key_policy`` in the inventory chooses ``known_hosts`` or
        ``trust_on_first_use``.
    """

    id = "COL-106"
    slug = "ssh-host-key-rejected"
    title_ja = "SSH ホスト鍵が未登録または変更"
    title_en = "SSH host key unknown or changed"


class SshCredentialUnresolved(CollectionErrorCheck):
    """A credential the inventory references for SSH could not be read.

    What it checks:
        SSH passwords, enable secrets and private keys given by reference (environment variable,
        file, systemd credential) that are missing or unreadable.

    Why is this bad?:
        The device was not collected at all in this run.

    Example:
        ``password: {systemd: lg-core-sw1-ssh}`` but the unit has no ``LoadCredential=`` for it:
        ``COL-107``.

    Remediation:
        Add the credential (``LoadCredential=lg-core-sw1-ssh:/etc/auditor/credentials/…``) or fix
        the reference in the inventory.

    Parameters:
        None.
    """

    id = "COL-107"
    slug = "ssh-credential-unresolved"
    title_ja = "SSH 認証情報を読み取れない"
    title_en = "SSH credential could not be read"


class SshReadOnlyViolation(CollectionErrorCheck):
    """The collector refused to send a command that is not on the platform's read-only list.

    What it checks:
        Any attempt (a custom profile, a plug-in, a bug) to send a command outside the
        allow-listed show commands; the collector refuses before anything is sent.

    Why is this bad?:
        An auditor must never change the devices it audits. This finding proves the guard worked
        and points at the code or configuration that tried.

    Example:
        A profile that lists ``configure terminal``: ``COL-108`` and nothing sent to the device.

    Remediation:
        Remove the command from the profile; only the commands printed by ``auditor config
        plan DEVICE`` may be sent.

    Parameters:
        None.
    """

    id = "COL-108"
    slug = "ssh-read-only-violation"
    title_ja = "読み取り専用でないコマンドの送信を拒否"
    title_en = "Non-read-only command refused by the collector"

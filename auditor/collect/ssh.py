"""SSH collection over netmiko: read-only by construction, bounded in time, failures as data.

Every command goes through :func:`check_read_only` against the platform's allow-list
(:mod:`auditor.platforms.registry`) before a connection is even opened; anything else raises
:class:`ReadOnlyViolation`. Each command sent is logged with its time and the SHA-256 of the raw
bytes received, and the log is returned as evidence with the redacted running configuration.
Output is read losslessly (netmiko runs with ``latin-1`` so bytes map 1:1 to characters) and
decoded here as UTF-8, CP932 or EUC-JP, so Shift_JIS descriptions survive.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import os
import re
import socket
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from auditor.collect.base import CollectionResult, ProgressCallback, SecretResolver
from auditor.collect.ssh_hostkeys import HostKeyRejected, fetch_host_key, verify_host_key
from auditor.inventory.models import Device
from auditor.model.collection import CollectionFailure, FailureKind
from auditor.model.snapshot import DeviceSnapshot
from auditor.platforms.common import collecting_parse_failures
from auditor.platforms.registry import PlatformProfile, profile_for
from auditor.platforms.text_decode import decode_output
from auditor.redact import RedactingFilter, redact_config, redact_text

log = logging.getLogger(__name__)

CONFIG_READ_TIMEOUT = 90.0
SHOW_READ_TIMEOUT = 30.0

_REJECTED = re.compile(
    r"^\s*(?:% ?Invalid input|% ?Unknown command|% ?Incomplete command|% ?Ambiguous command|"
    r"% ?illegal parameter|Unknown action|command parse error|エラー:|Error: Invalid)",
    re.MULTILINE | re.IGNORECASE,
)
_WIRE_ENCODINGS = {"shift_jis": "cp932", "sjis": "cp932", "euc-jp": "euc_jp", "euc_jp": "euc_jp"}


class ReadOnlyViolation(Exception):  # noqa: N818 - the name the issue asks for
    """A command outside the platform's read-only allow-list was about to be sent."""

    def __init__(self, device: str, platform: str, command: str) -> None:
        super().__init__(
            f"{device}: refusing to send {command!r}: not in the read-only allow-list of {platform}"
        )
        self.device = device
        self.platform = platform
        self.command = command


def check_read_only(device: Device, commands: Sequence[str]) -> PlatformProfile:
    """Raise :class:`ReadOnlyViolation` unless every command is allow-listed for the platform."""
    profile = profile_for(device.platform)
    for command in commands:
        if profile is None or not profile.allows(command):
            raise ReadOnlyViolation(device.name, device.platform, command)
    if profile is None:
        raise ReadOnlyViolation(device.name, device.platform, "<no SSH profile>")
    return profile


def plan_commands(devices: Sequence[Device]) -> dict[str, list[str]]:
    """Exactly what would be sent to each SSH device (``--dry-run``), in order."""
    plan: dict[str, list[str]] = {}
    for device in devices:
        profile = profile_for(device.platform)
        if device.ssh is None or profile is None:
            continue
        plan[device.name] = list(profile.commands)
    return plan


def format_plan(devices: Sequence[Device]) -> str:
    """Human-readable dry-run: session preparation by the driver, then the allow-listed commands."""
    lines: list[str] = []
    for device in devices:
        profile = profile_for(device.platform)
        if device.ssh is None or profile is None:
            continue
        lines.append(f"{device.name} ({device.platform}, {device.address}:{device.ssh.port})")
        for command in profile.session_preparation:
            lines.append(f"  [driver] {command}")
        for command in profile.session.mode_commands:
            lines.append(f"  [session] {command}")
        for command in profile.commands:
            lines.append(f"  {command}")
        for command in profile.session.leave_commands:
            lines.append(f"  [session] {command}")
    return "\n".join(lines)


@dataclass(frozen=True)
class CommandRecord:
    """One line of the command log kept as evidence."""

    time: str
    command: str
    output_sha256: str
    output_bytes: int
    encoding: str
    seconds: float
    outcome: str  # "ok", "rejected" or "error"


@dataclass
class DeviceCollection:
    device: str
    snapshot: DeviceSnapshot | None = None
    errors: list[CollectionFailure] = field(default_factory=list)
    records: list[CommandRecord] = field(default_factory=list)
    evidence: list[tuple[str, bytes]] = field(default_factory=list)
    seconds: float = 0.0


def default_salt() -> bytes:
    """The installation's redaction salt (:func:`auditor.redact.installation_salt`).

    The salt must be stable (markers of an unchanged secret must not change between runs) and
    secret (with a known salt a weak community could be found by trying candidates).
    """
    from auditor.redact import installation_salt

    return installation_salt()


def default_known_hosts() -> Path:
    return _state_dir() / "known_hosts"


def _state_dir() -> Path:
    """``$AUDITOR_STATE_DIR``, systemd's ``$STATE_DIRECTORY``, else ``/var/lib/auditor``."""
    configured = os.environ.get("AUDITOR_STATE_DIR") or os.environ.get("STATE_DIRECTORY")
    return Path(configured.split(":")[0] if configured else "/var/lib/auditor")


def _failure(
    device: str, kind: FailureKind, subject: str, detail: str, **facts: str
) -> CollectionFailure:
    return CollectionFailure(device, kind, subject=subject, detail=detail, facts=facts)


class SshCollector:
    """Collect running configurations and show outputs from SSH devices (Collector protocol)."""

    name = "ssh"

    def __init__(
        self,
        *,
        salt: bytes | None = None,
        known_hosts: Path | None = None,
        max_workers: int = 8,
        read_timeouts: Mapping[str, float] | None = None,
        device_budget_seconds: float | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        redacting_filter: RedactingFilter | None = None,
    ) -> None:
        self._salt = salt
        self.redacting_filter = redacting_filter
        self._known_hosts = known_hosts
        self.max_workers = max(1, max_workers)
        self.read_timeouts = dict(read_timeouts or {})
        self.device_budget_seconds = device_budget_seconds
        self._clock = clock

    @property
    def salt(self) -> bytes:
        if self._salt is None:
            self._salt = default_salt()
        return self._salt

    @property
    def known_hosts(self) -> Path:
        if self._known_hosts is None:
            self._known_hosts = default_known_hosts()
        return self._known_hosts

    def plan(self, devices: Sequence[Device]) -> dict[str, list[str]]:
        return plan_commands(devices)

    def collect(
        self,
        devices: Sequence[Device],
        resolve_secret: SecretResolver,
        progress: ProgressCallback | None = None,
    ) -> CollectionResult:
        """Collect every device with SSH settings, at most ``max_workers`` at a time."""
        targets = [d for d in devices if d.ssh is not None and profile_for(d.platform) is not None]
        result = CollectionResult()
        _ = self.salt  # resolve once, before the threads start
        with ThreadPoolExecutor(max_workers=self.max_workers, thread_name_prefix="ssh") as pool:
            futures = [pool.submit(self.collect_device, d, resolve_secret) for d in targets]
            for device, future in zip(targets, futures, strict=True):
                outcome = future.result()
                if outcome.snapshot is not None:
                    result.snapshots[device.name] = outcome.snapshot
                result.errors.extend(outcome.errors)
                if outcome.evidence:
                    result.evidence[device.name] = outcome.evidence
                if progress is not None:
                    progress(device.name, outcome.snapshot is not None)
        return result

    def collect_device(
        self,
        device: Device,
        resolve_secret: SecretResolver,
        commands: Sequence[str] | None = None,
    ) -> DeviceCollection:
        """One device; never raises (every failure becomes a :class:`CollectionFailure`)."""
        started = time.monotonic()
        outcome = DeviceCollection(device=device.name)
        known_secrets: list[str] = []
        try:
            self._collect(device, resolve_secret, commands, outcome, known_secrets)
        except ReadOnlyViolation as exc:
            outcome.errors.append(
                _failure(device.name, FailureKind.READ_ONLY, "ssh", str(exc), command=exc.command)
            )
        except Exception as exc:
            outcome.errors.append(self._classify(device, exc, known_secrets))
        outcome.seconds = time.monotonic() - started
        outcome.evidence.append(("command-log", self._command_log(device, outcome)))
        return outcome

    # --- internals -----------------------------------------------------------------------

    def _collect(
        self,
        device: Device,
        resolve_secret: SecretResolver,
        commands: Sequence[str] | None,
        outcome: DeviceCollection,
        known_secrets: list[str],
    ) -> None:
        settings = device.ssh
        if settings is None:
            raise ValueError(f"{device.name} has no ssh settings")
        to_send = list(commands) if commands is not None else None
        profile = check_read_only(device, to_send or [])
        if to_send is None:
            to_send = list(profile.commands)

        password = self._secret(device, resolve_secret, settings.password, "password")
        enable = self._secret(device, resolve_secret, settings.enable_secret, "enable secret")
        key_text = self._secret(device, resolve_secret, settings.private_key, "private key")
        known_secrets.extend(value for value in (password, enable) if value)
        if self.redacting_filter is not None:  # netmiko/paramiko DEBUG logs echo what is typed
            for value in known_secrets:
                self.redacting_filter.add_secret(value)

        jump = None
        texts: dict[str, str] = {}
        interrupted: str | None = None
        budget = self.device_budget_seconds or settings.timeout * (3 + len(to_send))
        deadline = time.monotonic() + budget
        try:
            sock = None
            if settings.jump_host:
                try:
                    jump = _open_jump(
                        settings.jump_host,
                        settings.username,
                        password,
                        key_text,
                        settings.timeout,
                        self.known_hosts,
                        trust_on_first_use=settings.host_key_policy == "trust_on_first_use",
                    )
                except Exception as exc:
                    raise JumpHostError(settings.jump_host, exc) from exc
            if jump is not None:
                sock = _jump_channel(jump, device.address, settings.port)
            key = fetch_host_key(device.address, settings.port, settings.timeout, sock)
            verify_host_key(
                self.known_hosts,
                device.address,
                settings.port,
                key,
                trust_on_first_use=settings.host_key_policy == "trust_on_first_use",
            )
            if jump is not None:
                sock = _jump_channel(jump, device.address, settings.port)
            arguments: dict[str, Any] = {
                "device_type": profile.netmiko_device_type,
                "host": device.address,
                "port": settings.port,
                "username": settings.username or "",
                "password": password or "",
                "secret": enable or "",
                "conn_timeout": settings.timeout,
                "auth_timeout": settings.timeout,
                "banner_timeout": settings.timeout,
                "encoding": "latin-1",  # lossless bytes; decoded per device below
                "ssh_strict": True,
                "system_host_keys": False,
                "alt_host_keys": True,
                "alt_key_file": str(self.known_hosts),
                "allow_agent": False,
                # The key is handed over as ``pkey``; netmiko's use_keys would demand a key file
                # and let paramiko read ~/.ssh.
                "use_keys": False,
                "fast_cli": True,
            }
            if key_text is not None:
                arguments["pkey"] = _load_private_key(key_text)
            if sock is not None:
                arguments["sock"] = sock
            connection = _driver_class(profile)(**arguments)
            try:
                session = _Session(connection, profile, settings.timeout)
                session.prepare(has_enable_secret=bool(enable))
                preferred = _WIRE_ENCODINGS.get(
                    (settings.encoding or "").lower(), settings.encoding
                )
                rejected_pattern = _rejected_pattern(profile)
                for command in to_send:
                    check_read_only(device, [command])  # again, at the moment of sending
                    remaining = deadline - time.monotonic()
                    if remaining <= 0:
                        raise TimeoutError(f"device budget of {budget:.0f}s used up")
                    read_timeout = min(self._read_timeout(profile, command), remaining)
                    sent_at = self._clock()
                    began = time.monotonic()
                    interrupted = command
                    text = session.send(command, read_timeout)
                    interrupted = None
                    raw = str(text).encode("latin-1", "replace")
                    decoded = decode_output(raw, preferred=preferred)
                    rejected = bool(rejected_pattern.search(decoded.text[:400]))
                    outcome.records.append(
                        CommandRecord(
                            time=sent_at.isoformat(),
                            command=command,
                            output_sha256=hashlib.sha256(raw).hexdigest(),
                            output_bytes=len(raw),
                            encoding=decoded.encoding,
                            seconds=round(time.monotonic() - began, 3),
                            outcome="rejected" if rejected else "ok",
                        )
                    )
                    if rejected:
                        outcome.errors.append(
                            self._rejected(device, command, decoded.text, known_secrets)
                        )
                        continue
                    texts[command] = decoded.text
                session.leave()
            except _ModeRefusedError as exc:
                outcome.errors.append(
                    _failure(
                        device.name,
                        exc.kind,
                        f"command:{exc.command}",
                        redact_text(exc.answer[:400], salt=self.salt, secrets=known_secrets),
                        command=exc.command,
                        first_line=redact_text(
                            _first_line(exc.answer), salt=self.salt, secrets=known_secrets
                        ),
                        where=f"{device.address}:{settings.port}",
                    )
                )
                return  # nothing was read: no snapshot at all
            except Exception as exc:
                if interrupted is None or not _session_lost(connection, exc):
                    raise
                outcome.records.append(
                    CommandRecord(
                        time=self._clock().isoformat(),
                        command=interrupted,
                        output_sha256="",
                        output_bytes=0,
                        encoding="",
                        seconds=0.0,
                        outcome="error",
                    )
                )
                completed = [r.command for r in outcome.records if r.outcome != "error"]
                outcome.errors.append(
                    _failure(
                        device.name,
                        FailureKind.SSH_SESSION,
                        "ssh",
                        redact_text(
                            f"{type(exc).__name__}: {exc}", salt=self.salt, secrets=known_secrets
                        ),
                        where=f"{device.address}:{settings.port}",
                        exception=type(exc).__name__,
                        interrupted=interrupted,
                        completed=", ".join(completed),
                    )
                )
            finally:
                connection.disconnect()
        finally:
            if jump is not None:
                jump.close()
        self._build_snapshot(device, profile, texts, outcome, known_secrets, to_send)

    def _rejected(
        self, device: Device, command: str, text: str, known_secrets: Sequence[str]
    ) -> CollectionFailure:
        return _failure(
            device.name,
            FailureKind.REJECTED,
            f"command:{command}",
            redact_text(text[:400], salt=self.salt, secrets=known_secrets),
            command=command,
            first_line=redact_text(_first_line(text), salt=self.salt, secrets=known_secrets),
        )

    def _build_snapshot(
        self,
        device: Device,
        profile: PlatformProfile,
        texts: Mapping[str, str],
        outcome: DeviceCollection,
        known_secrets: Sequence[str],
        sent: Sequence[str],
    ) -> None:
        config = texts.get(profile.config_command)
        if config is None:
            # Without the configuration the parser would read "" as a device with every service
            # switched off (no telnet, no SSH, no SNMP): no snapshot beats a wrong one.
            log.info("%s: no configuration was read; no snapshot is built", device.name)
            return
        config_redacted = None
        if config is not None:
            config_redacted = redact_config(config, salt=self.salt, secrets=known_secrets)
            outcome.evidence.append(("running-config", config_redacted.encode("utf-8")))
        try:
            with collecting_parse_failures() as failures:
                parts = profile.parse(texts, salt=self.salt)
        except Exception as exc:
            outcome.errors.append(
                _failure(
                    device.name,
                    FailureKind.PARSER,
                    "parser",
                    redact_text(
                        f"{type(exc).__name__}: {exc}", salt=self.salt, secrets=known_secrets
                    ),
                    platform=device.platform,
                    exception=type(exc).__name__,
                )
            )
            return
        for command, message in failures:
            outcome.errors.append(
                _failure(
                    device.name,
                    FailureKind.UNPARSED_OUTPUT,
                    f"command:{command}",
                    redact_text(message[:400], salt=self.salt, secrets=known_secrets),
                    command=command,
                )
            )
        unreadable = {command for command, _ in failures}
        parts.absent_commands = [
            command for command in sent if command not in texts or command in unreadable
        ]
        parts.unparsed_config_lines = [
            redact_config(line, salt=self.salt, secrets=known_secrets)
            for line in parts.unparsed_config_lines
        ]
        config_hash = (
            hashlib.sha256(config_redacted.encode("utf-8")).hexdigest() if config_redacted else None
        )
        outcome.snapshot = parts.to_snapshot(
            device.name,
            self._clock(),
            config_redacted=config_redacted,
            config_hash=config_hash,
        )

    def _secret(
        self, device: Device, resolve: SecretResolver, reference: object | None, what: str
    ) -> str | None:
        if reference is None:
            return None
        try:
            return resolve(reference)
        except Exception as exc:
            raise _CredentialUnavailableError(what, str(exc)) from exc

    def _read_timeout(self, profile: PlatformProfile, command: str) -> float:
        if command in self.read_timeouts:
            return self.read_timeouts[command]
        return CONFIG_READ_TIMEOUT if command == profile.config_command else SHOW_READ_TIMEOUT

    def _command_log(self, device: Device, outcome: DeviceCollection) -> bytes:
        payload = {
            "device": device.name,
            "platform": device.platform,
            "address": device.address,
            "commands": [asdict(record) for record in outcome.records],
            "errors": [str(error.kind) for error in outcome.errors],
        }
        return json.dumps(payload, ensure_ascii=False, indent=1).encode("utf-8")

    def _classify(
        self, device: Device, exc: BaseException, known_secrets: Sequence[str]
    ) -> CollectionFailure:
        """Which kind of failure an exception of the SSH stack means (no wording here)."""
        from netmiko.exceptions import (
            NetmikoAuthenticationException,
            NetmikoTimeoutException,
            ReadException,
        )
        from paramiko.ssh_exception import (
            AuthenticationException,
            BadHostKeyException,
            SSHException,
        )

        detail = redact_text(f"{type(exc).__name__}: {exc}", salt=self.salt, secrets=known_secrets)
        where = f"{device.address}:{device.ssh.port if device.ssh else 22}"
        facts = {"where": where, "exception": type(exc).__name__}
        if isinstance(exc, JumpHostError):
            # Same kinds as for the device, but the place named is the jump host.
            _, jump_host, jump_port = parse_jump_host(exc.spec, None)
            facts.update(where=f"{jump_host}:{jump_port}", jump_host=exc.spec)
            facts["exception"] = type(exc.cause).__name__
            exc = exc.cause
        kind = FailureKind.SSH_SESSION
        if isinstance(exc, _CredentialUnavailableError):
            kind = FailureKind.SSH_CREDENTIAL
            facts.update(secret=exc.what, reason=exc.reason)
        elif isinstance(exc, NetmikoAuthenticationException | AuthenticationException) or (
            isinstance(exc, ValueError) and "enable" in str(exc).lower()
        ):
            kind = FailureKind.SSH_AUTH
        elif isinstance(exc, SessionClosedError):
            kind = FailureKind.SSH_SESSION
        elif isinstance(exc, HostKeyRejected | BadHostKeyException):
            kind = FailureKind.HOST_KEY
            facts["reason"] = str(exc)
        elif isinstance(exc, ReadException):
            kind = FailureKind.PROMPT
        elif isinstance(
            exc, NetmikoTimeoutException | TimeoutError | socket.timeout | ConnectionError | OSError
        ) or (isinstance(exc, SSHException) and "Error reading SSH protocol banner" in str(exc)):
            kind = FailureKind.SSH_UNREACHABLE
        subject = "ssh-jump" if "jump_host" in facts else "ssh"
        return CollectionFailure(device.name, kind, subject=subject, detail=detail, facts=facts)


class _CredentialUnavailableError(Exception):
    def __init__(self, what: str, reason: str) -> None:
        super().__init__(f"{what}: {reason}")
        self.what = what
        self.reason = reason


def parse_jump_host(spec: str, default_user: str | None) -> tuple[str | None, str, int]:
    """``[user@]host[:port]`` → (user, host, port)."""
    user = default_user
    if "@" in spec:
        user, spec = spec.split("@", 1)
    host, port = spec, 22
    if spec.startswith("["):
        host, _, rest = spec[1:].partition("]")
        port = int(rest.lstrip(":") or 22)
    elif spec.count(":") == 1:
        host, port_text = spec.split(":")
        port = int(port_text)
    return user, host, port


class JumpHostError(Exception):
    """Connecting or logging in to the jump host failed; the device itself was never reached."""

    def __init__(self, spec: str, cause: BaseException) -> None:
        super().__init__(f"jump host {spec}: {type(cause).__name__}: {cause}")
        self.spec = spec
        self.cause = cause


def _open_jump(
    spec: str,
    user: str | None,
    password: str | None,
    key_text: str | None,
    timeout: float,
    known_hosts: Path,
    *,
    trust_on_first_use: bool,
) -> Any:
    """Log in to the jump host with the device's credentials, under the same host-key policy.

    The jump host's key is checked against the collector's known_hosts file (recorded on first
    use only when the inventory allows it for the device), before any credential is sent.
    """
    import paramiko

    jump_user, host, port = parse_jump_host(spec, user)
    key = fetch_host_key(host, port, timeout)
    verify_host_key(known_hosts, host, port, key, trust_on_first_use=trust_on_first_use)
    client = paramiko.SSHClient()
    client.set_missing_host_key_policy(paramiko.RejectPolicy())
    client.load_host_keys(str(known_hosts))
    client.connect(
        host,
        port=port,
        username=jump_user,
        password=password,
        pkey=_load_private_key(key_text) if key_text is not None else None,
        timeout=timeout,
        banner_timeout=timeout,
        auth_timeout=timeout,
        allow_agent=False,
        look_for_keys=False,
    )
    return client


def _jump_channel(client: Any, address: str, port: int) -> Any:
    transport = client.get_transport()
    return transport.open_channel("direct-tcpip", (address, port), ("127.0.0.1", 0))


def _load_private_key(text: str) -> Any:
    import io

    import paramiko

    for key_class in (paramiko.Ed25519Key, paramiko.ECDSAKey, paramiko.RSAKey):
        try:
            return key_class.from_private_key(io.StringIO(text))
        except (paramiko.SSHException, ValueError):
            continue
    raise ValueError("unsupported private key format")


# --- the session: driver class, preparation, prompts ------------------------------------------


class SessionClosedError(Exception):
    """The device closed the SSH session (``exec-timeout``, a reload) while we were reading."""


class _ModeRefusedError(Exception):
    """A mode command of the profile was refused (another session holds the mode, or an error)."""

    def __init__(self, kind: FailureKind, command: str, answer: str) -> None:
        super().__init__(f"{command}: {_first_line(answer)}")
        self.kind = kind
        self.command = command
        self.answer = answer


def _first_line(text: str) -> str:
    stripped = text.strip()
    return stripped.splitlines()[0] if stripped else ""


def _rejected_pattern(profile: PlatformProfile) -> re.Pattern[str]:
    """The generic error lines plus the platform's own (NEC IX ``% x -- Invalid command.``)."""
    if not profile.session.error_lines:
        return _REJECTED
    platform = "|".join(f"(?:{line})" for line in profile.session.error_lines)
    return re.compile(f"(?:{_REJECTED.pattern})|{platform}", re.MULTILINE | re.IGNORECASE)


def _session_lost(connection: Any, exc: BaseException) -> bool:
    """Whether an exception while reading means the device ended the session under us."""
    if isinstance(exc, SessionClosedError | EOFError):
        return True
    channel = getattr(connection, "remote_conn", None)
    if channel is None:
        return True
    transport = getattr(channel, "transport", None)
    return bool(getattr(channel, "closed", False)) or not (
        transport is not None and transport.is_active()
    )


def _read_channel_or_closed(self: Any, read: Callable[[Any], str]) -> str:
    """netmiko's read, but a closed channel with nothing left to read raises at once.

    netmiko's SSH read returns "" for ever once the device has closed the channel, so a session
    cut by an ``exec-timeout`` would otherwise wait out the full read timeout and be reported as
    a prompt problem.
    """
    data = read(self)
    if not data:
        channel = getattr(self, "remote_conn", None)
        if channel is not None and (
            getattr(channel, "closed", False) or getattr(channel, "eof_received", False)
        ):
            raise SessionClosedError("the device closed the SSH session")
    return data


def _prompt_only_preparation(self: Any) -> None:
    """Replaces a driver's session preparation that would send intrusive commands."""
    self._test_channel_read(pattern=r"[>#]")
    self.set_base_prompt()


def _driver_class(profile: PlatformProfile) -> Any:
    """The netmiko class of the profile's driver, with closed-session detection (and, where the
    profile says so, prompt detection only instead of the driver's own preparation)."""
    return _driver_class_for(profile.netmiko_device_type, profile.session.driver_preparation)


@functools.cache
def _driver_class_for(device_type: str, driver_preparation: bool) -> Any:
    from netmiko.ssh_dispatcher import CLASS_MAPPER

    base: Any = CLASS_MAPPER[device_type]
    base_read = base.read_channel

    def read_channel(self: Any) -> str:
        return _read_channel_or_closed(self, base_read)

    namespace: dict[str, Any] = {"read_channel": read_channel}
    if not driver_preparation:
        namespace["session_preparation"] = _prompt_only_preparation
    return type(f"Audited{base.__name__}", (base,), namespace)


class _Session:
    """Brings a logged-in session to the mode the profile needs and sends commands there."""

    def __init__(self, connection: Any, profile: PlatformProfile, timeout: float) -> None:
        self.connection = connection
        self.profile = profile
        self.timeout = timeout
        self.entered = False
        self.base = ""
        self.prompt = self._prompt_pattern()

    def _prompt_pattern(self) -> str:
        """A prompt line at the end of the output: optional prefix, hostname, optional mode.

        Matching the whole last line (not netmiko's "last prompt seen" text) keeps a ``#`` inside
        output, a bare ``#`` prompt or a ``!`` that appears when someone else changes the
        configuration from ending or stalling a read.
        """
        prompt = str(self.connection.find_prompt())
        prefix = self.profile.session.prompt_prefix
        stripped = re.sub(f"^(?:{prefix})+", "", prompt) if prefix else prompt
        self.base = re.sub(r"(?:\([^)]*\))?\s*[>#%$]\s*$", "", stripped)
        return self._prompt_regex()

    def _prompt_regex(self, terminators: str = ">#%$") -> str:
        prefix = self.profile.session.prompt_prefix
        lead = f"(?:{prefix})*" if prefix else ""
        mode = r"(?:\([^)\r\n]*\))?"
        return rf"(?:\A|[\r\n]){lead}{re.escape(self.base)}{mode}\s?[{terminators}]\s*$"

    def prepare(self, *, has_enable_secret: bool) -> None:
        rules = self.profile.session
        wants_enable = rules.enable == "always" or (
            rules.enable == "if_secret" and has_enable_secret
        )
        if wants_enable and not self.connection.check_enable_mode():
            if self.base:
                self.connection.enable()
            else:
                # A bare "#" prompt (no hostname set): the driver's wait for "the base prompt"
                # matches the empty string at once and it gives up before "#" arrives.
                self.connection.enable(enable_pattern=self._prompt_regex(terminators="#"))
        for command in rules.mode_commands:
            answer = self.send(command, self.timeout)
            if rules.mode_busy and re.search(rules.mode_busy, answer):
                raise _ModeRefusedError(FailureKind.CONFIG_LOCKED, command, answer)
            if _rejected_pattern(self.profile).search(answer):
                raise _ModeRefusedError(FailureKind.REJECTED, command, answer)
            self.entered = True

    def send(self, command: str, read_timeout: float) -> str:
        text = self.connection.send_command(
            command,
            expect_string=self.prompt,
            read_timeout=read_timeout,
            strip_prompt=True,
            strip_command=True,
        )
        return str(text)

    def leave(self) -> None:
        """Give the mode back at once (NEC IX: config mode is one per device)."""
        if not self.entered:
            return
        for command in self.profile.session.leave_commands:
            try:
                self.send(command, self.timeout)
            except Exception as exc:  # the collection is complete; disconnect ends the mode too
                log.info("leaving the session mode with %r failed: %s", command, exc)

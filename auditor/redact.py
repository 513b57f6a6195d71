"""Secret redaction, applied before any config or text is stored, logged, diffed or exported.

A secret is replaced by ``<redacted:sha256:XXXXXXXXXXXX>`` where the short hash is
HMAC-SHA256(salt, secret): the same secret always gives the same marker (so diffs stay quiet), a
changed secret gives a different marker (so diffs still show the change), and nobody can recover
the secret from the marker without the salt. The rules cover the configuration syntax of Cisco
IOS/IOS-XE, Alaxala AX, Allied Telesis AW+, Yamaha RTX, FortiGate and NEC IX.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import re
import secrets as secrets_module
from collections.abc import Callable, Iterable
from pathlib import Path

MARKER_PREFIX = "<redacted:sha256:"
_MARKER_RE = re.compile(r"<redacted:sha256:[0-9a-f]{12}>")

# One value token: a double-quoted string (FortiGate, Alaxala) or a run of non-blanks.
_VALUE = r'(?:"(?:[^"\\]|\\.)*"|\'[^\']*\'|[^\s"\']+)'
_TYPE = r"(?:(?:[0-9]{1,2}|encrypted|plain|secret|hash|text|ENC|md5|sha|sha1|sha256|sha512)\s+)"

Replacer = Callable[[str], str]


def marker(secret: str, *, salt: bytes) -> str:
    """The stable, irreversible marker standing in for ``secret``."""
    digest = hmac.new(salt, secret.encode("utf-8"), hashlib.sha256).hexdigest()
    return f"{MARKER_PREFIX}{digest[:12]}>"


SALT_BYTES = 32


def load_or_create_salt(path: Path) -> bytes:
    """The random salt kept at ``path``, created on first use (mode 0600, atomically).

    A fixed or guessable salt would let anyone holding a marker test candidate secrets offline.
    The new salt is written to a private temporary file and hard-linked into place, so a
    concurrent first start never sees a half-written file and both processes end with one salt.
    """
    try:
        existing = path.read_bytes()
    except FileNotFoundError:
        existing = b""
    if len(existing) >= 16:
        return existing
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    value = secrets_module.token_bytes(SALT_BYTES)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{secrets_module.token_hex(4)}")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(value)
            handle.flush()
            os.fsync(handle.fileno())
        try:
            os.link(temporary, path)
        except FileExistsError:
            if len(path.read_bytes()) < 16:  # a damaged salt file: replace it atomically
                temporary.replace(path)
                return value
            return path.read_bytes()
        return value
    finally:
        temporary.unlink(missing_ok=True)


REDACTION_SALT_ENV = "AUDITOR_REDACTION_SALT"
REDACTION_SALT_FILE = "redaction-salt"
_log = logging.getLogger(__name__)
_salts: dict[tuple[str, str], bytes] = {}


def state_dir() -> Path:
    """``$AUDITOR_STATE_DIR``, systemd's ``$STATE_DIRECTORY``, else ``/var/lib/auditor``."""
    configured = os.environ.get("AUDITOR_STATE_DIR") or os.environ.get("STATE_DIRECTORY")
    return Path(configured.split(":")[0] if configured else "/var/lib/auditor")


def installation_salt() -> bytes:
    """The installation's redaction salt: ``$AUDITOR_REDACTION_SALT``, else ``redaction-salt``.

    One salt for configurations, stored findings and every export, so a secret gets the same
    marker in each of them and in every process (the file is random, 0600, in the state
    directory, created on first use). Without a writable state directory the salt lives for
    this process only, and a warning says so.
    """
    configured = os.environ.get(REDACTION_SALT_ENV)
    if configured:
        return configured.encode("utf-8")
    path = state_dir() / REDACTION_SALT_FILE
    key = ("file", str(path))
    known = _salts.get(key)
    if known is not None:
        return known
    try:
        value = load_or_create_salt(path)
    except OSError:
        _log.warning("no writable state directory for the redaction salt; markers of this process")
        value = secrets_module.token_bytes(SALT_BYTES)
    _salts[key] = value  # read (or given up on) once per process and path
    return value


def _rule(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE)


# Each rule has named groups ``s`` (and ``s2``): the secret tokens. Everything else is kept.
_LINE_RULES: tuple[re.Pattern[str], ...] = (
    # --- SNMP (Cisco/AX/AW+/NEC/Yamaha)
    _rule(rf"^\s*(?:no\s+)?snmp-server\s+community\s+(?P<s>{_VALUE})"),
    _rule(
        rf"^\s*snmp-server\s+host\s+\S+(?:\s+(?:informs|traps|version|1|2c|3|auth|noauth|priv|vrf\s+\S+))*\s+(?P<s>{_VALUE})"
    ),
    _rule(
        rf"^\s*snmp-server\s+user\s+.*?\bauth\s+\S+\s+(?:encrypted\s+)?(?P<s>{_VALUE})"
        rf"(?:.*?\bpriv\s+(?:\S+\s+)?(?:128\s+|192\s+|256\s+)?(?P<s2>{_VALUE}))?"
    ),
    _rule(rf"^\s*snmp-agent\s+(?:ip\s+|ipv6\s+)?community\s+(?P<s>{_VALUE})"),
    _rule(rf"^\s*snmp-agent\s+(?:ip\s+)?host\s+\S+\s+(?P<s>{_VALUE})"),
    _rule(rf"^\s*snmp(?:v2c)?\s+community\s+(?:read-only|read-write)\s+(?P<s>{_VALUE})"),
    _rule(rf"^\s*snmp(?:v2c)?\s+host\s+\S+\s+(?:community\s+)?(?P<s>{_VALUE})"),
    _rule(rf"^\s*snmp(?:v2c)?\s+trap\s+host\s+\S+\s+(?:community\s+)?(?P<s>{_VALUE})"),
    _rule(
        rf"^\s*snmpv3\s+usm\s+user\s+.*?\bauth\s+\S+\s+(?P<s>{_VALUE})"
        rf"(?:.*?\bpriv\s+\S+\s+(?P<s2>{_VALUE}))?"
    ),
    # --- passwords and secrets in general "<keyword> [type] <value>" form
    _rule(
        rf"\b(?:password|passwd|secret|key-string|pre-shared-key|passphrase)\s+{_TYPE}{{0,2}}(?P<s>{_VALUE})"
    ),
    # --- keys: RADIUS/TACACS/NTP/ISAKMP/IKE
    _rule(rf"^\s*(?:radius|tacacs)-server\s+.*?\bkey\s+(?:[0-9]\s+)?(?P<s>{_VALUE})"),
    _rule(rf"^\s*(?:radius|tacacs\+?)\s+(?:secret|key)\s+(?P<s>{_VALUE})"),
    _rule(rf"^\s*key\s+(?:[0-9]\s+)?(?P<s>{_VALUE})\s*$"),
    _rule(rf"^\s*server-private\s+\S+\s+.*?\bkey\s+(?:[0-9]\s+)?(?P<s>{_VALUE})"),
    _rule(rf"^\s*ntp\s+authentication-key\s+\d+\s+\S+\s+(?P<s>{_VALUE})"),
    _rule(rf"^\s*crypto\s+isakmp\s+key\s+(?:[0-9]\s+)?(?P<s>{_VALUE})"),
    _rule(rf"^\s*ike\s+(?:pre-shared-)?key\s+(?:[0-9]\s+)?(?P<s>{_VALUE})"),
    _rule(rf"^\s*ipsec\s+ike\s+pre-shared-key\s+\d+\s+(?:text\s+|hex\s+)?(?P<s>{_VALUE})"),
    _rule(rf"^\s*(?:login|administrator)\s+password\s+(?:encrypted\s+)?(?P<s>{_VALUE})"),
    _rule(rf"^\s*login\s+user\s+\S+\s+(?:encrypted\s+)?(?P<s>{_VALUE})"),
    _rule(rf"^\s*pp\s+auth\s+(?:myname|username)\s+\S+\s+(?P<s>{_VALUE})"),
    _rule(rf"^\s*ppp\s+authentication\s+(?:password|myname)\s+\S+\s+(?P<s>{_VALUE})"),
    _rule(rf"^\s*pre-shared-key\s+(?:[0-9]\s+)?(?P<s>{_VALUE})"),
    # --- routing protocol authentication (OSPF; BGP ``neighbor … password`` is the generic rule)
    _rule(rf"\bip\s+ospf\s+authentication-key\s+(?:[0-9]\s+)?(?P<s>{_VALUE})"),
    _rule(rf"\bmessage-digest-key\s+\d+\s+md5\s+(?:[0-9]\s+)?(?P<s>{_VALUE})"),
    # --- NEC IX: ``ike policy N peer A key PSK …``, IKEv2 PSK, PPP profile passwords
    _rule(rf"^\s*ike\s+policy\s+\S+\s+.*?\bkey\s+(?P<s>{_VALUE})"),
    _rule(rf"\bikev2\s+authentication\s+psk\s+.*?\bkey\s+(?:char\s+|hex\s+)?(?P<s>{_VALUE})"),
    _rule(rf"^\s*authentication\s+password\s+\S+\s+(?P<s>{_VALUE})"),
    _rule(rf"\bsecret-password\s+(?P<s>{_VALUE})"),
    # --- Yamaha: ``l2tp tunnel auth on SECRET``
    _rule(rf"^\s*l2tp\s+tunnel\s+auth\s+on\s+(?P<s>{_VALUE})"),
    # --- FortiGate "set <secret-ish> ..." lines
    _rule(
        rf"^\s*set\s+(?:password|passwd|psksecret|secret|key|auth-pwd|priv-pwd|passphrase|"
        rf"ppk-secret|auth-password|sslvpn-password|ldap-password|private-key|"
        rf"password2|pre-shared-key|community)\s+(?:ENC\s+)?(?P<s>{_VALUE})"
    ),
    # --- anywhere: FortiGate encrypted blobs and Cisco type 5/8/9 hashes
    _rule(r"\bENC\s+(?P<s>[A-Za-z0-9+/=]{8,})"),
    _rule(r"(?P<s>\$(?:1|5|6|8|9|14)\$[A-Za-z0-9./$+=_-]{4,})"),
)

# Only valid inside a FortiGate ``config system snmp community`` block (the name is the community).
_FORTI_SNMP_NAME = _rule(rf"^\s*set\s+name\s+(?P<s>{_VALUE})\s*$")
_PEM_BEGIN = re.compile(r"-----BEGIN [A-Z0-9 ]*(PRIVATE KEY|CERTIFICATE|PUBLIC KEY)[A-Z ]*-----")
_PEM_END = re.compile(r"-----END [A-Z0-9 ]*-----")
_CISCO_CERT_START = re.compile(r"^\s*certificate\s+(?:ca\s+|self-signed\s+)?\S+\s*$")
_HEX_BLOCK_LINE = re.compile(r"^\s*(?:[0-9A-Fa-f]{8}\s*)+$")
_QUIT = re.compile(r"^\s*quit\s*$")

# Free-text shapes (logs, exceptions): key=value and key: value.
_TEXT_RULES: tuple[re.Pattern[str], ...] = (
    # ``(?<![-\w])``: a finding subject such as ``snmp-community:v2c:public`` is an identifier
    # (a well-known default name, stable across exports so it matches stored findings and
    # exception selectors), not a ``community: VALUE`` pair.
    _rule(
        r"(?<![-\w])(?:password|passwd|pwd|secret|community|psk|pre-shared-key|enable_secret|"
        rf"auth_key|priv_key|api[_-]?key|token)\b\s*[=:]\s*(?P<s>{_VALUE})"
    ),
)


_UNANCHORED_RULES: tuple[re.Pattern[str], ...] = tuple(
    re.compile(rule.pattern.replace("^\\s*", "\\b", 1), rule.flags)
    for rule in _LINE_RULES
    if rule.pattern.startswith("^")
)


def _replace_groups(line: str, match: re.Match[str], salt: bytes) -> str:
    spans = []
    for group in ("s", "s2"):
        if group in match.re.groupindex and match.group(group) is not None:
            spans.append(match.span(group))
    out = line
    for start, end in sorted(spans, reverse=True):
        core = out[start:end]
        if len(core) >= 2 and core[0] == core[-1] and core[0] in "\"'":
            core = core[1:-1]
        if core.startswith(MARKER_PREFIX):
            continue
        out = out[:start] + marker(core, salt=salt) + out[end:]
    return out


def _redact_line(line: str, salt: bytes, rules: Iterable[re.Pattern[str]]) -> str:
    current = line
    for rule in rules:
        position = 0
        while position <= len(current):  # a line may hold several secrets
            match = rule.search(current, position)
            if match is None:
                break
            updated = _replace_groups(current, match, salt)
            position = max(match.end() + len(updated) - len(current), match.start() + 1)
            current = updated
    return current


_EVIDENCE_SEPARATOR = " / "


def _redact_evidence(line: str, salt: bytes) -> str:
    """Redact each part of a ``parent / child`` unparsed-line evidence string as its own line.

    Parsers report a child line under its block as ``interface X / <child>``; anchored rules
    would not see the child there. Splitting changes nothing else: only secret tokens change.
    """
    if _EVIDENCE_SEPARATOR not in line:
        return line
    head, *rest = line.split(_EVIDENCE_SEPARATOR)
    return _EVIDENCE_SEPARATOR.join(
        [head, *(_redact_line(part, salt, _LINE_RULES) for part in rest)]
    )


def _redact_known(text: str, secrets: Iterable[str], salt: bytes) -> str:
    for secret in sorted({s for s in secrets if s and len(s) >= 3}, key=len, reverse=True):
        text = text.replace(secret, marker(secret, salt=salt))
    return text


def redact_config(text: str, *, salt: bytes, secrets: Iterable[str] = ()) -> str:
    """Return ``text`` (a device configuration) with every secret replaced by its marker.

    ``secrets`` are literal values known to the caller (the credentials it used); they are
    replaced wherever they appear, even where no syntax rule would have found them.
    """
    out: list[str] = []
    block: list[str] = []  # PEM lines or Cisco certificate hex lines being collected
    mode = ""  # "", "pem" or "cert"
    depth = 0  # FortiGate config/end nesting
    community_depth: int | None = None
    for line in text.split("\n"):
        stripped = line.strip()
        if mode == "pem":
            block.append(line)
            if _PEM_END.search(line):
                out.append(_pem_marker(block, salt))
                block, mode = [], ""
            continue
        if mode == "cert":
            if _HEX_BLOCK_LINE.match(line):
                block.append(stripped)
                continue
            if block:
                out.append("  " + marker("".join(block), salt=salt))
            block, mode = [], ""
        begin = _PEM_BEGIN.search(line)
        if begin:
            if _PEM_END.search(line[begin.end() :]):
                out.append(line[: begin.start()] + marker(line[begin.start() :], salt=salt))
            else:
                block, mode = [line], "pem"
            continue
        if _CISCO_CERT_START.match(line):
            out.append(line)
            block, mode = [], "cert"
            continue
        if stripped.startswith("config "):
            depth += 1
            if stripped.startswith("config system snmp community"):
                community_depth = depth
        elif stripped == "end":
            if community_depth == depth:
                community_depth = None
            depth = max(depth - 1, 0)
        rules = _LINE_RULES
        if community_depth is not None and depth == community_depth:
            rules = (*_LINE_RULES, _FORTI_SNMP_NAME)
        out.append(_redact_evidence(_redact_line(line, salt, rules), salt))
    if block:
        out.append(marker("".join(block), salt=salt))
    return _redact_known("\n".join(out), secrets, salt)


def _pem_marker(block: list[str], salt: bytes) -> str:
    body = "\n".join(block)
    begin = _PEM_BEGIN.search(block[0])
    prefix = block[0][: begin.start()] if begin else ""
    closing = '"' if body.rstrip().endswith('"') else ""
    return f"{prefix}{marker(body, salt=salt)}{closing}"


def redact_text(text: str, *, salt: bytes, secrets: Iterable[str] = ()) -> str:
    """Redact free text (log lines, error messages, command output) as well as configs."""
    redacted = redact_config(text, salt=salt, secrets=secrets)
    rules = (*_UNANCHORED_RULES, *_TEXT_RULES)
    return "\n".join(_redact_line(line, salt, rules) for line in redacted.split("\n"))


def contains_marker(text: str) -> bool:
    return bool(_MARKER_RE.search(text))


class RedactingFilter(logging.Filter):
    """A logging filter that redacts every record's message (and its arguments) in place."""

    def __init__(self, *, salt: bytes, secrets: Iterable[str] = ()) -> None:
        super().__init__()
        self._salt = salt
        self._secrets: set[str] = set(secrets)

    def add_secret(self, secret: str) -> None:
        """Remember a secret resolved at run time so it is masked wherever it shows up."""
        if secret:
            self._secrets.add(secret)

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        record.msg = redact_text(message, salt=self._salt, secrets=self._secrets)
        record.args = None
        if record.exc_info and record.exc_info[1] is not None:
            formatted = logging.Formatter().formatException(record.exc_info)
            record.exc_text = redact_text(formatted, salt=self._salt, secrets=self._secrets)
            record.exc_info = None
        return True

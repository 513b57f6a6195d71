"""Make untrusted text harmless for terminals and text exports.

A device's description, banner or VLAN name is chosen by whoever controls the device. Written raw
to a terminal, ``ESC[2J`` clears the screen, ``ESC]0;…BEL`` retitles the window and a bidi
override (U+202E) makes ``evil.cfg`` read as something else. :func:`neutralize` replaces every such
code point by a visible escape, so the text stays readable and the trick shows.

Escapes are chosen so a JSON document stays valid after neutralizing: C0 controls never appear raw
in JSON (``json.dumps`` escapes them), and DEL, C1 and bidi controls become ``\\uXXXX``.
"""

from __future__ import annotations

import io
import json
import re
import sys
from typing import IO, Any

import orjson

__all__ = [
    "NeutralizingStream",
    "guard_terminal",
    "has_unsafe",
    "json_dumps",
    "json_line",
    "json_line_bytes",
    "neutralize",
]

# C0 except tab and newline (a CR directly before LF is a line ending, not an overwrite), DEL,
# C1, and the bidi controls: embeddings/overrides, isolates, LRM/RLM and the Arabic letter mark.
_UNSAFE = re.compile(
    "\r(?!\n)|[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]"
)

# The same code points with every CR (no look-ahead): a plain character class, which the regex
# engine scans ~2.6x faster over Japanese text. Text without any of them is safe; text with one
# is checked with _UNSAFE (a CR before LF is fine). Exports scan every row (issue 20).
_SUSPECT = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x20 else f"\\u{code:04x}"


def has_unsafe(text: str) -> bool:
    """Whether :func:`neutralize` would change ``text``."""
    return _SUSPECT.search(text) is not None and _UNSAFE.search(text) is not None


def neutralize(text: str) -> str:
    """``text`` with control and bidi code points replaced by visible escapes (tab, LF kept)."""
    if not _SUSPECT.search(text) or not _UNSAFE.search(text):
        return text
    return _UNSAFE.sub(_escape, text)


def json_dumps(value: Any, **kwargs: Any) -> str:
    """``json.dumps`` whose output never carries a raw DEL, C1 or bidi control (still valid JSON)."""
    return neutralize(json.dumps(value, **kwargs))


def json_line(value: Any) -> str:
    """Compact JSON of ``value`` (the bytes of ``json.dumps(value, ensure_ascii=False,
    separators=(",", ":"))``), neutralized like :func:`json_dumps`; orjson encodes it, ~3x faster
    than ``json`` on the exports' rows. Plain JSON values only (str keys, no floats)."""
    return neutralize(orjson.dumps(value).decode())


# What :func:`neutralize` may change in orjson's UTF-8 output. orjson escapes every C0 control
# (CR included) inside strings and writes none outside them, so only DEL and the code points from
# U+0080 up remain: C1 (C2 80-9F), LRM/RLM and the embeddings/overrides (E2 80 8E/8F/AA-AE), the
# isolates (E2 81 A6-A9) and the Arabic letter mark (D8 9C). Each pattern starts with a literal
# byte, which the regex engine skips to: three scans cost less than decoding the line.
_UTF8_SUSPECTS = (
    re.compile(b"\xc2[\x80-\x9f]"),
    re.compile(b"\xe2(?:\x80[\x8e\x8f\xaa-\xae]|\x81[\xa6-\xa9])"),
    re.compile(b"\xd8\x9c"),
)


def json_line_bytes(value: Any) -> bytes:
    """:func:`json_line` as UTF-8 bytes, without decoding orjson's output and encoding it again.

    A JSON export of 100,000 findings is ~170 MB: the round trip through ``str`` (and the scan
    of the text) was a third of writing it. Only a line with a suspect byte sequence is decoded
    and neutralized; a test compares both functions over every code point.
    """
    raw = orjson.dumps(value)
    if b"\x7f" in raw or any(pattern.search(raw) for pattern in _UTF8_SUSPECTS):
        return neutralize(raw.decode()).encode()
    return raw


class NeutralizingStream(io.TextIOBase):
    """A text stream that neutralizes everything written before passing it on.

    ``rich_proxied_file`` sends rich consoles to the real stream: rich must write its own colour
    codes raw, and :func:`guard_terminal` makes rich neutralize the text it renders instead.
    """

    def __init__(self, target: IO[str]) -> None:
        super().__init__()
        self._target = target
        self.rich_proxied_file = target

    def write(self, text: str) -> int:
        self._target.write(neutralize(text))
        return len(text)

    def flush(self) -> None:
        self._target.flush()

    def isatty(self) -> bool:
        return self._target.isatty()

    def fileno(self) -> int:
        return self._target.fileno()

    def writable(self) -> bool:
        return True

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return getattr(self._target, "encoding", "utf-8") or "utf-8"

    @property
    def buffer(self) -> Any:
        """The byte stream below (click writes bytes there); bytes are not neutralized."""
        return getattr(self._target, "buffer", None)


_installed = False


def guard_terminal() -> None:
    """Neutralize every terminal write of this process: plain writes and rich consoles.

    Plain writes (``print``, ``typer.echo``, ``sys.stdout.write``) pass through
    :class:`NeutralizingStream`; rich renders every string through ``Console.render_str``, which
    is wrapped once here so rich still emits its own styles. Idempotent.
    """
    global _installed
    if _installed:
        return
    _installed = True
    if not isinstance(sys.stdout, NeutralizingStream) and sys.stdout is not None:
        sys.stdout = NeutralizingStream(sys.stdout)
    if not isinstance(sys.stderr, NeutralizingStream) and sys.stderr is not None:
        sys.stderr = NeutralizingStream(sys.stderr)
    from rich.console import Console

    original = Console.render_str

    def render_str(self: Console, text: str, *args: Any, **kwargs: Any) -> Any:
        return original(self, neutralize(text), *args, **kwargs)

    Console.render_str = render_str  # type: ignore[method-assign]

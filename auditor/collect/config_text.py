"""Turn the bytes of a saved configuration into the text the platform parser expects.

Saved configurations arrive in whatever state an operator left them: CP932 or EUC-JP from a
Japanese console, a UTF-8 BOM from a Windows editor, CRLF line ends, ``--More--`` prompts from a
paged terminal, the prompt and ``show running-config`` echoed by a pasted session, RANCID's
``!``-prefixed header. Everything removed is counted and described in :class:`Cleaning`, which
the collector keeps as evidence and reports as an INFO finding: nothing is mangled silently.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from auditor.platforms.text_decode import decode_output

UTF8_BOM = b"\xef\xbb\xbf"

# Pager prompts of the supported CLIs, with the backspaces/spaces some terminals use to erase them.
_PAGER = re.compile(
    r"[ \t]*(?:--More--|-- ?More ?--|<--- More --->|---\s*つづく\s*---|--- more ---)"
    r"[ \t]*(?:\x08+(?:[ \t]+\x08+)*)?",
    re.IGNORECASE,
)
_ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
_BACKSPACES = re.compile(r"[\x08]+")
_PROMPT = r"[A-Za-z0-9_.()\-\"!]{1,64}(?:\([\w-]+\))?[#>$%]"
_SHOW_ECHO = re.compile(
    rf"^\s*(?:{_PROMPT})\s*(?:show|sh|more|get)\s+(?:run\S*|config\S*|full-configuration|"
    rf"startup-config|system\s+config)\b.*$",
    re.IGNORECASE,
)
_PROMPT_ONLY = re.compile(rf"^\s*{_PROMPT}\s*$")
_RANCID_HEADER = re.compile(r"^!(?:RANCID-CONTENT-TYPE:|[A-Za-z][^\n]*:)")


@dataclass
class Cleaning:
    """What was done to a file's text before parsing; every removal is counted."""

    encoding: str = "utf-8"
    bom: bool = False
    crlf_lines: int = 0
    pager_prompts: int = 0
    echo_lines: list[str] = field(default_factory=list)
    trailing_prompt: str | None = None
    rancid_header_lines: int = 0
    control_sequences: int = 0

    @property
    def changed(self) -> bool:
        """Whether any content (not only the line ends or the BOM) was removed."""
        return bool(
            self.pager_prompts
            or self.echo_lines
            or self.trailing_prompt
            or self.rancid_header_lines
            or self.control_sequences
        )

    def summary(self) -> dict[str, object]:
        return {
            "encoding": self.encoding,
            "bom": self.bom,
            "crlf_lines": self.crlf_lines,
            "pager_prompts_removed": self.pager_prompts,
            "echo_lines_removed": list(self.echo_lines),
            "trailing_prompt_removed": self.trailing_prompt,
            "rancid_header_lines_removed": self.rancid_header_lines,
            "control_sequences_removed": self.control_sequences,
        }

    def describe(self) -> str:
        """One line for messages: only what was removed, with counts."""
        parts: list[str] = []
        if self.pager_prompts:
            parts.append(f"{self.pager_prompts} pager prompt(s) (--More--)")
        if self.echo_lines:
            parts.append(f"{len(self.echo_lines)} echoed session line(s)")
        if self.trailing_prompt:
            parts.append("1 trailing prompt")
        if self.rancid_header_lines:
            parts.append(f"{self.rancid_header_lines} RANCID header line(s)")
        if self.control_sequences:
            parts.append(f"{self.control_sequences} terminal control sequence(s)")
        return ", ".join(parts)


def decode_config(raw: bytes) -> tuple[str, Cleaning]:
    """Decode with BOM, UTF-8, CP932 or EUC-JP (strict first) and normalise line ends."""
    cleaning = Cleaning()
    if raw.startswith(UTF8_BOM):
        cleaning.bom = True
        raw = raw[len(UTF8_BOM) :]
    decoded = decode_output(raw)
    cleaning.encoding = decoded.encoding
    text = decoded.text
    cleaning.crlf_lines = text.count("\r\n")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text, cleaning


def clean_config(text: str, cleaning: Cleaning, *, rancid: bool = False) -> str:
    """Remove pager residue, session echo, a trailing prompt and (RANCID) the header comments."""
    lines = text.split("\n")
    out: list[str] = []
    for line in lines:
        pagers = len(_PAGER.findall(line))
        if pagers:
            cleaning.pager_prompts += pagers
            line = _PAGER.sub("", line)
            if not line.strip():
                continue
        controls = len(_ANSI.findall(line)) + len(_BACKSPACES.findall(line))
        if controls:
            cleaning.control_sequences += controls
            line = _BACKSPACES.sub("", _ANSI.sub("", line))
        out.append(line)
    # A pasted session: everything up to the echoed ``prompt# show running-config`` line.
    for index, line in enumerate(out[:40]):
        if _SHOW_ECHO.match(line):
            cleaning.echo_lines = [entry for entry in out[: index + 1] if entry.strip()]
            out = out[index + 1 :]
            break
    while out and not out[-1].strip():
        out.pop()
    if out and _PROMPT_ONLY.match(out[-1]) and not out[-1].lstrip().startswith("!"):
        cleaning.trailing_prompt = out.pop().strip()
    if rancid:
        kept: list[str] = []
        header = True
        for line in out:
            if header and _RANCID_HEADER.match(line):
                cleaning.rancid_header_lines += 1
                continue
            if header and line.strip() not in ("", "!"):
                header = False
            kept.append(line)
        out = kept
    return "\n".join(out) + "\n"


def hostname_of(text: str) -> str | None:
    """The device name a configuration gives itself (IOS-like, FortiGate, Yamaha prompt)."""
    patterns = (
        r'^hostname\s+"?([^"\s]+)"?\s*$',
        r'^\s+set hostname\s+"?([^"\s]+)"?\s*$',
        r"^console prompt\s+(\S+)\s*$",
        r"^sysname\s+(\S+)\s*$",
    )
    for pattern in patterns:
        match = re.search(pattern, text, re.MULTILINE)
        if match:
            return match.group(1)
    return None

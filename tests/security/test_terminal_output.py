"""Device-chosen control codes and bidi overrides never reach a terminal or a text export raw."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime
from pathlib import Path

from auditor.textsafe import NeutralizingStream, has_unsafe, json_dumps, neutralize
from tests.security.cli_forker import Forker, Result
from tests.test_config_history import record

REPO = Path(__file__).resolve().parents[2]
MEMORY_LIMIT = 1536 * 1024 * 1024
HOSTILE = "desc \x1b[2J\x1b]0;owned\x07 \u202eevil\u2066 \x85 \x7f\r end"
RAW = ("\x1b", "\x07", "\u202e", "\u2066", "\x85", "\x7f")


def test_neutralize_replaces_controls_and_bidi_with_visible_escapes() -> None:
    text = neutralize(HOSTILE)
    assert not any(code in text for code in RAW)
    assert "\\x1b[2J" in text and "\\x07" in text and "\\u202e" in text and "\\u0085" in text
    assert "\\x0d end" in text  # a lone CR would overwrite the line
    assert neutralize("tab\tline\r\nnext\n日本語") == "tab\tline\r\nnext\n日本語"


def test_json_stays_valid_and_carries_no_raw_bidi_or_c1() -> None:
    dumped = json_dumps({"v": HOSTILE}, ensure_ascii=False)
    assert not any(code in dumped for code in RAW)
    assert json.loads(dumped)["v"] == HOSTILE


def test_the_stream_guard_neutralizes_plain_writes() -> None:
    target = io.StringIO()
    NeutralizingStream(target).write(HOSTILE)
    assert target.getvalue() == neutralize(HOSTILE)


def _run(forker: Forker, *arguments: str, cwd: Path) -> Result:
    """``auditor *arguments`` in a process of its own that enters the console-script entry point
    with real stdout/stderr files (forked from the warm runner in tests/security/conftest.py, the
    environment ``AUDITOR_LANG=en``, ``COLUMNS=200``)."""
    result = forker.run(
        list(arguments), cwd=cwd, output=cwd / "output", memory_limit=MEMORY_LIMIT, timeout=120
    )
    assert result.returncode is not None, "the command outlived its timeout"
    return result


def test_config_show_prints_a_hostile_banner_neutralized(tmp_path: Path, forker: Forker) -> None:
    from auditor.store import Store

    store = Store(f"sqlite:///{tmp_path / 'auditor.db'}")
    store.upgrade()
    record(store, f"hostname sw1\nbanner motd ^{HOSTILE}^\n", datetime(2026, 1, 1, tzinfo=UTC))
    store.close()
    result = _run(
        forker, "config", "show", "sw1", "--db", str(tmp_path / "auditor.db"), cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    assert not any(code in result.stdout for code in RAW)
    assert "\\x1b[2J" in result.stdout and "\\u202e" in result.stdout


def test_rich_error_output_is_neutralized(tmp_path: Path, forker: Forker) -> None:
    """Messages printed by rich consoles (validation errors quoting a value) are guarded too."""
    devices = tmp_path / "devices.yaml"
    devices.write_text(
        "devices:\n  - name: sw1\n    address: 10.99.0.11\n    platform: cisco_ios\n"
        '    zones: ["\\e[2J\\e]0;owned\\a\\u202Ez"]\n',
        encoding="utf-8",
    )
    result = _run(
        forker,
        "validate",
        "--policy",
        str(REPO / "policies" / "example-city"),
        "--inventory",
        str(devices),
        cwd=tmp_path,
    )
    assert result.returncode == 2
    assert "unknown zone" in result.stderr
    assert not any(code in result.stderr for code in RAW)
    assert "\\x1b[2J" in result.stderr and "\\u202e" in result.stderr


def test_the_fast_prefilter_lets_no_unsafe_code_point_through() -> None:
    """``has_unsafe``/``neutralize`` skip text the character class finds clean: it must cover
    every code point the exact pattern flags (alone, or a CR not before LF)."""
    from auditor.textsafe import _SUSPECT, _UNSAFE

    for code in range(0x10000):
        char = chr(code)
        if _UNSAFE.search(char) or _UNSAFE.search(char + "x"):
            assert _SUSPECT.search(char), hex(code)
    assert not has_unsafe("行1\r\n行2") and has_unsafe("行1\r行2")
    assert neutralize("a\r\nb\u202ec\x7f") == "a\r\nb\\u202ec\\u007f"

"""Help in both languages, built one way: every text comes from the ``auditor.cli.i18n`` table."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from auditor.cli.i18n import MESSAGES, Lang, detect_lang
from tests.cli_tree import CliRunner, build_app, get_command

CLI_DIR = Path(__file__).resolve().parents[2] / "auditor" / "cli"
TEXTS: dict[str, set[str]] = {
    "ja": {ja for ja, _ in MESSAGES.values()},
    "en": {en for _, en in MESSAGES.values()},
}
KANA = re.compile(r"[\u3040-\u30ff]")
TERM = "三層の対策"  # the programme's name stays in Japanese in the English text


def has_kana(text: str) -> bool:
    return bool(KANA.search(text.replace(TERM, "")))


def invoke_main(*args: str) -> Any:
    """What ``auditor ARGS`` does: the language from the arguments (no locale), then the app."""
    app = build_app(detect_lang(args, {}))
    return CliRunner().invoke(app, list(args), prog_name="auditor")  # type: ignore[arg-type]


def walk(command: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], Any]]:
    """Every command and group under ``command`` (typer's click objects), with its path."""
    yield path, command
    for name, sub in getattr(command, "commands", {}).items():
        yield from walk(sub, (*path, name))


def command_tree(lang: Lang) -> list[tuple[tuple[str, ...], Any]]:
    return list(walk(get_command(build_app(lang))))


def flat(text: str) -> str:
    return " ".join(text.split())


def test_root_help_with_lang_ja_is_japanese_and_with_lang_en_english() -> None:
    ja = invoke_main("--lang", "ja", "--help")
    assert ja.exit_code == 0, ja.output
    assert "終了コード" in ja.output and "機器一覧の全機器を収集" in ja.output
    en = invoke_main("--lang", "en", "--help")
    assert en.exit_code == 0, en.output
    assert "Exit codes" in en.output and not has_kana(en.output)


def test_lang_before_a_group_and_on_a_command_both_work() -> None:
    before = invoke_main("--lang", "en", "config", "show", "--help")
    assert before.exit_code == 0, before.output
    assert "Show the configuration in force." in before.output
    on_command = invoke_main("config", "show", "--lang", "ja", "--help")
    assert on_command.exit_code == 0, on_command.output
    assert "指定日時の設定を表示します。" in on_command.output


def test_the_installed_command_accepts_lang_before_help() -> None:
    """The report from users: ``auditor --lang ja --help`` used to fail with exit 2."""
    env = dict(os.environ, LANG="C.UTF-8", LC_ALL="", LC_MESSAGES="")
    result = subprocess.run(
        [sys.executable, "-m", "auditor", "--lang", "ja", "--help"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "終了コード" in result.stdout


def test_the_tree_has_every_command_group() -> None:
    paths = {" ".join(path) for path, _ in command_tree("en")}
    for expected in (
        "validate", "rules", "run", "check", "verify", "daemon", "status", "matrix", "report",
        "export", "probe", "findings list", "findings show", "findings ack", "findings suppress",
        "db upgrade", "config show", "config diff", "config plan", "traffic analyze",
        "traffic watch", "lab netns up", "lab netns down", "web user add", "web user passwd",
        "web user disable",
    ):  # fmt: skip
        assert expected in paths


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_every_command_and_option_help_comes_from_the_i18n_table(lang: Lang) -> None:
    for path, command in command_tree(lang):
        where = " ".join(path) or "auditor"
        assert command.help in TEXTS[lang], (where, command.help)
        for param in command.params:
            text = getattr(param, "help", None)
            if param.name == "help" or text is None:
                continue
            assert text in TEXTS[lang], (where, param.name, text)


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_every_command_help_runs_in_both_languages(lang: Lang) -> None:
    other: Lang = "en" if lang == "ja" else "ja"
    others = {" ".join(path): command.help for path, command in command_tree(other)}
    for path, command in command_tree(lang):
        result = invoke_main("--lang", lang, *path, "--help")
        where = " ".join(path)
        assert result.exit_code == 0, (where, result.output)
        assert command.help is not None
        assert flat(command.help.split("\n")[0]) in flat(result.output), where
        assert others[where] != command.help, where  # translated, not the same text twice
        if lang == "ja":
            assert has_kana(result.output), where
        else:
            assert not has_kana(result.output), (where, result.output)


def test_every_command_accepts_lang() -> None:
    for path, command in command_tree("en"):
        if hasattr(command, "commands"):
            continue
        names = {opt for param in command.params for opt in getattr(param, "opts", [])}
        assert "--lang" in names, " ".join(path)


def test_no_command_module_writes_help_text_outside_the_i18n_helper() -> None:
    offenders = []
    for module in sorted(CLI_DIR.glob("*.py")):
        if module.name == "i18n.py":
            continue
        for number, line in enumerate(module.read_text(encoding="utf-8").splitlines(), 1):
            if re.search(r"\bhelp=(?!t\()", line) or match_docstring_help(line):
                offenders.append(f"{module.name}:{number}: {line.strip()}")
    assert offenders == []


def match_docstring_help(line: str) -> bool:
    """``@x.command("name")`` without ``help=`` would make typer use the docstring instead."""
    return (
        bool(re.search(r"\.(command|callback)\([^)]*\)\s*$", line))
        and "help=" not in line
        and (".callback()" not in line)
    )


SHARED_ENV = {
    "--policy": "AUDITOR_POLICY",
    "--inventory": "AUDITOR_INVENTORY",
    "--ledger": "AUDITOR_LEDGER",
    "--db": "AUDITOR_DB_URL",
}


def test_the_shared_options_carry_the_same_environment_variable_everywhere() -> None:
    """One definition in ``auditor.cli.options``; ``config plan -i`` reads AUDITOR_INVENTORY too."""
    seen: set[str] = set()
    for path, command in command_tree("en"):
        for param in command.params:
            for name in set(getattr(param, "opts", [])) & SHARED_ENV.keys():
                assert param.envvar == SHARED_ENV[name], (" ".join(path), name)
                seen.add(name)
    assert seen == set(SHARED_ENV)


def test_the_policy_environment_variable_reaches_validate(tmp_path: Path) -> None:
    repo = Path(__file__).resolve().parents[2]
    app = build_app("en")
    result = CliRunner().invoke(
        app,  # type: ignore[arg-type]
        ["validate"],
        env={
            "AUDITOR_POLICY": str(repo / "policies" / "example-city"),
            "AUDITOR_INVENTORY": str(repo / "inventory" / "example-city"),
        },
    )
    assert result.exit_code == 0, result.output
    assert "Validation succeeded" in result.stdout

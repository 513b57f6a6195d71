"""The ``auditor`` command tree for in-process tests, built and converted once per language.

typer's ``CliRunner.invoke`` converts the whole tree to click commands (every command's signature
and type hints) on each call: 12 ms of the 16 ms an in-process ``auditor run --help`` costs, paid
hundreds of times by the CLI tests. The tree of a language never changes, so :func:`build_app`
builds it once and :class:`CliRunner` converts it once; what runs is the same click command the
console script runs. Apps from anywhere else are converted on every call, as typer does.
"""

from __future__ import annotations

import functools
from typing import Any

import typer
import typer.main
import typer.testing

from auditor.cli.app import build_app as _build_app
from auditor.cli.i18n import Lang

_CONVERTED: dict[int, tuple[typer.Typer, Any]] = {}


@functools.cache
def build_app(lang: Lang) -> typer.Typer:
    """``auditor.cli.app.build_app``, once per language (callers only invoke it)."""
    app = _build_app(lang)
    _CONVERTED[id(app)] = (app, typer.main.get_command(app))
    return app


def get_command(app: typer.Typer) -> Any:
    """The click command of ``app``: converted once for the trees of :func:`build_app`."""
    hit = _CONVERTED.get(id(app))
    if hit is not None and hit[0] is app:
        return hit[1]
    return typer.main.get_command(app)


class CliRunner(typer.testing.CliRunner):
    """typer's runner, converting the shared trees once (see the module docstring)."""

    def invoke(self, app: typer.Typer, *args: Any, **kwargs: Any) -> Any:
        original = typer.testing._get_command
        typer.testing._get_command = get_command
        try:
            return super().invoke(app, *args, **kwargs)
        finally:
            typer.testing._get_command = original

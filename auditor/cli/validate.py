"""``auditor validate``: check policy, inventory and ledger without collecting anything.

No ``from __future__ import annotations``: typer reads the option aliases defined inside
:func:`register_validate` at definition time.
"""

from pathlib import Path
from typing import Annotated

import typer

from auditor.audit.defaults import DEFAULT_INVENTORY, DEFAULT_POLICY
from auditor.cli import options
from auditor.cli.i18n import Lang, t

# The command bodies moved here from app.py unchanged and still use these names.
_load = options.load_inputs
_stdout = options.stdout


def register_validate(app: typer.Typer, lang: Lang) -> None:
    """Add ``validate`` to ``app``."""
    lang_option = Annotated[str, options.lang_option(lang)]
    policy_option = Annotated[Path, options.policy(lang)]
    inventory_option = Annotated[Path, options.inventory(lang)]
    ledger_option = Annotated[Path | None, options.ledger(lang)]

    @app.command("validate", help=t("validate", lang))
    def validate_command(
        policy: policy_option = DEFAULT_POLICY,
        inventory: inventory_option = DEFAULT_INVENTORY,
        ledger: ledger_option = None,
        lang_: lang_option = lang,
    ) -> None:
        from auditor.rules import discover

        registry = discover()
        bundle = _load(policy, inventory, ledger, registry, lang)
        console = _stdout()
        console.print(
            f"{t('valid', lang)}: {len(bundle.policy.zones)} zones, "
            f"{len(bundle.policy.flows)} flows, {len(bundle.inventory.devices)} devices, "
            f"{len(bundle.ledger.rows)} ledger rows"
            + (
                f", {len(bundle.ledger.issues)} unreadable ledger rows"
                if bundle.ledger.issues
                else ""
            )
        )

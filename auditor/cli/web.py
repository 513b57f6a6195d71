"""``auditor web`` (serve the console) and ``auditor web user add|passwd|disable|list``.

Passwords are read from a prompt (twice) or from the first line of stdin, never from argv, so
they stay out of the shell history and the process list.

No ``from __future__ import annotations``: typer reads the option aliases at definition time.
"""

import getpass
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.text import Text

from auditor.cli import options
from auditor.cli.i18n import Lang, t

if TYPE_CHECKING:
    from auditor.store.repository import Store
    from auditor.web.app import WebConfig


def _read_password(from_stdin: bool, lang: Lang) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass(t("web.password_prompt", lang))
    second = getpass.getpass(t("web.password_again", lang))
    if first != second:
        options.fail(t("web.password_mismatch", lang))
    return first


def _plain(value: str) -> Text:
    """A table cell shown as typed: no Rich markup, control characters as ``\\xNN``."""
    return Text("".join(c if c.isprintable() else f"\\x{ord(c):02x}" for c in value))


def _operator() -> str:
    """Who ran the command, for the hash chain (the invoking admin under sudo)."""
    return os.environ.get("SUDO_USER") or getpass.getuser()


def _store(db: str | None, config: Path | None, prefecture: bool = False) -> "Store":
    """The daemon's database: ``--db``/``AUDITOR_DB_URL``, else the daemon configuration's;
    scoped to the chosen city, or with ``prefecture`` to the prefecture console's accounts."""
    if config is not None:
        os.environ["AUDITOR_CONFIG"] = str(config)
    if db is None:
        from auditor.daemon.settings import Settings

        db = Settings().effective_db_url()
    if prefecture:
        from auditor.store.opening import open_store
        from auditor.store.tenancy import PREFECTURE_TENANT

        return open_store(db, tenant=PREFECTURE_TENANT)
    return options.open_store(db)


def _prefecture_config(
    db: str | None,
    lang: Lang,
    proxy_user_header: str | None,
    trusted_proxy: list[str] | None,
    insecure_cookies: bool,
    stale_days: float,
) -> "WebConfig":
    """The prefecture console over every configured city, with the prefecture's own accounts."""
    from auditor.cli.prefecture import configured_cities
    from auditor.store.tenancy import PREFECTURE_TENANT
    from auditor.web.app import WebConfig

    sources, configured_db = configured_cities(lang)
    url = db or configured_db
    store = _store(url, None, prefecture=True)  # creates and migrates the schema when needed
    url = store.url
    store.close()
    return WebConfig(
        db_url=url,
        tenant=PREFECTURE_TENANT,
        cities=tuple(sources),
        stale_days=stale_days,
        proxy_user_header=proxy_user_header or None,
        trusted_proxies=tuple(trusted_proxy or ()),
        secure_cookies=not insecure_cookies,
        default_lang="ja",
    )


def register_web(app: typer.Typer, lang: Lang) -> None:
    """Add the ``web`` group to ``app``."""
    lang_option = Annotated[str, options.lang_option(lang)]
    db_option = Annotated[str | None, options.db(lang)]
    config_option = Annotated[
        Path | None, typer.Option("--config", envvar="AUDITOR_CONFIG", help=t("opt.config", lang))
    ]

    web_app = typer.Typer(help=t("web", lang), invoke_without_command=True)
    app.add_typer(web_app, name="web")
    user_app = typer.Typer(help=t("web.user", lang), no_args_is_help=True)
    web_app.add_typer(user_app, name="user")

    @web_app.callback()
    def web(
        ctx: typer.Context,
        host: Annotated[str, typer.Option("--host", help=t("opt.web_host", lang))] = "127.0.0.1",
        port: Annotated[int, typer.Option("--port", help=t("opt.web_port", lang))] = 8080,
        db: db_option = None,
        config: config_option = None,
        policy: Annotated[Path | None, options.policy(lang)] = None,
        inventory: Annotated[Path | None, options.inventory(lang)] = None,
        proxy_user_header: Annotated[
            str | None,
            typer.Option(
                "--proxy-user-header",
                envvar="AUDITOR_WEB_PROXY_USER_HEADER",
                help=t("opt.web_proxy_header", lang),
            ),
        ] = None,
        trusted_proxy: Annotated[
            list[str] | None,
            typer.Option("--trusted-proxy", help=t("opt.web_trusted_proxy", lang)),
        ] = None,
        insecure_cookies: Annotated[
            bool, typer.Option("--insecure-cookies", help=t("opt.web_insecure_cookies", lang))
        ] = False,
        prefecture: Annotated[
            bool, typer.Option("--prefecture", help=t("opt.web_prefecture", lang))
        ] = False,
        stale_days: Annotated[
            float, typer.Option("--stale-days", min=0, help=t("opt.stale_days", lang))
        ] = 2,
        lang_: lang_option = lang,
    ) -> None:
        if prefecture and options.given_tenant() is not None:
            options.fail(t("web.prefecture_tenant", lang))
        if ctx.invoked_subcommand is not None:
            ctx.obj = {"db": db, "config": config, "prefecture": prefecture}
            return
        from auditor.web.app import WebConfig
        from auditor.web.server import serve

        if config is not None:
            os.environ["AUDITOR_CONFIG"] = str(config)
        if prefecture:
            if host not in ("127.0.0.1", "::1", "localhost"):
                options.stderr().print(t("web.bad_host", lang), markup=False)
            serve(
                _prefecture_config(
                    db, lang, proxy_user_header, trusted_proxy, insecure_cookies, stale_days
                ),
                host,
                port,
            )
            return
        from auditor.daemon.settings import Settings

        # One console per city: a multi-city deployment without --tenant is refused (exit 2) by
        # the store opening, and the daemon settings are narrowed to the city's policy/inventory.
        settings = Settings() if db is None or policy is None or inventory is None else None
        if settings is not None:
            settings = options.tenant_settings(settings, lang)
        store = _store(db, None)  # creates and migrates the schema (web_users) when needed
        city = store.tenant
        store.close()
        if host not in ("127.0.0.1", "::1", "localhost"):
            options.stderr().print(t("web.bad_host", lang), markup=False)
        web_config = WebConfig(
            db_url=db or (settings.effective_db_url() if settings else ""),
            tenant=city,
            policy_path=policy or (settings.policy if settings else None),
            inventory_path=inventory or (settings.inventory if settings else None),
            proxy_user_header=proxy_user_header or None,
            trusted_proxies=tuple(trusted_proxy or ()),
            secure_cookies=not insecure_cookies,
            default_lang="ja",  # Japanese first; the page's link switches to English
        )
        serve(web_config, host, port)

    def target(ctx: typer.Context, db: str | None) -> "Store":
        parent = ctx.obj or {}
        return _store(db or parent.get("db"), parent.get("config"), bool(parent.get("prefecture")))

    @user_app.command("add", help=t("web.user.add", lang))
    def user_add(
        ctx: typer.Context,
        username: Annotated[str, typer.Argument()],
        role: Annotated[str, typer.Option("--role", help=t("opt.web_role", lang))] = "viewer",
        password_stdin: Annotated[
            bool, typer.Option("--password-stdin", help=t("opt.password_stdin", lang))
        ] = False,
        no_password: Annotated[
            bool, typer.Option("--no-password", help=t("opt.no_password", lang))
        ] = False,
        db: db_option = None,
        lang_: lang_option = lang,
    ) -> None:
        from auditor.store import console
        from auditor.web.auth import hash_password

        options.choose([role], console.ROLES, "--role", lang)
        try:
            hashed = None if no_password else hash_password(_read_password(password_stdin, lang))
            user = console.add_user(
                target(ctx, db), username, role=role, password_hash=hashed, actor=_operator()
            )
        except ValueError as exc:
            options.fail(str(exc))
        options.stdout().print(t("web.user_added", lang, user=user.username, role=user.role))

    @user_app.command("passwd", help=t("web.user.passwd", lang))
    def user_passwd(
        ctx: typer.Context,
        username: Annotated[str, typer.Argument()],
        password_stdin: Annotated[
            bool, typer.Option("--password-stdin", help=t("opt.password_stdin", lang))
        ] = False,
        role: Annotated[str | None, typer.Option("--role", help=t("opt.web_role", lang))] = None,
        db: db_option = None,
        lang_: lang_option = lang,
    ) -> None:
        from auditor.store import console
        from auditor.web.auth import hash_password

        try:
            hashed = hash_password(_read_password(password_stdin, lang))
            console.update_user(
                target(ctx, db), username, password_hash=hashed, role=role, actor=_operator()
            )
        except ValueError as exc:
            options.fail(str(exc))
        options.stdout().print(t("web.user_changed", lang, user=username))

    @user_app.command("disable", help=t("web.user.disable", lang))
    def user_disable(
        ctx: typer.Context,
        username: Annotated[str, typer.Argument()],
        db: db_option = None,
        lang_: lang_option = lang,
    ) -> None:
        from auditor.store import console

        try:
            console.update_user(target(ctx, db), username, disabled=True, actor=_operator())
        except ValueError as exc:
            options.fail(str(exc))
        options.stdout().print(t("web.user_changed", lang, user=username))

    @user_app.command("list", help=t("web.user.list", lang))
    def user_list(ctx: typer.Context, db: db_option = None, lang_: lang_option = lang) -> None:
        from auditor.store import console

        table = options.table("user", "role", "password", "disabled")
        for user in console.list_users(target(ctx, db)):
            table.add_row(
                user.username, user.role, "yes" if user.has_password else "-", str(user.disabled)
            )
        options.stdout().print(table)

    @user_app.command("log", help=t("web.user.log", lang))
    def user_log(
        ctx: typer.Context,
        limit: Annotated[int, typer.Option("--limit", help=t("opt.web_log_limit", lang))] = 50,
        db: db_option = None,
        lang_: lang_option = lang,
    ) -> None:
        from auditor.store import console

        store = target(ctx, db)
        events = store.list_events(fingerprints=[console.WEB_SUBJECT])
        table = options.table("id", "at", "event", "actor", "address", "outcome", "hash")
        for event in events[-max(limit, 1) :]:
            payload = dict(event.payload)
            outcome = str(payload.pop("outcome", payload.pop("action", "")))
            address = str(payload.pop("address", ""))
            rest = ", ".join(f"{k}={v}" for k, v in sorted(payload.items()))
            table.add_row(
                *(
                    _plain(value)
                    for value in (
                        str(event.id),
                        event.at.isoformat(timespec="seconds"),
                        event.event_type.value,
                        event.actor,
                        address,
                        outcome + (f" ({rest})" if rest else ""),
                        event.hash[:12],
                    )
                )
            )
        options.stdout().print(table)

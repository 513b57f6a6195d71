"""The Starlette application of ``auditor web``: routes, headers, sign-in and triage.

Pages are rendered on the server from Jinja2 templates with autoescaping; every value passes
``inert`` (control characters shown as escapes) first. There is no JavaScript: filters are GET
forms, triage actions are POST forms carrying the session's CSRF token. Every response carries
a strict Content-Security-Policy and refuses framing.
"""

from __future__ import annotations

import functools
import logging
import tempfile
import threading
import time
import urllib.parse
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from starlette.applications import Starlette
from starlette.background import BackgroundTask
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import MutableHeaders
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from auditor.report.prefecture import CitySource, PrefectureOverview, read_overview
from auditor.store import console
from auditor.store.records import EventType
from auditor.store.repository import Store
from auditor.store.tenancy import DEFAULT_TENANT, PREFECTURE_TENANT
from auditor.web import pages
from auditor.web.auth import RateLimiter, new_token, same_token, token_hash, verify_password
from auditor.web.i18n import WebLang, text
from auditor.web.prefecture import prefecture_context
from auditor.web.security import (
    LANG_COOKIE,
    LOGIN_COOKIE,
    SESSION_COOKIE,
    BadCsrf,
    Forbidden,
    NotSignedIn,
    Viewer,
    check_csrf,
    identify,
    same_origin,
    start_session,
)

log = logging.getLogger(__name__)

HERE = Path(__file__).parent

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)
SECURITY_HEADERS = {
    "content-security-policy": CSP,
    "x-frame-options": "DENY",
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
    "cross-origin-opener-policy": "same-origin",
    "cross-origin-resource-policy": "same-origin",
    "permissions-policy": "camera=(), microphone=(), geolocation=()",
    "cache-control": "no-store",
}


@dataclass(frozen=True)
class WebConfig:
    """How ``auditor web`` runs; the database and policy are the daemon's."""

    db_url: str
    tenant: str = DEFAULT_TENANT
    """The city this console serves: its findings, and its own accounts and sessions."""
    policy_path: Path | None = None
    inventory_path: Path | None = None
    proxy_user_header: str | None = None
    """E.g. ``X-Remote-User``: honoured only from ``trusted_proxies``; ``None`` turns it off."""
    trusted_proxies: tuple[str, ...] = ()
    secure_cookies: bool = True
    session_hours: float = 8.0
    idle_minutes: float = 60.0
    """A session unused this long ends (the absolute limit is ``session_hours``)."""
    login_limit_per_user: int = 5
    login_limit_per_address: int = 20
    login_window_seconds: float = 900.0
    page_size: int = 50
    overview_wait: float = 3.0
    """Seconds a request waits for the overview's first background read before the page says
    it is being prepared (and reloads itself); a request never reads it itself."""
    default_lang: WebLang = "ja"
    clock: Callable[[], float] | None = field(default=None, compare=False)
    """The rate limiter's clock (tests)."""
    cities: tuple[CitySource, ...] | None = None
    """Set: this is the prefecture console (``auditor web --prefecture``) over these cities, with
    the prefecture's own accounts (tenant :data:`PREFECTURE_TENANT`); it shows aggregates and
    per-city summaries only and serves no city page."""
    stale_days: float = 2.0
    """The prefecture console lists the cities not audited for longer than this."""
    prefecture_refresh: float = 60.0
    """Seconds the prefecture console reuses its overview before reading the cities again."""


class SecurityHeaders:
    """Adds :data:`SECURITY_HEADERS` to every HTTP response (static files included)."""

    def __init__(self, app: ASGIApp, secure: bool) -> None:
        self.app = app
        self.secure = secure

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS.items():
                    headers[name] = value
                if self.secure:
                    headers["strict-transport-security"] = "max-age=31536000"
            await send(message)

        await self.app(scope, receive, send_with_headers)


def inert(value: Any) -> Any:
    """Every value a template prints: control characters become visible ``\\xNN`` escapes."""
    if value is None:
        return ""
    if not isinstance(value, str):
        return value
    if all(c in "\n\t" or (ord(c) >= 32 and ord(c) != 127) for c in value):
        return value
    return "".join(
        c if c in "\n\t" or (ord(c) >= 32 and ord(c) != 127) else f"\\x{ord(c):02x}" for c in value
    )


def local_path(target: str | None) -> str:
    """A redirect target inside this site only (``/…``, never ``//host`` or a scheme)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


@functools.cache
def templates() -> Environment:
    """The console's templates, compiled once per process (about 85 ms for all of them): every
    console application of the process shares them, as they share the same files and options."""
    return Environment(
        loader=FileSystemLoader(HERE / "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        finalize=inert,
        trim_blocks=True,
        lstrip_blocks=True,
    )


class Console:
    """The application state: store, settings, templates and the login rate limiter."""

    def __init__(self, config: WebConfig, store: Store) -> None:
        self.config = config
        self.store = store
        limiter_clock = config.clock
        self.user_limit = (
            RateLimiter(config.login_limit_per_user, config.login_window_seconds, limiter_clock)
            if limiter_clock
            else RateLimiter(config.login_limit_per_user, config.login_window_seconds)
        )
        self.address_limit = (
            RateLimiter(config.login_limit_per_address, config.login_window_seconds, limiter_clock)
            if limiter_clock
            else RateLimiter(config.login_limit_per_address, config.login_window_seconds)
        )
        self.env = templates()
        self.data = pages.PageData(store, config.policy_path, config.inventory_path)
        self.prefecture = config.cities is not None
        self._prefecture_lock = threading.Lock()
        self._prefecture: tuple[float, PrefectureOverview] | None = None

    # -- helpers ----------------------------------------------------------------------------

    def lang(self, request: Request) -> WebLang:
        chosen = request.cookies.get(LANG_COOKIE)
        if chosen in ("ja", "en"):
            return "ja" if chosen == "ja" else "en"
        return self.config.default_lang

    def render(
        self,
        request: Request,
        template: str,
        context: Mapping[str, Any],
        *,
        viewer: Viewer | None,
        status_code: int = 200,
    ) -> HTMLResponse:
        lang = self.lang(request)

        def t(key: str, **values: object) -> str:
            return text(key, lang, **values)

        html = self.env.get_template(template).render(
            t=t,
            lang=lang,
            viewer=viewer,
            path=request.url.path,
            query=request.url.query,
            prefecture=self.prefecture,
            **context,
        )
        response = HTMLResponse(html, status_code=status_code)
        if viewer is not None and viewer.new_cookie:
            self.set_session_cookie(response, viewer.new_cookie)
        return response

    def set_session_cookie(self, response: Response, value: str) -> None:
        response.set_cookie(
            SESSION_COOKIE,
            value,
            max_age=int(self.config.session_hours * 3600),
            path="/",
            secure=self.config.secure_cookies,
            httponly=True,
            samesite="strict",
        )

    def viewer(self, request: Request) -> Viewer:
        return identify(
            request,
            self.store,
            proxy_header=self.config.proxy_user_header,
            trusted_proxies=self.config.trusted_proxies,
            session_hours=self.config.session_hours,
            idle_minutes=self.config.idle_minutes,
        )

    def error(self, request: Request, viewer: Viewer | None, key: str, status: int) -> Response:
        return self.render(
            request,
            "error.html",
            {"message": text(key, self.lang(request))},
            viewer=viewer,
            status_code=status,
        )

    # -- sign-in ----------------------------------------------------------------------------

    def login_page(
        self, request: Request, message: str | None = None, status: int = 200
    ) -> Response:
        token = new_token()
        response = self.render(
            request,
            "login.html",
            {
                "csrf": token,
                "message": message,
                "next": local_path(request.query_params.get("next")),
            },
            viewer=None,
            status_code=status,
        )
        response.set_cookie(
            LOGIN_COOKIE,
            token,
            max_age=3600,
            path="/login",
            secure=self.config.secure_cookies,
            httponly=True,
            samesite="strict",
        )
        return response

    async def login(self, request: Request) -> Response:
        if request.method == "GET":
            return await run_in_threadpool(self.login_page, request)
        form = await request.form()
        lang = self.lang(request)
        if not same_origin(request) or not same_token(
            request.cookies.get(LOGIN_COOKIE), str(form.get("csrf") or "")
        ):
            return await run_in_threadpool(self.login_page, request, text("login.csrf", lang), 403)
        username = str(form.get("username") or "").strip()[:255]
        password = str(form.get("password") or "")[:1024]
        address = request.client.host if request.client else "-"
        user_key, address_key = f"user:{username}", f"addr:{address}"
        if self.user_limit.blocked(user_key) or self.address_limit.blocked(address_key):
            log.warning("login refused by the rate limit: user %r from %s", username, address)
            return await run_in_threadpool(
                self.login_page, request, text("login.limited", lang), 429
            )
        found = await run_in_threadpool(console.get_user, self.store, username)
        ok = await run_in_threadpool(verify_password, found[1] if found else None, password)
        if not ok or found is None or found[0].disabled:
            self.user_limit.failed(user_key)
            self.address_limit.failed(address_key)
            log.warning("failed login: user %r from %s", username, address)
            reason = (
                "unknown-user"
                if found is None
                else "disabled"
                if found[0].disabled and ok
                else "bad-password"
            )
            await run_in_threadpool(
                console.record_web_event,
                self.store,
                EventType.WEB_SIGN_IN_FAILED,
                actor=username or "-",
                address=address,
                outcome=reason,
            )
            return await run_in_threadpool(
                self.login_page, request, text("login.failed", lang), 401
            )
        self.user_limit.succeeded(user_key)
        old = request.cookies.get(SESSION_COOKIE)
        if old:  # never carry a session id over a sign-in (no fixation)
            await run_in_threadpool(console.delete_session, self.store, token_hash(old))
        cookie, _ = await run_in_threadpool(
            start_session, self.store, found[0].username, self.config.session_hours
        )
        log.info("login: %s from %s", found[0].username, address)
        await run_in_threadpool(
            console.record_web_event,
            self.store,
            EventType.WEB_SIGNED_IN,
            actor=found[0].username,
            address=address,
            outcome="ok",
            details={"method": "password"},
        )
        response = RedirectResponse(local_path(str(form.get("next") or "/")), status_code=303)
        self.set_session_cookie(response, cookie)
        response.delete_cookie(LOGIN_COOKIE, path="/login")
        return response

    async def logout(self, request: Request) -> Response:
        form = await request.form()
        try:
            viewer = await run_in_threadpool(self.viewer, request)
            check_csrf(viewer, str(form.get("csrf") or ""))
        except (NotSignedIn, BadCsrf):
            return RedirectResponse("/login", status_code=303)
        cookie = request.cookies.get(SESSION_COOKIE)
        if cookie:
            await run_in_threadpool(console.delete_session, self.store, token_hash(cookie))
        await run_in_threadpool(
            console.record_web_event,
            self.store,
            EventType.WEB_SIGNED_OUT,
            actor=viewer.username,
            address=request.client.host if request.client else "-",
            outcome="ok",
        )
        response = RedirectResponse("/login", status_code=303)
        response.delete_cookie(SESSION_COOKIE, path="/")
        return response

    def set_lang(self, request: Request) -> Response:
        chosen = request.path_params["lang"]
        response = RedirectResponse(local_path(request.query_params.get("next")), status_code=303)
        if chosen in ("ja", "en"):
            response.set_cookie(
                LANG_COOKIE,
                chosen,
                max_age=365 * 86400,
                path="/",
                secure=self.config.secure_cookies,
                httponly=True,
                samesite="strict",
            )
        return response

    # -- pages ------------------------------------------------------------------------------

    def page(
        self, handler: Callable[[Request, Viewer], Response]
    ) -> Callable[[Request], Awaitable[Response]]:
        """A GET page: sign-in required (redirect), errors turned into pages."""

        def run(request: Request) -> Response:
            try:
                viewer = self.viewer(request)
            except NotSignedIn:
                target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
                return RedirectResponse(
                    "/login?" + urllib.parse.urlencode({"next": target}), status_code=303
                )
            try:
                return handler(request, viewer)
            except (LookupError, ValueError):
                return self.error(request, viewer, "error.not_found", 404)

        async def endpoint(request: Request) -> Response:
            return await run_in_threadpool(run, request)

        return endpoint

    def action(
        self, role: str, handler: Callable[[Viewer, str, Mapping[str, str]], object]
    ) -> Callable[[Request], Awaitable[Response]]:
        """A POST triage action on one finding: role, CSRF token, then the store's workflow."""

        async def endpoint(request: Request) -> Response:
            form = await request.form()
            values = {key: str(value) for key, value in form.items() if isinstance(value, str)}
            fingerprint = request.path_params["fingerprint"]

            def run() -> Response:
                try:
                    viewer = self.viewer(request)
                except NotSignedIn:
                    return self.error(request, None, "error.forbidden", 403)
                try:
                    if not same_origin(request):
                        raise BadCsrf
                    check_csrf(viewer, values.get("csrf"))
                    if not viewer.may(role):
                        raise Forbidden
                    handler(viewer, fingerprint, values)
                except BadCsrf:
                    return self.error(request, viewer, "error.csrf", 403)
                except (Forbidden, PermissionError):
                    return self.error(request, viewer, "error.forbidden", 403)
                except LookupError:
                    return self.error(request, viewer, "error.not_found", 404)
                except ValueError as exc:
                    return self.render(
                        request,
                        "error.html",
                        {"message": text("error.invalid", self.lang(request), reason=str(exc))},
                        viewer=viewer,
                        status_code=400,
                    )
                log.info(
                    "web triage %s on %s by %s", request.url.path, fingerprint[:12], viewer.username
                )
                return RedirectResponse(f"/findings/{fingerprint}?done=1", status_code=303)

            return await run_in_threadpool(run)

        return endpoint

    def overview(self, request: Request, viewer: Viewer) -> Response:
        context = self.data.overview(self.lang(request), self.config.overview_wait)
        if context["preparing"]:
            return self.render(request, "preparing.html", context, viewer=viewer)
        return self.render(request, "overview.html", context, viewer=viewer)

    def prefecture_overview(self, request: Request, viewer: Viewer) -> Response:
        """Every city's summary, read by the prefecture report's own code (one source)."""
        with self._prefecture_lock:
            cached = self._prefecture
            if cached is None or time.monotonic() - cached[0] > self.config.prefecture_refresh:
                overview = read_overview(
                    self.store, self.config.cities or (), stale_days=self.config.stale_days
                )
                cached = self._prefecture = (time.monotonic(), overview)
        lang = self.lang(request)
        return self.render(
            request, "prefecture.html", prefecture_context(cached[1], lang), viewer=viewer
        )

    def findings(self, request: Request, viewer: Viewer) -> Response:
        listing = self.data.findings(
            request.query_params, self.config.page_size, self.lang(request)
        )
        return self.render(request, "findings.html", listing, viewer=viewer)

    def download(self, request: Request, viewer: Viewer) -> Response:
        fmt = request.path_params["fmt"]
        if fmt not in ("csv", "xlsx"):
            raise LookupError(fmt)
        lang = self.lang(request)
        handle = tempfile.NamedTemporaryFile(prefix="kyojin-web-", suffix=f".{fmt}", delete=False)  # noqa: SIM115
        handle.close()
        out = Path(handle.name)
        self.data.export(request.query_params, fmt, out, lang)
        stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M")
        media = (
            "text/csv; charset=utf-8"
            if fmt == "csv"
            else "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
        return FileResponse(
            out,
            media_type=media,
            filename=f"findings-{stamp}.{fmt}",
            background=BackgroundTask(out.unlink, missing_ok=True),
        )

    def finding(self, request: Request, viewer: Viewer) -> Response:
        context = self.data.finding(request.path_params["fingerprint"], self.lang(request))
        context["done"] = request.query_params.get("done") == "1"
        return self.render(request, "finding.html", context, viewer=viewer)

    def device(self, request: Request, viewer: Viewer) -> Response:
        context = self.data.device(request.path_params["name"], self.lang(request))
        return self.render(request, "device.html", context, viewer=viewer)

    def runs(self, request: Request, viewer: Viewer) -> Response:
        return self.render(request, "runs.html", self.data.runs(self.lang(request)), viewer=viewer)

    def rules(self, request: Request, viewer: Viewer) -> Response:
        return self.render(
            request, "rules.html", self.data.rules(self.lang(request)), viewer=viewer
        )


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise ValueError("dates are written YYYY-MM-DD") from None


def create_app(config: WebConfig, store: Store | None = None) -> Starlette:
    """The console over ``store`` (or a store opened from ``config.db_url``)."""
    from auditor.store import workflow

    if store is not None and store.tenant != config.tenant:
        raise ValueError(f"the store is city {store.tenant!r}, the console city {config.tenant!r}")
    if (config.cities is not None) != (config.tenant == PREFECTURE_TENANT):
        raise ValueError("the prefecture console, and only it, uses the prefecture's accounts")
    state = Console(
        config, store if store is not None else Store(config.db_url, tenant=config.tenant)
    )
    if state.prefecture:
        return _finish(
            Starlette(
                routes=[
                    Route("/", state.page(state.prefecture_overview)),
                    Route("/login", state.login, methods=["GET", "POST"]),
                    Route("/logout", state.logout, methods=["POST"]),
                    Route("/lang/{lang:str}", state.set_lang),
                    Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
                ]
            ),
            state,
        )

    def ack(viewer: Viewer, fp: str, form: Mapping[str, str]) -> object:
        return state.store.ack(fp, viewer.username, form.get("note", "").strip() or None)

    def assign(viewer: Viewer, fp: str, form: Mapping[str, str]) -> object:
        return workflow.assign_finding(
            state.store, fp, owner=form.get("owner", "")[:255], actor=viewer.username
        )

    def comment(viewer: Viewer, fp: str, form: Mapping[str, str]) -> object:
        return workflow.comment_finding(
            state.store, fp, text=form.get("text", ""), actor=viewer.username
        )

    def due(viewer: Viewer, fp: str, form: Mapping[str, str]) -> object:
        value = form.get("due", "").strip()
        return workflow.set_due(
            state.store, fp, due=_date(value) if value else None, actor=viewer.username
        )

    def progress(viewer: Viewer, fp: str, form: Mapping[str, str]) -> object:
        return workflow.set_progress(
            state.store, fp, in_progress=form.get("stop") != "1", actor=viewer.username
        )

    def request_suppression(viewer: Viewer, fp: str, form: Mapping[str, str]) -> object:
        return console.request_suppression(
            state.store,
            fp,
            actor=viewer.username,
            reason=form.get("reason", ""),
            approver=form.get("approver", ""),
            approval_number=form.get("approval_number", ""),
            expires=_date(form.get("expires", "")),
        )

    def approve(viewer: Viewer, fp: str, form: Mapping[str, str]) -> object:
        return console.approve_suppression(state.store, fp, actor=viewer.username)

    fp_path = "/findings/{fingerprint:str}"
    routes = [
        Route("/", state.page(state.overview)),
        Route("/login", state.login, methods=["GET", "POST"]),
        Route("/logout", state.logout, methods=["POST"]),
        Route("/lang/{lang:str}", state.set_lang),
        Route("/findings", state.page(state.findings)),
        Route("/findings.{fmt:str}", state.page(state.download)),
        Route(fp_path, state.page(state.finding)),
        Route(fp_path + "/ack", state.action("triager", ack), methods=["POST"]),
        Route(fp_path + "/assign", state.action("triager", assign), methods=["POST"]),
        Route(fp_path + "/comment", state.action("triager", comment), methods=["POST"]),
        Route(fp_path + "/due", state.action("triager", due), methods=["POST"]),
        Route(fp_path + "/progress", state.action("triager", progress), methods=["POST"]),
        Route(fp_path + "/request", state.action("triager", request_suppression), methods=["POST"]),
        Route(fp_path + "/approve", state.action("approver", approve), methods=["POST"]),
        Route("/devices/{name:path}", state.page(state.device)),
        Route("/runs", state.page(state.runs)),
        Route("/rules", state.page(state.rules)),
        Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
    ]
    return _finish(Starlette(routes=routes), state)


def _finish(app: Starlette, state: Console) -> Starlette:
    app.state.console = state
    app.add_middleware(SecurityHeaders, secure=state.config.secure_cookies)
    return app


__all__ = ["WebConfig", "create_app", "local_path"]

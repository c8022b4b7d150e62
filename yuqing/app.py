"""FastAPI assembly: one app serving the console pages and the JSON API (OpenAPI at /api/docs)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy.exc import DataError
from starlette.exceptions import HTTPException as StarletteHTTPException

from yuqing import __version__, heap
from yuqing.access import api as access_api
from yuqing.access import pages as access_pages
from yuqing.access.login import SessionCookie
from yuqing.audit import pages as audit_pages
from yuqing.collect import api as collect_api
from yuqing.collect import evidence_pages, source_api, source_pages
from yuqing.collect import pages as collect_pages
from yuqing.collect.intake import warm_up
from yuqing.collect.runner import Collector
from yuqing.demo import start_drill as start_demo
from yuqing.events import api as events_api
from yuqing.events import pages as events_pages
from yuqing.events.lease import StageLease
from yuqing.incident import api as incident_api
from yuqing.incident import pages as incident_pages
from yuqing.incident import statement_api, statement_pages
from yuqing.judge import model_pages
from yuqing.judge import pages as judge_pages
from yuqing.judge.heat import weights_from
from yuqing.notify import channel_pages, duty_pages
from yuqing.notify import pages as notify_pages
from yuqing.notify.worker import Notifier
from yuqing.overview import pages as overview_pages
from yuqing.plan import pages as plan_pages
from yuqing.replay import pages as drill_pages
from yuqing.replay.drills import stop_all as stop_drills
from yuqing.report import pages as report_pages
from yuqing.settings import Settings
from yuqing.store.db import Database
from yuqing.timers import timers
from yuqing.warn import pages as warn_pages
from yuqing.web import pages as web_pages
from yuqing.web.auth import CsrfFailed, Forbidden, MustChangePassword, NotAuthenticated, is_api
from yuqing.web.limits import BodyLimit
from yuqing.web.templating import PACKAGE, make_templates, render

API_DESCRIPTION = """
Yuqing's JSON API. Authenticate machines with an API token (`Authorization: Bearer yq_…`),
created by an admin under 接口令牌 / API tokens; a token can do only what its scopes allow.
Browser sessions may call the API too, sending the page's CSRF token as `X-CSRF-Token`.
"""


# FastAPI's words for a body it cannot decode (not UTF-8) or parse (nested past Python's limit).
FASTAPI_UNREADABLE = "There was an error parsing the body"
UNREADABLE_BODY = (
    "请求体不是可读的 JSON：须为 UTF-8 编码，嵌套不可过深 / "
    "the body is not readable JSON: it must be UTF-8 and not nested too deeply"
)


def create_app(settings: Settings, db: Database | None = None, service: bool = False) -> FastAPI:
    """`service`: this process is the long-running server (yuqing/asgi.py), whose garbage
    collector is tuned once the models are loaded (yuqing/heap.py); tests build many apps in
    one process and leave it alone."""
    if not settings.secret_key:
        raise RuntimeError("no secret key: run `yuqing init` first (or set YUQING_SECRET_KEY)")
    database = db or Database(settings.db_url)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        warm_up(database)  # before the first request, which would otherwise wait for it
        if service:
            heap.settle()
        lease = StageLease(database) if settings.collect else None
        collector = (
            Collector(database, tick=settings.collect_tick_seconds, after=[lease.run])
            if lease
            else None
        )
        notifier = (
            Notifier(database, settings, sweeps=timers(settings)) if settings.notify else None
        )
        for part in (lease, collector, notifier):
            if part:
                part.start()
        if settings.demo_drill:
            start_demo(database)
        yield
        stop_drills(database)
        for part in (collector, lease, notifier):
            if part:
                part.stop()

    app = FastAPI(
        lifespan=lifespan,
        title="Yuqing 舆情",
        version=__version__,
        description=API_DESCRIPTION,
        docs_url=None,
        redoc_url=None,
        openapi_url="/api/openapi.json",
    )
    app.state.settings = settings
    app.state.db = database
    app.state.cookie = SessionCookie(settings.secret_key)
    app.state.templates = make_templates(settings.tz)
    app.state.heat_weights = weights_from(settings.heat_weights)
    app.mount("/static", StaticFiles(directory=PACKAGE / "web" / "static"), name="static")

    for module in (
        web_pages,
        overview_pages,
        access_pages,
        access_api,
        collect_pages,
        evidence_pages,
        source_pages,
        collect_api,
        source_api,
        judge_pages,
        model_pages,
        audit_pages,
        events_pages,
        events_api,
        incident_pages,
        statement_pages,
        report_pages,
        incident_api,
        statement_api,
        warn_pages,
        plan_pages,
        drill_pages,
        notify_pages,
        channel_pages,
        duty_pages,
    ):
        app.include_router(module.router)

    @app.get("/api/docs", include_in_schema=False)
    def api_docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url="/api/openapi.json",
            title="Yuqing API",
            swagger_js_url="/static/vendor/swagger-ui-bundle.js",
            swagger_css_url="/static/vendor/swagger-ui.css",
            swagger_favicon_url="/static/favicon.svg",
        )

    _install_error_handlers(app)
    app.add_middleware(BodyLimit, max_bytes=settings.max_request_bytes)
    return app


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(NotAuthenticated)
    async def _login(request: Request, _exc: Exception) -> Response:
        if is_api(request):
            return JSONResponse(
                {"detail": "需要登录或接口令牌 / authentication required"},
                401,
                headers={"WWW-Authenticate": "Bearer"},
            )
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/login?next={quote(target)}", status_code=303)

    @app.exception_handler(Forbidden)
    async def _forbidden(request: Request, _exc: Exception) -> Response:
        if is_api(request):
            return JSONResponse({"detail": "权限不足 / permission denied"}, 403)
        return render(request, "error.html", {"message_key": "error.forbidden"}, 403)

    @app.exception_handler(CsrfFailed)
    async def _csrf(request: Request, _exc: Exception) -> Response:
        message = "CSRF 校验失败，请刷新页面后重试 / CSRF check failed, reload the page"
        if is_api(request):
            return JSONResponse({"detail": message}, 403)
        return render(request, "error.html", {"message": message}, 403)

    @app.exception_handler(MustChangePassword)
    async def _change(_request: Request, _exc: Exception) -> Response:
        return RedirectResponse("/account", status_code=303)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        if is_api(request) or exc.status_code not in (404, 405):
            detail = UNREADABLE_BODY if exc.detail == FASTAPI_UNREADABLE else exc.detail
            return JSONResponse(
                {"detail": detail}, exc.status_code, headers=getattr(exc, "headers", None)
            )
        return render(request, "error.html", {"message_key": "error.not_found"}, exc.status_code)

    async def _out_of_range(request: Request, _exc: Exception) -> Response:
        """An id or number beyond what the database stores (2^63): the caller's mistake."""
        message = "数值超出范围 / a number is out of range"
        if is_api(request):
            return JSONResponse({"detail": message}, 422)
        return render(request, "error.html", {"message": message}, 422)

    app.add_exception_handler(OverflowError, _out_of_range)
    app.add_exception_handler(DataError, _out_of_range)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> Response:
        errors = [
            {"field": ".".join(str(p) for p in e["loc"]), "message": e["msg"]} for e in exc.errors()
        ]
        if is_api(request):
            return JSONResponse({"detail": "请求无效 / invalid request", "errors": errors}, 422)
        text = "; ".join(f"{e['field']}: {e['message']}" for e in errors)
        return render(request, "error.html", {"message": text}, 422)

"""Jinja2 templates from every stage's `templates/` folder, with the helpers all pages use."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from jinja2 import ChoiceLoader, Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup, escape

from yuqing.access.permissions import Permission
from yuqing.web.i18n import pick_language, translate

PACKAGE = Path(__file__).resolve().parent.parent
STAGES_WITH_PAGES = (
    "web",
    "overview",
    "incident",
    "report",
    "access",
    "collect",
    "judge",
    "events",
    "warn",
    "plan",
    "replay",
    "notify",
    "audit",
)

NAV: list[tuple[str, str, Permission]] = [
    ("/dashboard", "nav.dashboard", Permission.EVENTS_READ),
    ("/events", "nav.events", Permission.EVENTS_READ),
    ("/warnings", "nav.warnings", Permission.EVENTS_READ),
    ("/incidents", "nav.incidents", Permission.INCIDENTS_READ),
    ("/tasks", "nav.tasks", Permission.TASKS_WORK),
    ("/reports", "nav.reports", Permission.REPORTS_READ),
    ("/items", "nav.items", Permission.ITEMS_READ),
    ("/import", "nav.import", Permission.ITEMS_IMPORT),
    ("/manual", "nav.manual", Permission.ITEMS_IMPORT),
    ("/schemes", "nav.schemes", Permission.ITEMS_READ),
    ("/taxonomy", "nav.taxonomy", Permission.SCHEMES_MANAGE),
    ("/model", "nav.model", Permission.SCHEMES_MANAGE),
    ("/sources", "nav.sources", Permission.SOURCES_READ),
    ("/plans", "nav.plans", Permission.PLANS_READ),
    ("/drills", "nav.drills", Permission.DRILLS_RUN),
    ("/duty", "nav.duty", Permission.EVENTS_READ),
    ("/channels", "nav.channels", Permission.CHANNELS_MANAGE),
    ("/admin/users", "nav.users", Permission.USERS_MANAGE),
    ("/admin/tokens", "nav.tokens", Permission.TOKENS_MANAGE),
    ("/audit", "nav.audit", Permission.AUDIT_READ),
]


def highlight(text: str | None, words: list[str]) -> Markup:
    """Escape the text and mark every occurrence of the search words (case-insensitive)."""
    if not text:
        return Markup("")
    if not words:
        return escape(text)
    pattern = re.compile(
        "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)), re.IGNORECASE
    )
    out: list[str] = []
    last = 0
    for m in pattern.finditer(text):
        out.append(str(escape(text[last : m.start()])))
        out.append(f"<mark>{escape(m.group(0))}</mark>")
        last = m.end()
    out.append(str(escape(text[last:])))
    return Markup("".join(out))


def make_templates(tz: ZoneInfo) -> Jinja2Templates:
    loader = ChoiceLoader([FileSystemLoader(PACKAGE / s / "templates") for s in STAGES_WITH_PAGES])
    env = Environment(loader=loader, autoescape=select_autoescape(default=True))

    def localtime(value: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
        return value.astimezone(tz).strftime(fmt) if value else ""

    env.filters["localtime"] = localtime
    env.filters["highlight"] = highlight
    env.filters["thousands"] = lambda n: f"{n:,}" if isinstance(n, int) else (n or "")
    return Jinja2Templates(env=env)


def language(request: Request) -> str:
    return pick_language(request.cookies.get("lang"), request.app.state.settings.default_language)


def render(
    request: Request, name: str, context: dict[str, Any] | None = None, status_code: int = 200
) -> HTMLResponse:
    lang = language(request)
    who = getattr(request.state, "principal", None)
    ctx: dict[str, Any] = {
        "lang": lang,
        "t": lambda key, **kw: translate(lang, key, **kw),
        "me": who,
        "csrf_token": who.csrf_token if who else "",
        "nav": [(href, key) for href, key, perm in NAV if who and who.can(perm)],
        "path": request.url.path,
    }
    ctx.update(context or {})
    templates: Jinja2Templates = request.app.state.templates
    return templates.TemplateResponse(request, name, ctx, status_code=status_code)

"""The one page anyone with a message's link may open: acknowledging it, without a login."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from starlette.concurrency import run_in_threadpool

from yuqing.notify.ack import AckRefused, acknowledge
from yuqing.store.base import utcnow
from yuqing.web.templating import render

router = APIRouter(include_in_schema=False)


@router.get("/ack/{token}", response_class=HTMLResponse)
async def ack(request: Request, token: str) -> HTMLResponse:
    source = request.client.host if request.client else "unknown"

    def run() -> tuple[str, bool]:
        with request.app.state.db.write() as session:
            before = utcnow()
            message = acknowledge(
                session, request.app.state.settings.secret_key, token, before, source
            )
            return message.title, message.acked_at == before

    try:
        title, first = await run_in_threadpool(run)
    except AckRefused as exc:
        return render(request, "ack.html", {"error": str(exc)}, status_code=400)
    return render(request, "ack.html", {"title": title, "first": first})

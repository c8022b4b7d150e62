"""Console pages for notification channels: add one (settings checked, secrets sealed), send a
test, switch it off, see what the outbox holds, and follow one message step by step."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData

from yuqing.access.permissions import ROLES, Permission, Principal
from yuqing.audit.log import record
from yuqing.notify.admin import add_channel, send_test
from yuqing.notify.channels import KINDS, ChannelInvalid, masked
from yuqing.notify.queries import ack_figures, message_log
from yuqing.notify.sender import deliver_with
from yuqing.notify.tables import Channel, OutboxMessage
from yuqing.web.auth import need
from yuqing.web.forms import form_int, form_text
from yuqing.web.templating import render

router = APIRouter(include_in_schema=False)
FIELDS = ("url", "token", "secret", "key", "host", "port", "username", "password", "sender")
LISTS = ("to", "numbers")


def _config(form: FormData) -> dict[str, Any]:
    config: dict[str, Any] = {k: form_text(form, k) for k in FIELDS if form_text(form, k)}
    if "port" in config:
        config["port"] = form_int(form, "port") or config["port"]
    for k in LISTS:
        values = [v.strip() for v in form_text(form, k).replace("，", ",").split(",") if v.strip()]
        if values:
            config[k] = values
    if form.get("tls") == "on":
        config["tls"] = True
    return config


def _page(
    request: Request, values: dict[str, Any], error: str = "", status: int = 200
) -> HTMLResponse:
    with request.app.state.db.read() as session:
        channels = list(session.execute(select(Channel).order_by(Channel.name)).scalars())
        messages = list(
            session.execute(
                select(OutboxMessage).order_by(OutboxMessage.id.desc()).limit(50)
            ).scalars()
        )
        by_level, by_channel = ack_figures(session)
    names = {c.id: c.name for c in channels}
    return render(
        request,
        "channels.html",
        {
            "channels": [(c, masked(c.config)) for c in channels],
            "messages": messages,
            "names": names,
            "kinds": KINDS,
            "roles": ROLES,
            "values": values,
            "error": error,
            "notice": request.query_params.get("notice", ""),
            "by_level": by_level,
            "by_channel": by_channel,
        },
        status_code=status,
    )


@router.get("/channels", response_class=HTMLResponse)
def channels_page(
    request: Request, who: Principal = Depends(need(Permission.CHANNELS_MANAGE))
) -> HTMLResponse:
    return _page(request, {"kind": "webhook", "roles": ["office"], "per_minute": 20})


@router.post("/channels", response_class=HTMLResponse)
async def add(
    request: Request, who: Principal = Depends(need(Permission.CHANNELS_MANAGE))
) -> Response:
    form = await request.form()
    values: dict[str, Any] = {
        "name": form_text(form, "name"),
        "kind": form_text(form, "kind"),
        "roles": [r for r in form.getlist("roles") if isinstance(r, str)],
        "drill": form.get("drill") == "on",
        "per_minute": form_int(form, "per_minute") or 20,
        **{k: form_text(form, k) for k in (*FIELDS, *LISTS) if k not in ("secret", "password")},
    }
    key = request.app.state.settings.secret_key

    def run() -> None:
        with request.app.state.db.write() as session:
            add_channel(
                session,
                values["name"],
                values["kind"],
                _config(form),
                values["roles"],
                who.actor,
                key,
                values["drill"],
                values["per_minute"],
            )

    if not values["name"]:
        return _page(request, values, "请填写名称 / a name is needed", 422)
    try:
        await run_in_threadpool(run)
    except ChannelInvalid as exc:
        return _page(request, values, str(exc), 422)
    return RedirectResponse("/channels", status_code=303)


@router.get("/channels/messages/{message_id}", response_class=HTMLResponse)
def message_page(
    request: Request, message_id: int, who: Principal = Depends(need(Permission.CHANNELS_MANAGE))
) -> HTMLResponse:
    with request.app.state.db.read() as session:
        entry = message_log(session, message_id)
        if entry is None:
            raise HTTPException(404)
        return render(request, "message.html", {"log": entry, "body": entry.message.body})


@router.post("/channels/{channel_id}/test")
async def test_channel(
    request: Request, channel_id: int, who: Principal = Depends(need(Permission.CHANNELS_MANAGE))
) -> Response:
    def run() -> str:
        with request.app.state.db.write() as session:
            channel = session.get(Channel, channel_id)
            if channel is None:
                raise HTTPException(404)
            send_test(session, channel, who.actor)
        report = deliver_with(request.app.state.db, request.app.state.settings)
        return (
            "测试消息已发出 / sent" if report.sent else "发送失败，见下方记录 / failed, see below"
        )

    notice = await run_in_threadpool(run)
    return RedirectResponse(f"/channels?notice={notice}", status_code=303)


@router.post("/channels/{channel_id}/toggle")
def toggle_channel(
    request: Request, channel_id: int, who: Principal = Depends(need(Permission.CHANNELS_MANAGE))
) -> Response:
    with request.app.state.db.write() as session:
        channel = session.get(Channel, channel_id)
        if channel is None:
            raise HTTPException(404)
        channel.enabled = not channel.enabled
        record(
            session,
            who.actor,
            "channel.enable" if channel.enabled else "channel.disable",
            "channel",
            channel.id,
            summary=channel.name,
        )
    return RedirectResponse("/channels", status_code=303)

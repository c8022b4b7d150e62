"""`yuqing channel add|list|test` and `yuqing notify deliver`."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Annotated

import typer

from yuqing.cli_support import database, fail

channel_app = typer.Typer(help="Notification channels.", no_args_is_help=True)
notify_app = typer.Typer(help="The notification outbox.", no_args_is_help=True)


@channel_app.command("add")
def add(
    name: str,
    kind: Annotated[str, typer.Option(help="webhook|dingtalk|wecom|feishu|email|sms")],
    config: Annotated[str, typer.Option(help='settings as JSON, e.g. {"url": "https://…"}')],
    role: Annotated[list[str], typer.Option(help="whose messages it carries (repeat)")] = [],  # noqa: B006
    drill: Annotated[bool, typer.Option(help="carries drill messages only")] = False,
    per_minute: Annotated[int, typer.Option(help="rate limit")] = 20,
    owner: Annotated[str | None, typer.Option(help="a person's own channel (on duty)")] = None,
) -> None:
    """Add a channel; its settings are checked before it is stored."""
    from yuqing.audit.log import Actor
    from yuqing.notify.admin import add_channel
    from yuqing.notify.channels import ChannelInvalid
    from yuqing.settings import get_settings

    key = get_settings().secret_key
    if not key:
        raise fail("no secret key to seal the channel's secrets with: run `yuqing init` first")
    try:
        settings = json.loads(config)
        if not isinstance(settings, dict):
            raise ValueError("a JSON object is needed")
        with database().write() as session:
            channel = add_channel(
                session, name, kind, settings, role, Actor.cli(), key, drill, per_minute, owner
            )
    except (ValueError, ChannelInvalid) as exc:
        raise fail(f"{name}: {exc}") from exc
    typer.echo(f"channel {channel.name} ({channel.kind}) added for {', '.join(channel.roles)}")


@channel_app.command("list")
def list_() -> None:
    from sqlalchemy import select

    from yuqing.notify.channels import masked
    from yuqing.notify.tables import Channel

    with database().read() as session:
        for c in session.execute(select(Channel).order_by(Channel.name)).scalars():
            flags = ("" if c.enabled else " disabled") + (" drill" if c.drill else "")
            typer.echo(f"{c.name:20} {c.kind:9} {','.join(c.roles):24} {masked(c.config)}{flags}")


@channel_app.command("test")
def test(name: str) -> None:
    """Queue a test message on a channel and deliver it now."""
    from sqlalchemy import select

    from yuqing.audit.log import Actor
    from yuqing.notify.admin import send_test
    from yuqing.notify.sender import deliver_due
    from yuqing.notify.tables import Channel

    db = database()
    with db.write() as session:
        channel = session.execute(select(Channel).where(Channel.name == name)).scalar()
        if channel is None:
            raise fail(f"no channel {name!r}")
        send_test(session, channel, Actor.cli())
    report = deliver_due(db)
    typer.echo(f"sent {report.sent}, failed {report.failed}, dead {report.dead}")
    if not report.sent:
        raise typer.Exit(1)


@notify_app.command("deliver")
def deliver() -> None:
    """Send the messages that are due now (the worker does this every few seconds)."""
    from yuqing.notify.sender import deliver_due

    report = deliver_due(database())
    typer.echo(f"sent {report.sent}, failed {report.failed}, dead {report.dead}")


duty_app = typer.Typer(help="The duty roster (值班表).", no_args_is_help=True)


def _local(text: str) -> datetime:
    from yuqing.settings import get_settings
    from yuqing.text.times import BadTime, parse_time

    try:
        return parse_time(text, get_settings().tz)
    except BadTime as exc:
        raise fail(f"{text!r}: {exc}") from exc


@duty_app.command("add")
def duty_add(
    start: Annotated[str, typer.Option("--from", help="2026-12-01 08:30 (local time)")],
    end: Annotated[str, typer.Option("--to", help="2026-12-02 08:30")],
    officer: Annotated[str, typer.Option(help="username of the officer on duty")],
    leader: Annotated[str | None, typer.Option(help="username of the leader on duty")] = None,
) -> None:
    """Add one shift."""
    from yuqing.audit.log import Actor
    from yuqing.notify.duty import DutyInvalid, add_shift, day_kind

    begin = _local(start)
    try:
        with database().write() as session:
            add_shift(
                session, begin, _local(end), officer, leader, Actor.cli(), day_kind(begin.date())
            )
    except DutyInvalid as exc:
        raise fail(str(exc)) from exc
    typer.echo(f"shift added: {officer} / {leader or '—'}")


@duty_app.command("rota")
def duty_rota(
    start: Annotated[str, typer.Option("--from", help="first day, 2026-12-01")],
    days: Annotated[int, typer.Option(help="how many days")],
    officers: Annotated[str, typer.Option(help="usernames, comma separated, in turn")],
    leaders: Annotated[str, typer.Option(help="usernames, comma separated, in turn")] = "",
    handover: Annotated[str, typer.Option(help="handover time, local")] = "08:30",
) -> None:
    """Lay out daily shifts handover to handover, rotating; holidays and make-up days marked."""
    from datetime import date, time

    from yuqing.audit.log import Actor
    from yuqing.notify.duty import DutyInvalid, add_shift, rota
    from yuqing.settings import get_settings

    try:
        hours, minutes = (int(x) for x in handover.split(":"))
        shifts = rota(
            date.fromisoformat(start),
            days,
            [o for o in officers.split(",") if o],
            [x for x in leaders.split(",") if x],
            time(hours, minutes),
            get_settings().timezone,
        )
        with database().write() as session:
            for begin, end, officer, leader, kind in shifts:
                add_shift(session, begin, end, officer, leader, Actor.cli(), kind)
    except (ValueError, DutyInvalid) as exc:
        raise fail(str(exc)) from exc
    for begin, _, officer, leader, kind in shifts:
        typer.echo(f"{begin:%Y-%m-%d %H:%M} {kind:8} {officer} / {leader or '—'}")


@duty_app.command("now")
def duty_now() -> None:
    """Who is on duty now."""
    from yuqing.notify.duty import on_duty
    from yuqing.store.base import utcnow

    with database().read() as session:
        duty = on_duty(session, utcnow())
    if duty is None:
        raise fail("nobody is on duty now: add shifts with `yuqing duty rota`")
    typer.echo(f"值班 {duty.officer} / 带班 {duty.leader or '—'}")

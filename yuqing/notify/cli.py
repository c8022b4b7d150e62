"""`yuqing channel add|list|test` and `yuqing notify deliver`."""

from __future__ import annotations

import json
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
    role: Annotated[list[str], typer.Option(help="whose messages it carries (repeat)")],
    drill: Annotated[bool, typer.Option(help="carries drill messages only")] = False,
    per_minute: Annotated[int, typer.Option(help="rate limit")] = 20,
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
                session, name, kind, settings, role, Actor.cli(), key, drill, per_minute
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

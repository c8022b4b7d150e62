"""Adding, changing and testing channels (audited; secrets never shown back)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from yuqing.access.accounts import AccountError, get_user
from yuqing.access.permissions import ROLES
from yuqing.audit.log import Actor, record
from yuqing.notify.channels import ChannelInvalid, masked, spec_of
from yuqing.notify.outbox import enqueue
from yuqing.notify.secrets import seal
from yuqing.notify.tables import Channel
from yuqing.store.base import utcnow


def add_channel(
    session: Session,
    name: str,
    kind: str,
    config: dict[str, Any],
    roles: list[str],
    actor: Actor,
    secret_key: str,
    drill: bool = False,
    per_minute: int = 20,
    owner: str | None = None,
) -> Channel:
    """A checked channel; its secrets are stored encrypted with the installation's key. A
    personal channel (`owner`) hears what its owner hears on duty, whatever the roles."""
    spec = spec_of(kind, config)
    unknown = sorted(set(roles) - set(ROLES))
    if unknown or not (roles or owner):
        raise ChannelInvalid(f"roles: give some of {', '.join(ROLES)} (not {unknown})")
    if owner:
        try:
            get_user(session, owner)
        except AccountError as exc:
            raise ChannelInvalid(f"owner: {exc}") from exc
    if not 1 <= per_minute <= 10_000:
        raise ChannelInvalid("per_minute: 1–10000")
    if session.execute(select(Channel.id).where(Channel.name == name)).first():
        raise ChannelInvalid(f"a channel named {name!r} exists")
    channel = Channel(
        name=name,
        kind=kind,
        config=seal(spec.model_dump(exclude={"kind"}, exclude_none=True), secret_key),
        roles=roles,
        drill=drill,
        per_minute=per_minute,
        owner=owner or None,
    )
    session.add(channel)
    session.flush()
    record(
        session,
        actor,
        "channel.add",
        "channel",
        channel.id,
        summary=f"{name} ({kind})",
        after={"config": masked(channel.config), "roles": roles, "drill": drill},
    )
    return channel


def send_test(session: Session, channel: Channel, actor: Actor) -> None:
    """Queue a test message for one channel (the delivery worker sends it)."""
    now = utcnow()
    enqueue(
        session,
        [channel],
        f"test:{now.isoformat()}",
        "test",
        "【测试】舆情系统通知测试",
        f"这是一条测试消息，由 {actor.name} 于 {now:%Y-%m-%d %H:%M} UTC 发送。",
        now,
        channel.drill,
    )
    record(session, actor, "channel.test", "channel", channel.id, summary=channel.name)

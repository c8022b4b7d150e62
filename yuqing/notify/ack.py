"""Acknowledgement (确认收到): each message carries a signed, expiring link; one click records
that it was seen, without a login. The time from sending to the click is the time to acknowledge
(MTTA) that escalation and reports read."""

from __future__ import annotations

from datetime import datetime

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy.orm import Session

from yuqing.audit.log import Actor, record
from yuqing.notify.tables import OutboxMessage

SALT = "yuqing.ack"
VALID_SECONDS = 7 * 86400
PLACEHOLDER = "{ack}"


class AckRefused(ValueError):
    pass


def ack_link(secret_key: str, public_url: str, message_id: int) -> str:
    token = URLSafeTimedSerializer(secret_key, salt=SALT).dumps(message_id)
    return f"{public_url.rstrip('/')}/ack/{token}"


def with_link(body: str, link: str | None) -> str:
    """The message as sent: its acknowledgement link in place of the placeholder."""
    if link is None:
        return body.replace(f"\n确认收到：{PLACEHOLDER}", "").replace(PLACEHOLDER, "")
    return body.replace(PLACEHOLDER, link)


def acknowledge(
    session: Session, secret_key: str, token: str, now: datetime, source: str
) -> OutboxMessage:
    """Record the first click on a message's link; later clicks change nothing."""
    try:
        message_id = URLSafeTimedSerializer(secret_key, salt=SALT).loads(
            token, max_age=VALID_SECONDS
        )
    except SignatureExpired as exc:
        raise AckRefused("链接已过期 / the link has expired") from exc
    except BadSignature as exc:
        raise AckRefused("链接无效 / the link is not valid") from exc
    message = session.get(OutboxMessage, int(message_id))
    if message is None:
        raise AckRefused("消息不存在 / no such message")
    if message.acked_at is None:
        message.acked_at, message.acked_from = now, source[:100]
        seconds = (now - (message.sent_at or message.created_at)).total_seconds()
        record(
            session,
            Actor(f"ack ({source[:60]})", "system"),
            "message.ack",
            "outbox",
            message.id,
            summary=f"{message.title[:80]} — {seconds:.0f} s after sending",
        )
    return message

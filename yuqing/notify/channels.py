"""Channel settings, validated, and the apprise URL each kind becomes.

DingTalk, WeCom and Feishu group robots go to their vendors' clouds (apprise signs DingTalk
messages with the robot's secret); a generic webhook receives apprise's JSON
(`{"title", "message", "type"}`); email goes through the organisation's SMTP server; SMS through
an HTTP gateway that takes the same JSON plus the numbers.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal
from urllib.parse import quote, urlsplit

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

KINDS = ("webhook", "dingtalk", "wecom", "feishu", "email", "sms")
SECRETS = ("secret", "password", "key", "token")
Token = Annotated[str, Field(min_length=8, max_length=200, pattern=r"^[A-Za-z0-9_\-]+$")]


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


def _http(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"{url!r} is not an http(s) URL")
    return url


class Webhook(_Spec):
    kind: Literal["webhook"] = "webhook"
    url: str

    _check = field_validator("url")(classmethod(lambda cls, v: _http(v)))


class DingTalk(_Spec):
    kind: Literal["dingtalk"] = "dingtalk"
    token: Token
    secret: str | None = Field(None, max_length=200)  # 加签


class WeCom(_Spec):
    kind: Literal["wecom"] = "wecom"
    key: Token


class Feishu(_Spec):
    kind: Literal["feishu"] = "feishu"
    token: Token


class Email(_Spec):
    kind: Literal["email"] = "email"
    host: str = Field(min_length=1, max_length=200)
    port: int = Field(25, ge=1, le=65535)
    username: str | None = None
    password: str | None = None
    sender: str = Field(pattern=r"^[^@\s]+@[^@\s]+$")
    to: list[Annotated[str, Field(pattern=r"^[^@\s]+@[^@\s]+$")]] = Field(min_length=1)
    tls: bool = False


class Sms(_Spec):
    kind: Literal["sms"] = "sms"
    url: str
    numbers: list[Annotated[str, Field(pattern=r"^\+?\d{5,20}$")]] = Field(min_length=1)

    _check = field_validator("url")(classmethod(lambda cls, v: _http(v)))


Spec = Webhook | DingTalk | WeCom | Feishu | Email | Sms
_BY_KIND: dict[str, type[_Spec]] = {
    "webhook": Webhook,
    "dingtalk": DingTalk,
    "wecom": WeCom,
    "feishu": Feishu,
    "email": Email,
    "sms": Sms,
}


class ChannelInvalid(ValueError):
    pass


def spec_of(kind: str, config: dict[str, Any]) -> Spec:
    """Validated settings of a channel kind; ChannelInvalid names each wrong field."""
    model = _BY_KIND.get(kind)
    if model is None:
        raise ChannelInvalid(f"unknown kind {kind!r}; known: {', '.join(KINDS)}")
    try:
        return model.model_validate({**config, "kind": kind})  # type: ignore[return-value]
    except ValidationError as exc:
        raise ChannelInvalid(
            "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors())
        ) from exc


def _json_url(url: str, extra: dict[str, str] | None = None) -> str:
    parts = urlsplit(url)
    scheme = "jsons" if parts.scheme == "https" else "json"
    query = parts.query
    for k, v in (extra or {}).items():
        query += ("&" if query else "") + f"{quote(k, safe=':+-')}={quote(v)}"
    return f"{scheme}://{parts.netloc}{parts.path}" + (f"?{query}" if query else "")


def apprise_url(spec: Spec, message_key: str = "") -> str:
    """`message_key` goes to webhooks and SMS gateways as the X-Yuqing-Message header, so a
    receiver can drop a message it already has (after a crash between sending and recording)."""
    header = {"+X-Yuqing-Message": message_key} if message_key else {}
    if isinstance(spec, Webhook):
        return _json_url(spec.url, header)
    if isinstance(spec, Sms):
        return _json_url(spec.url, {":to": ",".join(spec.numbers), **header})
    if isinstance(spec, DingTalk):
        return (
            f"dingtalk://{spec.secret}@{spec.token}/"
            if spec.secret
            else f"dingtalk://{spec.token}/"
        )
    if isinstance(spec, WeCom):
        return f"wecombot://{spec.key}"
    if isinstance(spec, Feishu):
        return f"feishu://{spec.token}"
    auth = (
        f"{quote(spec.username, safe='')}:{quote(spec.password or '', safe='')}@"
        if spec.username
        else ""
    )
    scheme = "mailtos" if spec.tls else "mailto"
    to = ",".join(spec.to)
    return f"{scheme}://{auth}{spec.host}:{spec.port}?from={quote(spec.sender)}&to={quote(to)}"


def masked(config: dict[str, Any]) -> dict[str, Any]:
    """Settings as pages and the CLI show them: secrets replaced by ***."""
    return {k: ("***" if k in SECRETS and v else v) for k, v in config.items()}

"""Reading submitted form fields — text stripped, numbers or None, a malformed time refused with
the field's value — and going back to the page after a form, with the refusal shown."""

from __future__ import annotations

from datetime import datetime, tzinfo
from urllib.parse import quote

from fastapi.responses import RedirectResponse
from starlette.datastructures import FormData


class FormError(ValueError):
    pass


def form_text(form: FormData, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def form_int(form: FormData, name: str) -> int | None:
    text = form_text(form, name)
    return int(text) if text.isdigit() else None


def form_time(form: FormData, name: str, tz: tzinfo) -> datetime | None:
    """A datetime-local field, read in the office's time zone (None when empty)."""
    text = form_text(form, name)
    if not text:
        return None
    try:
        value = datetime.fromisoformat(text)
    except ValueError as exc:
        raise FormError(f"时间格式不对：{text} / not a time") from exc
    return value.replace(tzinfo=tz) if value.tzinfo is None else value


def back_to(url: str, error: str = "") -> RedirectResponse:
    """Back to the page (at its section), with the refusal shown at the top when there is one."""
    if error:
        path, _, _ = url.partition("#")
        url = path + ("&" if "?" in path else "?") + f"error={quote(error)}"
    return RedirectResponse(url, status_code=303)

"""Reading submitted form fields: text stripped, numbers or None, never an exception."""

from __future__ import annotations

from starlette.datastructures import FormData


def form_text(form: FormData, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def form_int(form: FormData, name: str) -> int | None:
    text = form_text(form, name)
    return int(text) if text.isdigit() else None

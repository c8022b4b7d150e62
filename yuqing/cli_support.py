"""What every `yuqing` sub-command shares: failing with a message, opening the database."""

from __future__ import annotations

import typer

from yuqing.settings import Settings, get_settings
from yuqing.store.db import Database


def fail(message: str, code: int = 1) -> typer.Exit:
    typer.secho(message, fg=typer.colors.RED, err=True)
    return typer.Exit(code)


def database(settings: Settings | None = None) -> Database:
    return Database((settings or get_settings()).db_url)

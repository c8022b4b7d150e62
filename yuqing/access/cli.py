"""`yuqing user …` and `yuqing token create`."""

from __future__ import annotations

from typing import Annotated

import typer

from yuqing.access import accounts, tokens
from yuqing.audit.log import Actor
from yuqing.cli_support import database as _database
from yuqing.cli_support import fail as _fail

user_app = typer.Typer(help="Manage user accounts.", no_args_is_help=True)
token_app = typer.Typer(help="API tokens for machines.", no_args_is_help=True)


@user_app.command("create")
def user_create(
    username: str,
    role: Annotated[list[str], typer.Option(help="admin|office|monitor|handler|approver|viewer")],
    department: Annotated[str | None, typer.Option()] = None,
    name: Annotated[str, typer.Option(help="display name")] = "",
    email: Annotated[str | None, typer.Option()] = None,
    phone: Annotated[str | None, typer.Option()] = None,
) -> None:
    """Create a user and print a one-time password."""

    try:
        with _database().write() as session:
            _, password = accounts.create_user(
                session,
                accounts.NewUser(
                    username=username,
                    display_name=name,
                    department=department,
                    roles=tuple(role),
                    email=email,
                    phone=phone,
                ),
                Actor.cli(),
            )
    except accounts.AccountError as exc:
        raise _fail(str(exc)) from exc
    typer.echo(f"created {username}; one-time password: {password}")


@user_app.command("list")
def user_list() -> None:
    """List users with their department, roles and status."""

    with _database().read() as session:
        for u in accounts.list_users(session):
            status = "active" if u.active else "disabled"
            dept = u.department.name if u.department else "-"
            typer.echo(
                f"{u.username:<20} {u.display_name:<12} {dept:<12} "
                f"{','.join(u.role_names):<24} {status}"
            )


def _set_active(username: str, active: bool) -> None:

    try:
        with _database().write() as session:
            accounts.set_active(session, username, active, Actor.cli())
    except accounts.AccountError as exc:
        raise _fail(str(exc)) from exc
    typer.echo(f"{username}: {'enabled' if active else 'disabled'}")


@user_app.command("disable")
def user_disable(username: str) -> None:
    """Disable a user and end their sessions (the account and its history are kept)."""
    _set_active(username, False)


@user_app.command("enable")
def user_enable(username: str) -> None:
    """Enable a disabled user."""
    _set_active(username, True)


@user_app.command("reset-password")
def user_reset_password(username: str) -> None:
    """Give a user a new one-time password and end their sessions."""

    try:
        with _database().write() as session:
            password = accounts.reset_password(session, username, Actor.cli())
    except accounts.AccountError as exc:
        raise _fail(str(exc)) from exc
    typer.echo(f"{username}: one-time password: {password}")


@token_app.command("create")
def token_create(
    name: str,
    user: Annotated[str, typer.Option(help="owner; the token never exceeds the owner's roles")],
    scope: Annotated[list[str], typer.Option(help="e.g. items.import")],
    days: Annotated[int | None, typer.Option(help="expires after this many days")] = None,
) -> None:
    """Create an API token and print it (once)."""

    try:
        with _database().write() as session:
            owner = accounts.get_user(session, user)
            _, raw = tokens.create_token(session, owner, name, scope, Actor.cli(), days)
    except (accounts.AccountError, tokens.TokenError) as exc:
        raise _fail(str(exc)) from exc
    typer.echo(raw)

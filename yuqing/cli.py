"""The `yuqing` command: set up, serve, import, manage users and tokens, check the audit chain."""

from __future__ import annotations

import os
import socket
import sys
import time
from pathlib import Path
from typing import Annotated

import typer

from yuqing.access.cli import token_app, user_app
from yuqing.cli_support import database as _database
from yuqing.cli_support import fail as _fail
from yuqing.collect.cli import collect, source_app, worker
from yuqing.judge.cli import classify, model_app
from yuqing.notify.cli import channel_app, duty_app, notify_app
from yuqing.plan.cli import plan_app
from yuqing.replay.cli import replay
from yuqing.report.cli import report_app
from yuqing.settings import Settings, get_settings, write_initial_settings

app = typer.Typer(
    help="Yuqing 舆情: online public-opinion emergency response.", no_args_is_help=True
)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
audit_app = typer.Typer(help="The hash-chained audit log.", no_args_is_help=True)
app.add_typer(user_app, name="user")
app.command()(collect)
app.command()(worker)
app.command()(classify)
app.add_typer(model_app, name="model")
app.add_typer(db_app, name="db")
app.add_typer(audit_app, name="audit")
app.add_typer(token_app, name="token")
app.add_typer(source_app, name="source")
app.add_typer(plan_app, name="plan")
app.add_typer(channel_app, name="channel")
app.add_typer(notify_app, name="notify")
app.add_typer(duty_app, name="duty")
app.add_typer(report_app, name="report")
app.command()(replay)

DEFAULT_DEPARTMENT = "舆情办公室"


@app.callback()
def main(
    data_dir: Annotated[
        Path | None, typer.Option(help="data directory (default: ./var or YUQING_DATA_DIR)")
    ] = None,
) -> None:
    if data_dir is not None:
        os.environ["YUQING_DATA_DIR"] = str(data_dir)
        get_settings.cache_clear()


@app.command()
def init(
    admin: Annotated[str, typer.Option(help="user name of the first admin")] = "admin",
) -> None:
    """Create the data dir and settings (with a new secret key), migrate, create the first admin."""
    from yuqing.access import accounts
    from yuqing.audit.log import Actor
    from yuqing.store.migrate import upgrade

    data_dir = Settings().data_dir
    if write_initial_settings(data_dir):
        typer.echo(f"created {data_dir / 'settings.json'} with a new secret key")
    get_settings.cache_clear()
    settings = get_settings()
    upgrade(settings.db_url)
    typer.echo(f"database ready: {_safe_url(settings.db_url)}")
    db = _database(settings)
    with db.write() as session:
        if accounts.list_users(session):
            typer.echo(
                "users exist; no admin created (reset a password with "
                "`yuqing user reset-password NAME`)"
            )
            return
        _, password = accounts.create_user(
            session,
            accounts.NewUser(
                username=admin,
                display_name="管理员",
                department=DEFAULT_DEPARTMENT,
                roles=("admin",),
            ),
            Actor.cli(),
        )
    typer.secho(
        f"admin account: {admin}\none-time password: {password}\n"
        "(shown once; you will be asked to set your own password at the first login)",
        fg=typer.colors.GREEN,
    )


def _safe_url(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def _port_free(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host, port))
        except OSError:
            return False
    return True


@app.command()
def serve(
    host: Annotated[str, typer.Option()] = "127.0.0.1",
    port: Annotated[int, typer.Option()] = 8000,
    workers: Annotated[int, typer.Option(help="uvicorn worker processes")] = 1,
    demo: Annotated[bool, typer.Option(help="play the built-in demonstration drill")] = False,
    with_worker: Annotated[
        bool,
        typer.Option(
            "--worker/--no-worker",
            help="run the collector, events stage and notifier in a child `yuqing worker` "
            "process; --no-worker runs them in this process (one web worker only) or, with "
            "several, leaves them to a `yuqing worker` you run yourself",
        ),
    ] = True,
) -> None:
    """Serve the console and the API."""
    import uvicorn

    from yuqing.child import WorkerChild
    from yuqing.store.migrate import pending

    settings = get_settings()
    if not settings.secret_key:
        raise _fail("no settings found: run `yuqing init` first")
    if pending(_database(settings)):
        raise _fail("the database schema is behind this version: run `yuqing db upgrade`")
    if not _port_free(host, port):
        raise _fail(
            f"port {port} on {host} is already in use: stop the other program or "
            f"choose another port (make run PORT=8001 / yuqing serve --port 8001)"
        )
    child = WorkerChild() if with_worker and settings.collect else None
    if settings.collect and (child or workers > 1):
        os.environ["YUQING_COLLECT"] = "false"  # the web processes leave the pipeline out
        if not child:
            typer.secho(
                "several web workers: the collector does not run inside them; run "
                "`yuqing worker` beside this server",
                fg=typer.colors.YELLOW,
            )
    if demo:
        os.environ["YUQING_DEMO_DRILL"] = "true"
        typer.echo("the demonstration drill starts with the console: open 总览 → 演练数据")
    get_settings.cache_clear()  # the app reads its settings afresh, with the changes above
    typer.echo(f"Yuqing console: http://{host}:{port}  (API docs: http://{host}:{port}/api/docs)")
    if child:
        child.start()
        typer.echo("collector, events stage and notifier: a `yuqing worker` child process")
    try:
        uvicorn.run(
            "yuqing.asgi:app",
            host=host,
            port=port,
            workers=workers,
            log_level="info",
            proxy_headers=True,
        )
    finally:
        if child:
            child.stop()


@app.command("backup")
def backup_(out: Annotated[Path, typer.Argument(help="the backup file to write")]) -> None:
    """Back up the database while the service runs (SQLite online backup; pg_dump)."""
    from yuqing.store.backup import BackupError, backup

    try:
        path = backup(_database(), out)
    except BackupError as exc:
        raise _fail(str(exc)) from exc
    typer.echo(f"backed up to {path} ({path.stat().st_size:,} bytes)")
    typer.echo("keep settings.json (the secret key) too, apart from this file")


@app.command("restore")
def restore_(
    archive: Annotated[Path, typer.Argument(help="a file written by `yuqing backup`")],
    force: Annotated[bool, typer.Option(help="overwrite a database that holds records")] = False,
) -> None:
    """Restore a backup into this installation's database, migrate it, verify the audit chain."""
    from yuqing.audit.log import verify
    from yuqing.store.backup import BackupError, restore
    from yuqing.store.migrate import upgrade

    db = _database()
    try:
        restore(db, archive, force)
    except BackupError as exc:
        raise _fail(str(exc)) from exc
    upgrade(db.url)
    with db.read() as session:
        result = verify(session)
    if not result.ok:
        raise _fail(f"restored, but the audit chain does not hold: {result}")
    typer.echo(f"restored {archive}; audit chain verified ({result.checked} entries)")


@app.command("purge")
def purge_(
    days: Annotated[
        int | None, typer.Option(help="retention in days (default: the retention_days setting)")
    ] = None,
    dry_run: Annotated[bool, typer.Option(help="only count what would be forgotten")] = False,
) -> None:
    """Forget raw items of quiet events older than the retention time (evidence always stays)."""
    from yuqing.retention import MIN_DAYS, purge

    days = days if days is not None else get_settings().retention_days
    if days <= 0:
        raise _fail("retention is off (retention_days is 0): nothing is ever purged")
    if days < MIN_DAYS:
        raise _fail(f"retention must be at least {MIN_DAYS} days, got {days}")
    result = purge(_database(), days, dry_run=dry_run)
    verb = "would forget" if dry_run else "forgot"
    typer.echo(
        f"{verb} {result.items} items of {result.events} quiet events before "
        f"{result.before:%Y-%m-%d %H:%M} UTC; kept {result.kept_events} quiet events holding "
        "evidence, people's judgements or recent items"
    )


@app.command("demo")
def demo() -> None:
    """Add the demonstration organisation's plan, scheme, people and duty (what is missing)."""
    from yuqing.demo import seed

    with _database().write() as session:
        lines = seed(session)
    for line in lines or ["the demonstration is set up already"]:
        typer.echo(line)


@app.command("import")
def import_(
    files: Annotated[list[Path], typer.Argument(exists=True, dir_okay=False, readable=True)],
    source: Annotated[str | None, typer.Option(help="source key for items naming none")] = None,
    fmt: Annotated[str | None, typer.Option("--format", help="jsonl|json|csv|tsv|xlsx")] = None,
    encoding: Annotated[str | None, typer.Option(help="override the detected encoding")] = None,
) -> None:
    """Import items from JSON Lines, JSON, CSV/TSV or XLSX files. Bad lines are reported, the
    rest stored; exit code 2 when some lines were refused."""
    from yuqing import heap
    from yuqing.audit.log import Actor
    from yuqing.collect.files import FileError
    from yuqing.collect.importer import import_file
    from yuqing.collect.intake import warm_up

    db = _database()
    warm_up(db)
    heap.settle()  # a long import is a service's work too (yuqing/heap.py)
    refused = False
    for path in files:
        started = time.perf_counter()
        try:
            report = import_file(db, path, Actor.cli(), source=source, fmt=fmt, encoding=encoding)
        except (FileError, ValueError) as exc:
            typer.secho(f"{path}: {exc}", fg=typer.colors.RED, err=True)
            refused = True
            continue
        r = report.result
        typer.echo(
            f"{path}: {report.records} {report.unit}s read ({report.encoding}) in "
            f"{time.perf_counter() - started:.1f}s: {r.created} created, {r.updated} updated, "
            f"{r.unchanged} unchanged, {len(report.errors)} refused"
        )
        for line in report.lines():
            typer.secho(line, fg=typer.colors.YELLOW, err=True)
        refused = refused or bool(report.errors)
    from yuqing.events.stage import run_until_idle

    placed = run_until_idle(db)
    typer.echo(f"events stage: {placed} items read")
    if refused:
        raise typer.Exit(2)


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply pending schema migrations."""
    from yuqing.store.migrate import upgrade

    settings = get_settings()
    upgrade(settings.db_url)
    typer.echo(f"database at the latest schema: {_safe_url(settings.db_url)}")


@audit_app.command("verify")
def audit_verify() -> None:
    """Recompute the hash chain; exit 1 naming the first broken entry if a row was altered."""
    from yuqing.audit.log import verify

    with _database().read() as session:
        result = verify(session)
    if result.ok:
        typer.echo(f"audit chain intact: {result.checked} entries")
        return
    raise _fail(
        f"audit chain broken at entry {result.broken_id}: {result.reason} "
        f"({result.checked} entries before it are intact)"
    )


if __name__ == "__main__":  # pragma: no cover
    sys.exit(app())

"""`yuqing source …`, `yuqing collect` and `yuqing worker`."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from pydantic import ValidationError

from yuqing.cli_support import database as _database
from yuqing.cli_support import fail as _fail
from yuqing.settings import get_settings

source_app = typer.Typer(help="Sources to collect from.", no_args_is_help=True)


@source_app.command("add")
def source_add(
    key: str,
    kind: Annotated[str, typer.Option(help="rss|web|api|push|file|manual")],
    name: Annotated[str, typer.Option()] = "",
    url: Annotated[str | None, typer.Option(help="feed URL (rss) or list page (web)")] = None,
    rsshub: Annotated[str | None, typer.Option(help="RSSHub instance URL (rss)")] = None,
    route: Annotated[str | None, typer.Option(help="RSSHub route, e.g. /weibo/user/123")] = None,
    config: Annotated[str | None, typer.Option(help="the whole configuration as JSON")] = None,
    interval: Annotated[int, typer.Option(help="minutes between runs")] = 10,
    media_tier: Annotated[str | None, typer.Option()] = None,
    mainstream: Annotated[bool, typer.Option()] = False,
    region: Annotated[str | None, typer.Option()] = None,
    allow_private: Annotated[bool, typer.Option(help="allow loopback/private addresses")] = False,
) -> None:
    """Add a source (configuration is checked before it is stored)."""
    from yuqing.audit.log import Actor
    from yuqing.collect import sources

    cfg: dict[str, object] = json.loads(config) if config else {}
    for field, value in (("url", url), ("rsshub", rsshub), ("route", route)):
        if value:
            cfg[field] = value
    try:
        form = sources.SourceForm(
            key=key,
            name=name or key,
            kind=kind,
            config=cfg,
            interval_seconds=interval * 60,
            media_tier=media_tier,
            mainstream=mainstream,
            region=region,
            allow_private=allow_private,
        )
        with _database().write() as session:
            source = sources.create_source(session, form, Actor.cli())
    except ValidationError as exc:
        raise _fail(sources.parse_form_errors(exc)) from exc
    except sources.SourceError as exc:
        raise _fail(str(exc)) from exc
    typer.echo(f"added source {source.key} (id {source.id})")


@source_app.command("list")
def source_list() -> None:
    """Sources with their health."""
    from yuqing.collect.health import source_health
    from yuqing.store.base import utcnow

    with _database().read() as session:
        for s, h in source_health(session, utcnow()):
            typer.echo(
                f"{s.id:>4} {s.key:<24} {s.kind:<7} {h.state:<9} {h.items_24h:>6}/24h  "
                f"{h.reason if h.state in ('failing', 'silent') else ''}"
            )


def _set_source(key: str, enabled: bool) -> None:
    from yuqing.audit.log import Actor
    from yuqing.collect import sources

    try:
        with _database().write() as session:
            source = sources.find_source(session, key)
            sources.set_enabled(session, source.id, enabled, Actor.cli())
    except sources.SourceError as exc:
        raise _fail(str(exc)) from exc
    typer.echo(f"{key}: {'enabled' if enabled else 'disabled'}")


@source_app.command("enable")
def source_enable(key: str) -> None:
    """Enable a source."""
    _set_source(key, True)


@source_app.command("disable")
def source_disable(key: str) -> None:
    """Disable a source (its items are kept)."""
    _set_source(key, False)


@source_app.command("test")
def source_test(key: str) -> None:
    """Fetch a source once and show what it would store, storing nothing."""
    from yuqing.collect import sources
    from yuqing.collect.fetch import Fetcher
    from yuqing.collect.runner import run_source

    db = _database()
    try:
        with db.read() as session:
            source_id = sources.find_source(session, key).id
    except sources.SourceError as exc:
        raise _fail(str(exc)) from exc
    fetcher = Fetcher()
    try:
        run = run_source(db, source_id, fetcher, store=False)
    finally:
        fetcher.close()
    for note in run.notes:
        typer.echo(f"note: {note}")
    if run.error:
        raise _fail(f"{key}: {run.error}")
    typer.echo(
        f"{key}: {run.found} items found, {run.result.created} valid, "
        f"{len(run.result.errors)} refused"
    )


def collect(
    once: Annotated[bool, typer.Option("--once", help="run due sources once and exit")] = False,
    source: Annotated[list[str] | None, typer.Option(help="only these source keys")] = None,
) -> None:
    """Collect from sources: once (due sources, or the named ones), or continuously."""
    from yuqing.collect import sources as sources_
    from yuqing.collect.fetch import Fetcher
    from yuqing.collect.runner import collect_once

    db = _database()
    if not once:
        worker()
        return
    ids = None
    if source:
        try:
            with db.read() as session:
                ids = [sources_.find_source(session, k).id for k in source]
        except sources_.SourceError as exc:
            raise _fail(str(exc)) from exc
    fetcher = Fetcher()
    try:
        results = collect_once(db, fetcher, ids)
    finally:
        fetcher.close()
    for r in results:
        typer.echo(r.summary())
    if not results:
        typer.echo("no source is due")
    if any(r.status == "error" for r in results):
        raise typer.Exit(1)


def worker() -> None:
    """Run the collector and the later stages (events, grading, warnings) until interrupted,
    for a separate process beside `yuqing serve`."""
    import logging
    import signal

    from yuqing import heap
    from yuqing.child import die_with_parent
    from yuqing.collect.intake import warm_up
    from yuqing.collect.runner import Collector
    from yuqing.events.lease import StageLease
    from yuqing.notify.worker import Notifier
    from yuqing.timers import timers

    die_with_parent()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    db = _database()
    settings = get_settings()
    lease = StageLease(db)
    collector = Collector(db, tick=settings.collect_tick_seconds, after=[lease.run])
    notifier = Notifier(db, settings, sweeps=timers(settings))
    warm_up(db)
    heap.settle()
    signal.signal(signal.SIGTERM, lambda *_: collector.request_stop())
    lease.start()
    collector.start()
    notifier.start()
    typer.echo("collector and notifier running; Ctrl-C to stop")
    try:
        while collector.thread.is_alive():
            collector.thread.join(1)
    except KeyboardInterrupt:
        collector.stop()
    lease.stop()
    notifier.stop()

"""`yuqing plan check|load|list|template`."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from yuqing.cli_support import database, fail

plan_app = typer.Typer(help="The emergency plan (预案).", no_args_is_help=True)


def read_plan(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise fail(f"{path}: not UTF-8 text (byte {exc.start}); save the plan as UTF-8") from exc


@plan_app.command("check")
def check(file: Annotated[Path, typer.Argument(exists=True, dir_okay=False)]) -> None:
    """Check a plan file; every problem is printed as FILE:LINE:COLUMN."""
    from yuqing.plan.loader import PlanError, load_plan

    try:
        plan = load_plan(read_plan(file))
    except PlanError as exc:
        for p in exc.problems:
            typer.secho(f"{file}:{p}", fg=typer.colors.RED, err=True)
        raise typer.Exit(1) from exc
    typer.echo(f"{file}: ok — {plan.name}: " + ", ".join(lv.label for lv in plan.levels))


@plan_app.command("load")
def load(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False)],
    activate: Annotated[bool, typer.Option(help="make it the plan in force")] = True,
    note: Annotated[str, typer.Option(help="why this version")] = "",
) -> None:
    """Check a plan and store it as a new version (unchanged text: the existing version)."""
    from yuqing.audit.log import Actor
    from yuqing.plan.loader import PlanError
    from yuqing.plan.versions import save

    text = read_plan(file)
    try:
        with database().write() as session:
            v = save(session, text, Actor.cli(), activate=activate, note=note)
    except PlanError as exc:
        for p in exc.problems:
            typer.secho(f"{file}:{p}", fg=typer.colors.RED, err=True)
        raise typer.Exit(1) from exc
    typer.echo(f"{v.plan.name} v{v.version} stored{' and active' if activate else ''}")


@plan_app.command("list")
def list_() -> None:
    """Stored plan versions; * marks the one in force."""
    from yuqing.plan.versions import listing

    with database().read() as session:
        for v in listing(session):
            mark = "*" if v.active else " "
            typer.echo(
                f"{mark} {v.id:4} {v.name} v{v.version}  {v.created_at:%Y-%m-%d %H:%M} "
                f"{v.created_by}  {v.note or ''}"
            )


@plan_app.command("template")
def template(
    name: Annotated[str | None, typer.Argument(help="template name; none lists them")] = None,
) -> None:
    """Print a built-in plan template (to edit and load), or list them."""
    from yuqing.plan.versions import templates

    found = templates()
    if name is None:
        for key in found:
            typer.echo(key)
        return
    if name not in found:
        raise fail(f"no template {name!r}; there are: {', '.join(found)}")
    sys.stdout.write(found[name])

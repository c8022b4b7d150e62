"""`yuqing model train` and `yuqing classify`."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from yuqing.cli_support import fail as _fail

model_app = typer.Typer(help="The sentiment model.", no_args_is_help=True)


@model_app.command("train-category")
def model_train_category(
    data: Annotated[Path, typer.Option(help="the shared data folder")] = Path("../shared/data"),
    out: Annotated[Path | None, typer.Option(help="model file (default: the shipped one)")] = None,
    card: Annotated[Path | None, typer.Option(help="model card to write")] = None,
) -> None:
    """Train the classifier for items the category rules leave as 其他 (weibo21 domains)."""
    from yuqing.judge.category import MODEL
    from yuqing.judge.category_train import train_category
    from yuqing.judge.sentiment import CARD

    if not (data / "weibo21_mdfend").exists():
        raise _fail(f"{data / 'weibo21_mdfend'} not found: give --data")
    docs_card = CARD.with_name("model-card-category.md")
    report = train_category(
        data, out or MODEL, card or (docs_card if CARD.parent.exists() else None)
    )
    for name in ("rules_only", "model_only", "rules_then_model"):
        typer.echo(f"{name}: {report[name]}")
    typer.echo(f"model written to {out or MODEL} ({report['model_bytes'] / 1e6:.1f} MB)")


@model_app.command("train")
def model_train(
    data: Annotated[Path, typer.Option(help="the shared data folder")] = Path("../shared/data"),
    out: Annotated[Path | None, typer.Option(help="model file (default: the shipped one)")] = None,
    card: Annotated[Path | None, typer.Option(help="model card to write")] = None,
    with_feedback: Annotated[
        bool, typer.Option(help="also learn the monitors' corrections; writes var/models/")
    ] = False,
) -> None:
    """Train the sentiment model on ../shared/data, measure it, write the model and its card.

    With --with-feedback the corrections people made in the console are learnt too, and the
    model is written to this installation's data folder (used from then on, no restart needed)."""
    from yuqing.judge.sentiment import CARD, MODEL, own_model_path
    from yuqing.judge.train import TrainingDataError, train

    if not (data / "smp2020_ewect").exists():
        raise _fail(f"{data / 'smp2020_ewect'} not found: give --data")
    feedback: list[tuple[str, str]] = []
    if with_feedback:
        from yuqing.cli_support import database
        from yuqing.judge.relevance import corrections

        with database().read() as session:
            feedback = corrections(session)
        typer.echo(f"{len(feedback)} corrections from the console")
        target = out or own_model_path()
        target.parent.mkdir(parents=True, exist_ok=True)
        card = card or target.with_name(CARD.name)
    else:
        target = out or MODEL
        card = card or (CARD if CARD.parent.exists() else None)
    try:
        report = train(data, target, card, feedback)
    except TrainingDataError as exc:
        raise _fail(str(exc)) from exc
    for name, e in report["eval"].items():
        typer.echo(
            f"{name}: polarity macro-F1 {e['polarity_macro_f1']}, accuracy "
            f"{e['polarity_accuracy']}, emotion macro-F1 {e['emotion_macro_f1']}, "
            f"{e['texts_per_second']} texts/s"
        )
    typer.echo(f"model written to {target} ({report['model_bytes'] / 1e6:.1f} MB)")


def classify(
    batch: Annotated[int, typer.Option(help="texts per batch")] = 512,
) -> None:
    """JSON lines in on stdin ({"id", "text"}), JSON lines out with sentiment, score, emotion."""
    from yuqing.judge.sentiment import default_model

    model = default_model()
    pending: list[tuple[object, str]] = []

    def flush() -> None:
        for (ident, _), s in zip(pending, model.predict([t for _, t in pending]), strict=True):
            sys.stdout.write(
                json.dumps(
                    {"id": ident, "sentiment": s.label, "score": s.score, "emotion": s.emotion},
                    ensure_ascii=False,
                )
                + "\n"
            )
        pending.clear()

    bad = 0
    for number, line in enumerate(sys.stdin, start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            text = row["text"]
            if not isinstance(text, str):
                raise TypeError("text is not a string")
        except (json.JSONDecodeError, KeyError, TypeError) as exc:
            bad += 1
            typer.echo(f"line {number}: {exc}", err=True)
            continue
        pending.append((row.get("id"), text))
        if len(pending) >= batch:
            flush()
    flush()
    if bad:
        raise typer.Exit(2)

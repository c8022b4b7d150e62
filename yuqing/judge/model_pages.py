"""Console page of the sentiment model: its figures, the corrections it has learnt, retraining."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from yuqing.access.permissions import Permission, Principal
from yuqing.audit.log import record
from yuqing.judge import retrain
from yuqing.judge.relevance import correction_count
from yuqing.web.auth import need
from yuqing.web.templating import render

router = APIRouter(include_in_schema=False)
TARGETS = {"usual": 0.85, "virus": 0.80}  # issue #4: polarity macro-F1 on the SMP2020 eval files


def _page(request: Request, error: str = "", status: int = 200) -> Response:
    settings = request.app.state.settings
    with request.app.state.db.read() as session:
        corrections = correction_count(session)
    return render(
        request,
        "model.html",
        {
            "model": retrain.model_info(settings),
            "training": retrain.training(settings),
            "corrections": corrections,
            "targets": TARGETS,
            "error": error,
        },
        status,
    )


@router.get("/model")
def model_page(
    request: Request, who: Principal = Depends(need(Permission.SCHEMES_MANAGE))
) -> Response:
    return _page(request)


@router.post("/model/train")
async def train_model(
    request: Request, who: Principal = Depends(need(Permission.SCHEMES_MANAGE))
) -> Response:
    """Retrain with the console's corrections, in a child process; the page follows it."""

    def start() -> str:
        with request.app.state.db.read() as session:
            n = correction_count(session)
        retrain.start(request.app.state.settings, who.actor.name)
        return f"sentiment model retraining started with {n} corrections"

    return await run_in_threadpool(_act, request, who, "model.train", start)


@router.post("/model/reset")
async def reset_model(
    request: Request, who: Principal = Depends(need(Permission.SCHEMES_MANAGE))
) -> Response:
    """Back to the shipped model, when the one trained here judges worse."""

    def reset() -> str | None:
        removed = retrain.reset(request.app.state.settings)
        return "back to the shipped sentiment model" if removed else None

    return await run_in_threadpool(_act, request, who, "model.reset", reset)


def _act(request: Request, who: Principal, action: str, act: Callable[[], str | None]) -> Response:
    """Do something to the model; what it did (None: nothing) goes to the audit log."""
    try:
        summary = act()
    except retrain.TrainingRefused as exc:
        return _page(request, str(exc), 409)
    if summary is not None:
        with request.app.state.db.write() as session:
            record(session, who.actor, action, "model", "sentiment", summary=summary)
    return RedirectResponse("/model", status_code=303)

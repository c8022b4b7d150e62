"""Console pages of the judging stage: monitoring schemes, and marking items relevant or not."""

from __future__ import annotations

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData

from yuqing.access.permissions import Permission, Principal
from yuqing.judge import admin, taxonomy_store
from yuqing.judge.relevance import SENTIMENTS, correct_sentiment, mark, suggest_excludes
from yuqing.judge.rematch import rematch
from yuqing.web.auth import need
from yuqing.web.forms import form_text
from yuqing.web.templating import render

router = APIRouter(include_in_schema=False)


def _form(form: FormData) -> admin.SchemeForm:
    try:
        return admin.SchemeForm(
            name=form_text(form, "name"),
            mode=form_text(form, "mode") or "simple",
            subject_terms=admin.split_terms(form_text(form, "subject_terms")),
            region_terms=admin.split_terms(form_text(form, "region_terms")),
            event_terms=admin.split_terms(form_text(form, "event_terms")),
            exclude_terms=admin.split_terms(form_text(form, "exclude_terms")),
            expression=form_text(form, "expression"),
            enabled=form.get("enabled") == "on",
        )
    except ValidationError as exc:
        raise admin.SchemeInvalid(
            "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors())
        ) from exc


def _form_page(
    request: Request,
    values: dict[str, object],
    scheme_id: int | None,
    error: admin.SchemeInvalid | None = None,
) -> HTMLResponse:
    suggestions: list[tuple[str, int]] = []
    if scheme_id is not None:
        with request.app.state.db.read() as session:
            suggestions = suggest_excludes(session, scheme_id)
    return render(
        request,
        "scheme_form.html",
        {
            "values": values,
            "scheme_id": scheme_id,
            "suggestions": suggestions,
            "error": str(error) if error else None,
            "error_column": error.column if error else None,
        },
        400 if error else 200,
    )


def _values(form: FormData) -> dict[str, object]:
    return {
        k: form.get(k)
        for k in (
            "name",
            "mode",
            "subject_terms",
            "region_terms",
            "event_terms",
            "exclude_terms",
            "expression",
        )
    } | {"enabled": form.get("enabled") == "on"}


def _values_of(s: admin.SchemeForm) -> dict[str, object]:
    out: dict[str, object] = s.model_dump()
    for key in ("subject_terms", "region_terms", "event_terms", "exclude_terms"):
        out[key] = "\n".join(s.model_dump()[key])
    return out


@router.get("/schemes")
def schemes(request: Request, who: Principal = Depends(need(Permission.ITEMS_READ))) -> Response:
    with request.app.state.db.read() as session:
        rows = admin.list_schemes(session)
    return render(request, "schemes.html", {"rows": rows})


@router.get("/schemes/new")
def new_scheme(
    request: Request, who: Principal = Depends(need(Permission.SCHEMES_MANAGE))
) -> Response:
    return _form_page(request, {"mode": "simple", "enabled": True}, None)


@router.post("/schemes/new")
async def create_scheme(
    request: Request, who: Principal = Depends(need(Permission.SCHEMES_MANAGE))
) -> Response:
    return await _save(request, who, None)


@router.get("/schemes/{scheme_id}")
def edit_scheme(
    request: Request, scheme_id: int, who: Principal = Depends(need(Permission.SCHEMES_MANAGE))
) -> Response:
    with request.app.state.db.read() as session:
        try:
            values = _values_of(admin.form_of(admin.get_scheme(session, scheme_id)))
        except admin.SchemeInvalid as exc:
            raise HTTPException(404) from exc
    return _form_page(request, values, scheme_id)


@router.post("/schemes/{scheme_id}")
async def update_scheme(
    request: Request, scheme_id: int, who: Principal = Depends(need(Permission.SCHEMES_MANAGE))
) -> Response:
    return await _save(request, who, scheme_id)


async def _save(request: Request, who: Principal, scheme_id: int | None) -> Response:
    """Create (no id) or change a scheme, match it against recent items, show its matches."""
    form = await request.form()

    def work() -> Response:
        try:
            values = _form(form)
            with request.app.state.db.write() as session:
                if scheme_id is None:
                    saved = admin.create_scheme(session, values, who.actor).id
                else:
                    saved = admin.update_scheme(session, scheme_id, values, who.actor).id
        except admin.SchemeInvalid as exc:
            return _form_page(request, _values(form), scheme_id, exc)
        rematch(request.app.state.db, saved)
        return RedirectResponse(f"/items?scheme={saved}", status_code=303)

    return await run_in_threadpool(work)


@router.post("/items/{item_id}/relevance")
async def relevance(
    request: Request, item_id: int, who: Principal = Depends(need(Permission.ITEMS_JUDGE))
) -> Response:
    """A monitor's verdict on a matched item: relevant, irrelevant, or undecided again."""
    form = await request.form()
    scheme = str(form.get("scheme", ""))
    verdict = {"relevant": True, "irrelevant": False}.get(str(form.get("verdict", "")))
    if not scheme.isdigit():
        raise HTTPException(400, "scheme required")
    with request.app.state.db.write() as session:
        if not mark(session, item_id, int(scheme), verdict, who.actor):
            raise HTTPException(404, "the item does not match this scheme")
    back = request.headers.get("referer") or f"/items?scheme={scheme}"
    return RedirectResponse(back, status_code=303)


@router.post("/items/{item_id}/sentiment")
async def sentiment(
    request: Request, item_id: int, who: Principal = Depends(need(Permission.ITEMS_JUDGE))
) -> Response:
    """Correct an item's sentiment; the model's verdict stays on record beside it."""
    form = await request.form()
    label = str(form.get("label", ""))
    if label not in SENTIMENTS:
        raise HTTPException(400, "label must be negative, neutral or positive")
    with request.app.state.db.write() as session:
        if not correct_sentiment(session, item_id, label, who.actor):
            raise HTTPException(404, "no such item")
    return RedirectResponse(request.headers.get("referer") or f"/items/{item_id}", 303)


@router.get("/taxonomy", response_class=HTMLResponse)
def taxonomy_page(
    request: Request, who: Principal = Depends(need(Permission.SCHEMES_MANAGE))
) -> HTMLResponse:
    with request.app.state.db.read() as session:
        categories, flags = taxonomy_store.current(session)
    return render(request, "taxonomy.html", {"categories": categories, "flags": flags})


@router.post("/taxonomy", response_class=HTMLResponse)
async def save_taxonomy(
    request: Request, who: Principal = Depends(need(Permission.SCHEMES_MANAGE))
) -> Response:
    form = await request.form()
    categories: dict[str, list[str]] = {}
    for key in sorted((k for k in form if k.startswith("cat_name_")), key=_index):
        name = form_text(form, key)
        terms = admin.split_terms(form_text(form, key.replace("cat_name_", "cat_terms_")))
        if name or terms:
            categories[name] = terms
    flags = {
        k.removeprefix("flag_"): admin.split_terms(form_text(form, k))
        for k in form
        if k.startswith("flag_")
    }

    def run() -> None:
        with request.app.state.db.write() as session:
            taxonomy_store.save(session, categories, flags, who.actor)

    try:
        await run_in_threadpool(run)
    except taxonomy_store.TaxonomyInvalid as exc:
        return render(
            request,
            "taxonomy.html",
            {"categories": categories, "flags": flags, "error": str(exc)},
            status_code=422,
        )
    return RedirectResponse("/taxonomy?saved=1", status_code=303)


def _index(key: str) -> int:
    tail = key.rsplit("_", 1)[-1]
    return int(tail) if tail.isdigit() else 0

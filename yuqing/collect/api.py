"""JSON API of the collection stage: push items in, read items out."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Body, Depends, HTTPException, Query, Request
from pydantic import BaseModel, SkipValidation, ValidationError

from yuqing.access.permissions import Permission, Principal
from yuqing.collect import queries
from yuqing.collect.intake import Intake
from yuqing.collect.schema import ItemIn, describe
from yuqing.collect.tables import Item
from yuqing.text.times import parse_time
from yuqing.web.auth import need

router = APIRouter(prefix="/api/v1", tags=["items"])


class ItemsBatch(BaseModel):
    items: list[SkipValidation[ItemIn]]


class ItemError(BaseModel):
    index: int
    message: str


class PushResult(BaseModel):
    received: int
    created: int
    updated: int
    unchanged: int
    errors: list[ItemError]
    item_ids: list[int]


class MetricsOut(BaseModel):
    reads: int
    comments: int
    reposts: int
    likes: int
    observed_at: datetime | None


class ItemOut(BaseModel):
    id: int
    source: str
    external_id: str
    url: str | None
    title: str | None
    text: str
    author_name: str | None
    author_kind: str | None
    author_followers: int | None
    author_verified: bool | None
    published_at: datetime | None
    collected_at: datetime
    reply_to: str | None
    metrics: MetricsOut

    @classmethod
    def of(cls, item: Item) -> ItemOut:
        return cls(
            id=item.id,
            source=item.source.key,
            external_id=item.external_id,
            url=item.url,
            title=item.title,
            text=item.text,
            author_name=item.author_name,
            author_kind=item.author_kind,
            author_followers=item.author_followers,
            author_verified=item.author_verified,
            published_at=item.published_at,
            collected_at=item.collected_at,
            reply_to=item.reply_to,
            metrics=MetricsOut(
                reads=item.reads,
                comments=item.comments,
                reposts=item.reposts,
                likes=item.likes,
                observed_at=item.metrics_at,
            ),
        )


class ItemPage(BaseModel):
    items: list[ItemOut]
    next_cursor: str | None


@router.post("/items", response_model=PushResult)
def push_items(
    request: Request,
    batch: ItemsBatch = Body(...),
    source: str = Query("push", max_length=100, description="source key for items naming none"),
    who: Principal = Depends(need(Permission.ITEMS_IMPORT)),
) -> PushResult:
    """Store up to 1,000 items (the item schema is in docs/items.md).

    Each item is validated on its own: good items are stored even when others are refused, and
    every refused item is reported with its index and the reason. Sending the same item again
    stores it once and appends its newer engagement figures. The answer comes after the commit.
    """
    limit = request.app.state.settings.max_batch_items
    if len(batch.items) > limit:
        raise HTTPException(
            413,
            f"一批最多 {limit} 条 / a batch holds at most {limit} items, got {len(batch.items)}",
        )
    good: list[tuple[int, ItemIn]] = []
    errors: list[ItemError] = []
    for index, raw in enumerate(batch.items):
        try:
            good.append((index, ItemIn.model_validate(raw)))
        except ValidationError as exc:
            errors.append(ItemError(index=index, message=describe(exc)))
    intake = Intake(
        request.app.state.db, who.actor, default_source=source, source_kind="push", label="push"
    )
    result = intake.store(good) if good else None
    if result:
        errors.extend(ItemError(index=i, message=m) for i, m in result.errors)
    return PushResult(
        received=len(batch.items),
        created=result.created if result else 0,
        updated=result.updated if result else 0,
        unchanged=result.unchanged if result else 0,
        errors=sorted(errors, key=lambda e: e.index),
        item_ids=result.item_ids if result else [],
    )


@router.get("/items", response_model=ItemPage)
def list_items(
    request: Request,
    q: str = Query("", max_length=200, description="full-text search; space-separated words"),
    source: str | None = Query(None, description="source key"),
    since: datetime | None = None,
    until: datetime | None = None,
    cursor: str | None = None,
    limit: int = Query(50, ge=1, le=500),
    who: Principal = Depends(need(Permission.ITEMS_READ)),
) -> ItemPage:
    """Items newest first, filtered; pass `next_cursor` back as `cursor` for the next page."""
    with request.app.state.db.read() as session:
        source_id = None
        if source:
            match = [s for s in queries.sources(session) if s.key == source]
            if not match:
                return ItemPage(items=[], next_cursor=None)
            source_id = match[0].id
        try:
            rows, next_cursor = queries.find_items(
                session,
                queries.ItemFilter(
                    q=q,
                    source_id=source_id,
                    since=_aware(since),
                    until=_aware(until),
                    cursor=cursor,
                ),
                limit,
            )
        except queries.BadCursor as exc:
            raise HTTPException(400, str(exc)) from exc
        return ItemPage(items=[ItemOut.of(i) for i in rows], next_cursor=next_cursor)


@router.get("/items/{item_id}", response_model=ItemOut)
def get_item(
    request: Request,
    item_id: int,
    who: Principal = Depends(need(Permission.ITEMS_READ)),
) -> ItemOut:
    with request.app.state.db.read() as session:
        item = queries.get_item(session, item_id)
        if item is None:
            raise HTTPException(404, "no such item")
        return ItemOut.of(item)


def _aware(value: datetime | None) -> datetime | None:
    return parse_time(value) if value is not None else None

"""Items made ready for storing, before intake's write transaction: cleaned, normalised,
identified, and — for those not stored yet — judged."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from yuqing.collect.schema import ItemIn
from yuqing.judge.apply import Judgement, judge
from yuqing.judge.matcher import MatchInput
from yuqing.text.normalise import clean, normalise
from yuqing.text.urls import BadURL, canonical_url


@dataclass
class PreparedItem:
    ref: int  # line or index, for error reports
    source_key: str
    external_id: str
    row: dict[str, Any]
    metrics: tuple[int, int, int, int] | None
    observed_at: datetime | None

    @property
    def name(self) -> tuple[str, str]:
        """Source and id, as the collector names the item."""
        return self.source_key, self.external_id


def prepare_item(ref: int, item: ItemIn, default_source: str, now: datetime) -> PreparedItem:
    title = clean(item.title or "")
    text = clean(item.text)
    norm_title, norm_text = normalise(title), normalise(text)
    canon = None
    if item.url:
        try:
            canon = canonical_url(item.url)
        except BadURL as exc:
            raise ValueError(f"url: {exc}") from exc
    digest = hashlib.sha1(f"{norm_title}\n{norm_text}".encode()).hexdigest()
    author = item.author
    external_id = (
        item.id
        or canon
        or hashlib.sha1(
            f"{digest}|{author.name if author else ''}|{item.published_at}".encode()
        ).hexdigest()
    )
    row = {
        "external_id": external_id,
        "url": item.url,
        "canonical_url": canon,
        "title": title or None,
        "text": text,
        "norm_title": norm_title,
        "norm_text": norm_text,
        "content_hash": digest,
        "author_name": author.name if author else None,
        "author_followers": author.followers if author else None,
        "author_verified": author.verified if author else None,
        "author_kind": author.kind if author else None,
        "published_at": item.published_at,
        "collected_at": now,
        # A claimed time in the future (a wrong clock, a bad feed) must not pin the item on top.
        "sort_at": min(item.published_at, now) if item.published_at else now,
        "reply_to": item.reply_to,
    }
    return PreparedItem(
        ref,
        item.source or default_source,
        external_id,
        row,
        item.metrics.values() if item.metrics else None,
        item.observed_at,
    )


@dataclass
class Batch:
    now: datetime
    refs: list[int]
    prepared: list[PreparedItem] = field(default_factory=list)
    errors: list[tuple[int, str]] = field(default_factory=list)
    judged: dict[tuple[str, str], Judgement] = field(default_factory=dict)  # by name


def match_input(p: PreparedItem) -> MatchInput:
    row = p.row
    return MatchInput(
        row["norm_title"],
        row["norm_text"],
        row["author_name"] or "",
        p.source_key,
        row["url"] or "",
    )


def judge_prepared(
    session: Session, prepared: list[PreparedItem]
) -> dict[tuple[str, str], Judgement]:
    """Judgements by the items' names (the batch's lookup key before ids are known)."""
    judgements = judge(session, [match_input(p) for p in prepared])
    return {p.name: j for p, j in zip(prepared, judgements, strict=True)}

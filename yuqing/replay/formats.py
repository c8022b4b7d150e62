"""Recorded streams for replay: the item schema as JSON lines, and the CED Weibo cascades.

Both give (observed_at, line, item) in time order. A jsonl line is an item of the foundation's
schema (docs/items.md) with `observed_at` (else its published_at); a later line with the same
id updates its engagement. CED (../shared/data/ced_weibo_rumor, Song et al. 2018) gives source
posts and their timed reposts and comments; each reply answers its source post (reply_to), a
plain repost without words reads "转发微博" as on Weibo, and replies stamped before their post
(the data has a few) are moved to the post's time.
"""

from __future__ import annotations

import gzip
import json
import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from yuqing.collect.files import read_records
from yuqing.collect.schema import ItemIn, describe, unflatten

BEIJING = timezone(timedelta(hours=8))
CED_SOURCE = "weibo"


@dataclass(frozen=True)
class Recorded:
    at: datetime
    ref: int  # line number (jsonl) or position (ced)
    item: ItemIn


@dataclass(frozen=True)
class BadLine:
    ref: int
    error: str


def read_jsonl(path: Path) -> tuple[list[Recorded], list[BadLine]]:
    """Every good line in time order, and every bad one with its reason."""
    _, records = read_records(path.read_bytes(), "jsonl")
    good: list[Recorded] = []
    bad: list[BadLine] = []
    for r in records:
        if r.data is None:
            bad.append(BadLine(r.ref, r.error or "unreadable"))
            continue
        try:
            item = ItemIn.model_validate(unflatten(r.data))
        except ValidationError as exc:
            bad.append(BadLine(r.ref, describe(exc)))
            continue
        at = item.observed_at or item.published_at
        if at is None:
            bad.append(BadLine(r.ref, "neither observed_at nor published_at: no time to replay at"))
            continue
        good.append(Recorded(at, r.ref, item))
    good.sort(key=lambda x: (x.at, x.ref))
    return good, bad


@dataclass(frozen=True)
class Cascade:
    id: str
    label: str
    posted: datetime
    replies: list[datetime]  # sorted


def _post_time(value: int | str) -> datetime:
    """Epoch seconds, or Weibo's 'Sat Jun 29 12:40:09 +0800 2013' in a few posts."""
    if isinstance(value, int | float) or str(value).isdigit():
        return datetime.fromtimestamp(int(value), UTC)
    return datetime.strptime(str(value), "%a %b %d %H:%M:%S %z %Y").astimezone(UTC)


def _ced_time(value: str, posted: datetime) -> datetime:
    """'2011-03-16 22:44:58' Beijing time; 74 replies say '01月22日 17:09' (the post's year,
    or the next one if that would put the reply before the post)."""
    if "月" not in value:
        return datetime.strptime(value, "%Y-%m-%d %H:%M:%S").replace(tzinfo=BEIJING).astimezone(UTC)
    year = posted.astimezone(BEIJING).year
    local = datetime.strptime(f"{year}年{value}", "%Y年%m月%d日 %H:%M").replace(tzinfo=BEIJING)
    if local < posted:
        local = local.replace(year=year + 1)
    return local.astimezone(UTC)


def source_posts(folder: Path) -> dict[str, dict[str, Any]]:
    posts = {}
    with (folder / "original_microblogs.jsonl").open(encoding="utf-8") as f:
        for line in f:
            d = json.loads(line)
            posts[d["event_id"]] = d
    return posts


def choose(folder: Path, cascades: int | None, seed: int = 7) -> set[str] | None:
    """A reproducible sample of cascade ids (None: all)."""
    if cascades is None:
        return None
    ids = sorted(source_posts(folder))
    random.Random(seed).shuffle(ids)
    return set(ids[:cascades])


def read_ced(
    folder: Path,
    only: set[str] | None = None,
    align: bool = False,
    within: timedelta | None = None,
) -> tuple[list[Recorded], dict[str, Cascade]]:
    """`align`: every cascade shifted to start at the same moment (side by side, so that a
    replay of hundreds takes days of simulated time, not four years); `within`: replies later
    than this after their post are left out."""
    posts = source_posts(folder)
    if only is not None:
        posts = {k: v for k, v in posts.items() if k in only}
    posted = {k: _post_time(v["time"]) for k, v in posts.items()}
    shift = {k: timedelta(0) for k in posts}
    if align and posted:
        origin = min(posted.values())
        shift = {k: at - origin for k, at in posted.items()}
        posted = {k: origin for k in posted}
    rows: list[tuple[datetime, str, dict[str, Any]]] = []
    for cascade, d in posts.items():
        user = d["user"] if isinstance(d.get("user"), dict) else {}  # a few say "empty"
        rows.append(
            (
                posted[cascade],
                cascade,
                {
                    "id": cascade,
                    "source": CED_SOURCE,
                    "text": d.get("text") or "转发微博",
                    "published_at": posted[cascade].isoformat(),
                    "author": {
                        "followers": user.get("followers"),
                        "verified": user.get("verified"),
                    },
                },
            )
        )
    replies: dict[str, list[datetime]] = {k: [] for k in posts}
    with gzip.open(folder / "reposts_comments.jsonl.gz", "rt", encoding="utf-8") as f:
        for line in f:
            d = json.loads(line)
            cascade = d["event_id"]
            if cascade not in posts:
                continue
            at = _ced_time(d["date"], posted[cascade] + shift[cascade]) - shift[cascade]
            at = max(at, posted[cascade])
            if within is not None and at - posted[cascade] > within:
                continue
            replies[cascade].append(at)
            rows.append(
                (
                    at,
                    cascade,
                    {
                        "id": f"{cascade}/{d['mid']}",
                        "source": CED_SOURCE,
                        "text": d.get("text") or "转发微博",
                        "published_at": at.isoformat(),
                        "author": {"name": d.get("uid") or None},
                        "reply_to": cascade,
                    },
                )
            )
    rows.sort(key=lambda r: (r[0], r[2]["id"] != r[1]))  # a post before its replies
    out = [Recorded(at, i, ItemIn.model_validate(item)) for i, (at, _, item) in enumerate(rows, 1)]
    info = {k: Cascade(k, posts[k].get("label", ""), posted[k], sorted(replies[k])) for k in posts}
    return out, info

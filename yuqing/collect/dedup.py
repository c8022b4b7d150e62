"""Grouping copies into stories (相似文章合并): exact copies by canonical URL or normalised text,
near-copies by MinHash LSH over character shingles, confirmed by exact Jaccard similarity.

The near-duplicate index holds only a recent time window (copies of a post appear within days),
so its memory is bounded by the window, not by history. Every process keeps its own index and
catches up from the database before each batch, so items stored by another process are seen too.
"""

from __future__ import annotations

import re
import threading
import weakref
from collections import Counter, deque
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

from rensa import RMinHash, RMinHashLSH
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from yuqing.collect.tables import Item
from yuqing.store.db import Database, one_of

SHINGLE = 3
NUM_PERM = 64
NUM_BANDS = 16  # 4 rows a band: candidates from about Jaccard 0.4 up
THRESHOLD = 0.6  # confirmed copies share at least this share of shingles
MIN_CHARS = 12  # shorter texts ("转发微博") are only grouped when identical
WINDOW = timedelta(days=3)
STORY_MEMBERS = 20  # copies of one story kept in the index: a flood of reposts stays cheap
MAX_CANDIDATES = 64
SHINGLED = 2048  # candidates' shingles kept between lookups


# What copies add around the same content: repost chains, mentions, hashtags, emoticon codes,
# links and punctuation. Ignored when comparing texts, kept in the stored text.
_DECORATION = re.compile(
    r"//@[^:：\s]{1,30}[:：]|@[^\s:：@]{1,30}|#[^#]{1,40}#|\[[^\[\]]{1,8}\]|https?://\S+|转发微博"
)
_PUNCTUATION = re.compile(r"[\W_]+")


def undecorated(norm: str) -> str:
    """The text without repost chains, mentions, hashtags, emoticon codes and links."""
    return _DECORATION.sub(" ", norm)


def content(norm: str) -> str:
    return _PUNCTUATION.sub("", undecorated(norm))


def _grams(text: str) -> set[str]:
    if len(text) < SHINGLE:
        return {text} if text else set()
    return {text[i : i + SHINGLE] for i in range(len(text) - SHINGLE + 1)}


@lru_cache(maxsize=SHINGLED)
def _candidate_grams(text: str) -> frozenset[str]:
    """A window entry's shingles, made again when the LSH names it: a popular story's members
    are named over and over (62,500 comparisons with 9,655 distinct items in the first 60,000
    COVID posts), so the recent few thousand are kept, a few megabytes."""
    return frozenset(_grams(text))


def jaccard(a: set[str] | frozenset[str], b: set[str] | frozenset[str]) -> float:
    if not a or not b:
        return 0.0
    shared = len(a & b)
    return shared / (len(a) + len(b) - shared)


def minhash(grams: set[str]) -> RMinHash:
    m = RMinHash(NUM_PERM, 42)
    m.update(list(grams))
    return m


@dataclass(frozen=True)
class Prepared:
    """A text's shingles and MinHash, computed once for both the lookup and the insert."""

    text: str
    grams: set[str]
    minhash: RMinHash


def prepare(norm: str) -> Prepared | None:
    """None for texts too short to judge by similarity (they group only when identical)."""
    text = content(norm)
    if len(text) < MIN_CHARS:
        return None
    grams = _grams(text)
    return Prepared(text, grams, minhash(grams))


@dataclass(slots=True)
class _Entry:
    """An item in the window keeps its compared text, not its shingles: a set of a hundred
    3-character strings took about 6 KB an item, the text a few hundred bytes, and only the
    candidates the LSH names are shingled again (the most recently named kept shingled)."""

    text: str
    story_id: int
    at: datetime


@dataclass
class NearDupIndex:
    """Recent items' shingles in an LSH index; evicted by time."""

    window: timedelta = WINDOW
    lsh: RMinHashLSH = field(default_factory=lambda: RMinHashLSH(THRESHOLD, NUM_PERM, NUM_BANDS))
    entries: dict[int, _Entry] = field(default_factory=dict)
    order: deque[int] = field(default_factory=deque)
    members: Counter[int] = field(default_factory=Counter)
    last_item_id: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, item_id: int, norm: str, story_id: int, at: datetime) -> None:
        self.add_prepared(item_id, prepare(norm), story_id, at)

    def add_prepared(
        self, item_id: int, prep: Prepared | None, story_id: int, at: datetime
    ) -> None:
        if prep is None or item_id in self.entries or self.members[story_id] >= STORY_MEMBERS:
            return
        self.members[story_id] += 1
        self.entries[item_id] = _Entry(prep.text, story_id, at)
        self.order.append(item_id)
        self.lsh.insert(item_id, prep.minhash)

    def match(self, norm: str) -> tuple[int, float] | None:
        """The story of the most similar recent item, if similar enough, and the similarity."""
        return self.match_prepared(prepare(norm))

    def match_prepared(self, prep: Prepared | None) -> tuple[int, float] | None:
        if prep is None:
            return None
        best: tuple[int, float] | None = None
        for candidate in self.lsh.query(prep.minhash)[:MAX_CANDIDATES]:
            entry = self.entries.get(candidate)
            if entry is None:
                continue
            score = jaccard(prep.grams, _candidate_grams(entry.text))
            if score >= THRESHOLD and (best is None or score > best[1]):
                best = (entry.story_id, score)
        return best

    def reset(self) -> None:
        """Forget everything (after a rolled-back batch); the next catch-up reloads the window."""
        self.lsh = RMinHashLSH(THRESHOLD, NUM_PERM, NUM_BANDS)
        self.entries.clear()
        self.order.clear()
        self.members.clear()
        self.last_item_id = 0

    def evict(self, now: datetime) -> None:
        while self.order:
            oldest = self.entries.get(self.order[0])
            if oldest is not None and now - oldest.at <= self.window:
                break
            item_id = self.order.popleft()
            entry = self.entries.pop(item_id, None)
            if entry is not None:
                self.lsh.remove(item_id)
                self.members[entry.story_id] -= 1
                if self.members[entry.story_id] <= 0:
                    del self.members[entry.story_id]

    def catch_up(self, session: Session, now: datetime) -> None:
        """Add items stored since the last look (by this or any other process)."""
        since = now - self.window
        rows = session.execute(
            select(Item.id, Item.norm_title, Item.norm_text, Item.story_id, Item.collected_at)
            .where(Item.id > self.last_item_id, Item.collected_at >= since)
            .order_by(Item.id)
        ).all()
        for r in rows:
            self.add(r.id, f"{r.norm_title} {r.norm_text}", r.story_id or r.id, r.collected_at)
        if rows:
            self.last_item_id = rows[-1].id
        self.evict(now)


_INDEXES: weakref.WeakKeyDictionary[Database, NearDupIndex] = weakref.WeakKeyDictionary()
_INDEXES_LOCK = threading.Lock()


def index_for(db: Database) -> NearDupIndex:
    with _INDEXES_LOCK:
        if db not in _INDEXES:
            _INDEXES[db] = NearDupIndex()
        return _INDEXES[db]


@dataclass(frozen=True)
class NewItem:
    id: int
    norm: str
    canonical_url: str | None
    content_hash: str


def _first_stories(
    session: Session, column: Any, values: list[str], before: int, dialect: str
) -> dict[str, int]:
    """For each value, the story of the oldest stored item having it (one query per index: an
    OR of the two would scan the table; only the oldest per value, however many copies)."""
    if not values:
        return {}
    firsts = session.execute(
        select(column, func.min(Item.id))
        .where(one_of(column, values, dialect), Item.id < before)
        .group_by(column)
    ).all()
    if not firsts:
        return {}
    stories = dict(
        session.execute(  # type: ignore[arg-type]
            select(Item.id, Item.story_id).where(Item.id.in_([i for _, i in firsts]))
        ).all()
    )
    return {value: stories.get(i) or i for value, i in firsts}


def assign_stories(
    session: Session, index: NearDupIndex, batch: list[NewItem], now: datetime
) -> dict[int, int]:
    """Story of each new item that copies an earlier one (item id → first item's id).

    Exact copies (same canonical URL or normalised text) first, then near-copies. The caller
    holds `index.lock` and has called `index.catch_up` before inserting the batch.
    """
    if not batch:
        return {}
    dialect = session.get_bind().dialect.name
    first_new = min(b.id for b in batch)
    urls = sorted({b.canonical_url for b in batch if b.canonical_url})
    hashes = sorted({b.content_hash for b in batch})
    by_hash = _first_stories(session, Item.content_hash, hashes, first_new, dialect)
    by_url = _first_stories(session, Item.canonical_url, urls, first_new, dialect)
    stories: dict[int, int] = {}
    for b in sorted(batch, key=lambda x: x.id):
        story = (by_url.get(b.canonical_url) if b.canonical_url else None) or by_hash.get(
            b.content_hash
        )
        prep = prepare(b.norm)
        if story is None and (match := index.match_prepared(prep)):
            story = match[0]
        if story is not None and story != b.id:
            stories[b.id] = story
        own = stories.get(b.id, b.id)
        by_hash.setdefault(b.content_hash, own)
        if b.canonical_url:
            by_url.setdefault(b.canonical_url, own)
        index.add_prepared(b.id, prep, own, now)
    index.last_item_id = max(index.last_item_id, max(b.id for b in batch))
    return stories

"""Finding stored items: filters, full-text search and keyset pagination (newest first).

Keyset pagination (a cursor of sort time and id) costs the same on page 1 and page 10,000,
which offset pagination does not.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import BigInteger, Select, and_, func, or_, select
from sqlalchemy.orm import Session

from yuqing.collect.tables import Item, ItemMetric, Source
from yuqing.events.queries import items_in_event
from yuqing.judge.heat import HeatInput, HeatWeights, heat
from yuqing.judge.matcher import MatchInput
from yuqing.judge.queries import items_in_category, items_matching, items_with_sentiment
from yuqing.store import search
from yuqing.store.db import one_of


class BadCursor(ValueError):
    pass


@dataclass(frozen=True)
class ItemFilter:
    q: str = ""
    source_id: int | None = None
    since: datetime | None = None
    until: datetime | None = None
    cursor: str | None = None
    collapse: bool = False  # one item per story (相似文章合并)
    scheme_id: int | None = None  # only items matching this monitoring scheme
    sentiment: str | None = None  # only items of this sentiment
    category: str | None = None  # only items of this category
    event_id: int | None = None  # only the items of this event


EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MICRO = timedelta(microseconds=1)


def encode_cursor(item: Item) -> str:
    return f"{(item.sort_at - EPOCH) // MICRO}_{item.id}"


def decode_cursor(cursor: str) -> tuple[datetime, int]:
    try:
        micros, item_id = cursor.split("_", 1)
        at = EPOCH + int(micros) * MICRO
        return at, int(item_id)
    except (ValueError, OverflowError, OSError) as exc:
        raise BadCursor(f"bad cursor {cursor!r}") from exc


def _statement(f: ItemFilter, dialect: str) -> Select[tuple[Item]]:
    stmt = select(Item)
    if f.source_id is not None:
        stmt = stmt.where(Item.source_id == f.source_id)
    if f.collapse:
        stmt = stmt.where(Item.story_id.is_(None))
    if f.scheme_id is not None:
        stmt = stmt.where(Item.id.in_(items_matching(f.scheme_id)))
    if f.sentiment:
        stmt = stmt.where(Item.id.in_(items_with_sentiment(f.sentiment)))
    if f.category:
        stmt = stmt.where(Item.id.in_(items_in_category(f.category)))
    if f.event_id is not None:
        stmt = stmt.where(Item.id.in_(items_in_event(f.event_id)))
    if f.since is not None:
        stmt = stmt.where(Item.sort_at >= f.since)
    if f.until is not None:
        stmt = stmt.where(Item.sort_at < f.until)
    query = search.Query.parse(f.q)
    if query:
        stmt = stmt.where(search.probe(query, Item.id, HAYSTACK, dialect))
    if f.cursor:
        at, item_id = decode_cursor(f.cursor)
        stmt = stmt.where(or_(Item.sort_at < at, and_(Item.sort_at == at, Item.id < item_id)))
    return stmt.order_by(Item.sort_at.desc(), Item.id.desc())


def find_items(session: Session, f: ItemFilter, limit: int) -> tuple[list[Item], str | None]:
    """A page of items and the cursor of the next page (None on the last page)."""
    dialect = session.get_bind().dialect.name
    query = search.Query.parse(f.q)
    # Within one event or scheme the set drives the query: each of its rows is asked.
    narrow = f.event_id is not None or f.scheme_id is not None
    hits = search.windows(session, query) if query and not narrow else None
    if hits is not None:
        rows = _newest_hits(session, f, query, hits, limit + 1, dialect)
    else:
        rows = list(session.execute(_statement(f, dialect).limit(limit + 1)).scalars())
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, encode_cursor(rows[-1]) if more and rows else None


# Items stored by writers that took their clock before waiting for the lock may cross in time by
# up to the lock wait (SQLite's busy timeout is 30 s).
SLACK = timedelta(minutes=2)
HAYSTACK = Item.norm_title + " " + Item.norm_text


def _newest_hits(
    session: Session,
    f: ItemFilter,
    query: search.Query,
    hits: search.Windows,
    want: int,
    dialect: str,
) -> list[Item]:
    """The index read newest-first by id, a window at a time, instead of every hit sorted.

    Ids grow with collection, and an item's sort time is never later than its collection time
    (intake clamps claimed future times), so once the page's last item is no older than the
    collection time at a window's lower end, nothing further back can enter the page; nor once
    no item further back has a later sort time (imported history).
    """
    others = _statement(replace(f, q=""), dialect).where(*search.confirm(query, HAYSTACK, dialect))
    keys = others.with_only_columns(Item.sort_at, Item.id).order_by(None)
    found: list[tuple[datetime, int]] = []
    for ids, lowest in hits:
        if ids:
            window = keys.where(one_of(Item.id, ids, dialect, BigInteger))
            found.extend((at, id_) for at, id_ in session.execute(window))
            found.sort(reverse=True)
            del found[want:]
        if lowest is None:
            break
        if len(found) >= want and _nothing_below_enters(session, found[-1][0], lowest):
            break
    if not found:
        return []
    page = [i for _, i in found]
    return list(session.execute(others.where(one_of(Item.id, page, dialect, BigInteger))).scalars())


def _nothing_below_enters(session: Session, last_at: datetime, lowest: int) -> bool:
    """No item below the window's lowest id can enter a page ending at `last_at`: collection
    time says so at once for items collected live; for history imported with its own earlier
    times, the sort index is asked whether any item below is later."""
    oldest = session.execute(
        select(Item.collected_at).where(Item.id >= lowest).order_by(Item.id).limit(1)
    ).scalar()
    if oldest is None or last_at >= oldest + SLACK:
        return True
    later = select(Item.id).where(Item.sort_at > last_at, Item.id < lowest).limit(1)
    return session.execute(later).first() is None


def get_item(session: Session, item_id: int) -> Item | None:
    return session.get(Item, item_id)


def metric_series(session: Session, item_id: int) -> list[ItemMetric]:
    return list(
        session.execute(
            select(ItemMetric).where(ItemMetric.item_id == item_id).order_by(ItemMetric.observed_at)
        ).scalars()
    )


def sources(session: Session) -> list[Source]:
    return list(session.execute(select(Source).order_by(Source.key)).scalars())


def highlight_words(q: str) -> list[str]:
    """The normalised query words, for marking hits in the page."""
    return list(search.Query.parse(q).words)


def copy_counts(session: Session, item_ids: list[int]) -> dict[int, int]:
    """How many later copies each of these items has (the size of its story, minus one)."""
    if not item_ids:
        return {}
    rows = session.execute(
        select(Item.story_id, func.count())
        .where(Item.story_id.in_(item_ids))
        .group_by(Item.story_id)
    ).all()
    return {story: n for story, n in rows}


def judging_inputs(
    session: Session, since: datetime, after_id: int, limit: int
) -> list[tuple[int, MatchInput]]:
    """Stored items as the judging stage reads them, in id order, for re-matching."""
    rows = session.execute(
        select(Item.id, Item.norm_title, Item.norm_text, Item.author_name, Item.url, Source.key)
        .join(Source, Source.id == Item.source_id)
        .where(Item.id > after_id, Item.collected_at >= since)
        .order_by(Item.id)
        .limit(limit)
    ).all()
    return [
        (r.id, MatchInput(r.norm_title, r.norm_text, r.author_name or "", r.key, r.url or ""))
        for r in rows
    ]


def texts_by_id(session: Session, item_ids: list[int]) -> dict[int, str]:
    """Normalised title and text of these items (for word statistics)."""
    out: dict[int, str] = {}
    for start in range(0, len(item_ids), 500):
        chunk = item_ids[start : start + 500]
        for i, title, text in session.execute(
            select(Item.id, Item.norm_title, Item.norm_text).where(Item.id.in_(chunk))
        ):
            out[i] = f"{title} {text}"
    return out


def heat_of(item: Item, weights: HeatWeights | None = None) -> float:
    """The item's heat now (see yuqing/judge/heat.py), from its latest engagement and source."""
    return heat(
        HeatInput(
            item.reads,
            item.comments,
            item.reposts,
            item.likes,
            item.author_followers,
            item.author_verified,
            item.source.media_tier,
        ),
        weights,
    )


@dataclass(frozen=True)
class StoredItem:
    """A stored item as later stages read it (events, reports): plain data, no session."""

    id: int
    source_id: int
    source_key: str
    source_kind: str
    external_id: str
    reply_to: str | None
    story_id: int | None
    sort_at: datetime
    collected_at: datetime
    text: str  # normalised title and text
    author: str | None
    followers: int
    author_kind: str | None
    mainstream: bool
    media_tier: str | None
    engagement: tuple[int, int, int, int]

    @property
    def key(self) -> str:
        return f"{self.source_id}:{self.external_id}"

    @property
    def reply_key(self) -> str | None:
        return f"{self.source_id}:{self.reply_to}" if self.reply_to else None


_STORED = (
    Item.id,
    Item.source_id,
    Source.key,
    Source.kind,
    Item.external_id,
    Item.reply_to,
    Item.story_id,
    Item.sort_at,
    Item.collected_at,
    Item.norm_title,
    Item.norm_text,
    Item.author_name,
    Item.author_followers,
    Item.author_kind,
    Source.mainstream,
    Source.media_tier,
    Item.reads,
    Item.comments,
    Item.reposts,
    Item.likes,
)


def _stored(r: Any) -> StoredItem:
    """A row of _STORED, read by position (reading sixteen attributes by name was a twentieth
    of the events stage)."""
    return StoredItem(
        *r[:9],  # id … collected_at
        f"{r[9]} {r[10]}".strip(),  # norm_title, norm_text
        r[11],
        r[12] or 0,
        r[13],
        bool(r[14]),
        r[15],
        tuple(r[16:]),  # reads, comments, reposts, likes
    )


def items_after(session: Session, after_id: int, limit: int, drill: bool) -> list[StoredItem]:
    """Items stored after `after_id`, oldest first; drill sources and real ones never mix."""
    kind = Source.kind == "drill"
    rows = session.execute(
        select(*_STORED)
        .join(Source, Source.id == Item.source_id)
        .where(Item.id > after_id, kind if drill else ~kind)
        .order_by(Item.id)
        .limit(limit)
    ).all()
    return [_stored(r) for r in rows]


def newest_ids(session: Session) -> tuple[int, int]:
    """The newest item's and engagement observation's ids: two index lookups."""
    item = session.execute(select(func.max(Item.id))).scalar()
    metric = session.execute(select(func.max(ItemMetric.id))).scalar()
    return item or 0, metric or 0


def items_by_id(session: Session, item_ids: list[int]) -> list[StoredItem]:
    out: list[StoredItem] = []
    for start in range(0, len(item_ids), 500):
        chunk = item_ids[start : start + 500]
        rows = session.execute(
            select(*_STORED).join(Source, Source.id == Item.source_id).where(Item.id.in_(chunk))
        ).all()
        out.extend(_stored(r) for r in rows)
    return sorted(out, key=lambda s: s.id)


def engagement_after(
    session: Session, after_id: int, limit: int
) -> list[tuple[int, int, tuple[int, int, int, int]]]:
    """(observation id, item id, engagement) of observations stored after `after_id`."""
    rows = session.execute(
        select(
            ItemMetric.id,
            ItemMetric.item_id,
            ItemMetric.reads,
            ItemMetric.comments,
            ItemMetric.reposts,
            ItemMetric.likes,
        )
        .where(ItemMetric.id > after_id)
        .order_by(ItemMetric.id)
        .limit(limit)
    ).all()
    return [(r[0], r[1], (r[2], r[3], r[4], r[5])) for r in rows]


def external_ids(session: Session, item_ids: list[int]) -> dict[int, str]:
    out: dict[int, str] = {}
    for start in range(0, len(item_ids), 500):
        chunk = item_ids[start : start + 500]
        for i, external in session.execute(
            select(Item.id, Item.external_id).where(Item.id.in_(chunk))
        ):
            out[i] = external
    return out


def item_with_key(session: Session, key: str) -> int | None:
    """The id of the item a "source_id:external_id" key names, if stored."""
    source, _, external = key.partition(":")
    if not source.isdigit():
        return None
    return session.execute(
        select(Item.id).where(Item.external_id == external, Item.source_id == int(source))
    ).scalar()

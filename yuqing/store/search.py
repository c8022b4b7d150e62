"""Chinese full-text search that finds 1- and 2-character words exactly, through an index.

Text is cut into single CJK characters and whole Latin/digit words (after normalisation, so a
traditional-script query finds simplified text and vice versa).
- SQLite: a contentless FTS5 table of those tokens; a query word becomes an FTS5 phrase, so
  adjacency is exact and no segmentation can disagree with the user.
- PostgreSQL (Debian has no zhparser/pg_jieba): a GIN-indexed tsvector of the CJK bigrams and
  the other tokens, built here in Python; a query word becomes an AND of its bigrams (a single
  character: a prefix query), and the candidates are confirmed by a substring test on the
  normalised text.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import pairwise
from operator import add

from sqlalchemy import ColumnElement, and_, func, literal_column, select, text
from sqlalchemy import column as sql_column
from sqlalchemy import table as sql_table
from sqlalchemy.orm import Session

from yuqing.text.normalise import normalise

_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\U00020000-\U0003134f"
_TOKEN = re.compile(rf"[{_CJK}]|[^\W_{_CJK}]+")
_IS_CJK = re.compile(rf"[{_CJK}]")
_CJK_RUN = re.compile(rf"[{_CJK}](?: [{_CJK}])+")


def tokens(norm: str) -> list[str]:
    """Tokens of already-normalised text, in order."""
    return _TOKEN.findall(norm)


def _lexemes(toks: Sequence[str]) -> str:
    """The PostgreSQL index terms, joined by spaces: the bigrams of adjacent CJK tokens, and
    every other token but a character that begins one of the bigrams — a one-character query is
    a prefix query (`字:*`) and finds such a post through the bigram (migration 0015: 74 terms a
    post instead of 129, the server's indexing 44 % faster). Repeats are left for
    `array_to_tsvector`, which sorts them and drops them in C. The runs of CJK tokens are found
    in the tokens joined by spaces (a CJK character is always a token of its own)."""
    joined = " ".join(toks)
    bigrams: list[str] = []
    for run in _CJK_RUN.findall(joined):
        chars = run[::2]
        bigrams.extend(map(add, chars, chars[1:]))
    if not bigrams:
        return joined
    begins = {b[0] for b in bigrams}
    return " ".join([t for t in toks if t not in begins] + bigrams)


@dataclass(frozen=True)
class Query:
    """A parsed search: whitespace-separated words, each required."""

    words: tuple[str, ...]

    @classmethod
    def parse(cls, raw: str) -> Query:
        words = [w for w in normalise(raw).split(" ") if tokens(w)]
        return cls(tuple(dict.fromkeys(words)))

    def __bool__(self) -> bool:
        return bool(self.words)

    def fts5(self) -> str:
        return " AND ".join('"' + " ".join(tokens(w)) + '"' for w in self.words)

    def tsquery(self) -> str:
        terms: list[str] = []
        for w in self.words:
            terms.extend(_query_terms(tokens(w)))
        return " & ".join(dict.fromkeys(terms))


def _query_terms(toks: list[str]) -> list[str]:
    """Each Latin word as is; each CJK run as its bigrams, or its one character as a prefix of
    the terms that begin with it (itself, or the bigrams it begins: `_lexemes`)."""
    terms: list[str] = []
    run: list[str] = []
    for t in [*toks, ""]:
        if t and _IS_CJK.fullmatch(t):
            run.append(t)
            continue
        if len(run) == 1:
            terms.append(f"'{run[0]}':*")
        else:
            terms.extend(f"'{a}{b}'" for a, b in pairwise(run))
        run = []
        if t:
            terms.append(f"'{t}'")
    return terms


def index_rows(session: Session, rows: Iterable[tuple[int, str]]) -> None:
    """Index (item id, normalised searchable text) pairs in the caller's transaction."""
    rows = list(rows)
    if not rows:
        return
    if session.get_bind().dialect.name == "sqlite":
        session.connection().exec_driver_sql(  # plain tuples: no bind processing to do
            "INSERT INTO item_fts(rowid, body) VALUES (?, ?)",
            [(i, " ".join(tokens(body))) for i, body in rows],
        )
    else:
        ids = [i for i, _ in rows]
        terms = [_lexemes(tokens(body)) for _, body in rows]
        session.execute(
            text(
                "INSERT INTO item_search(item_id, terms) "
                "SELECT id, array_to_tsvector(string_to_array(t, ' ')) "
                "FROM unnest(CAST(:ids AS bigint[]), CAST(:terms AS text[])) AS u(id, t)"
            ),
            {"ids": ids, "terms": terms},
        )


WINDOW = 500  # hits read (SQLite) or placed (PostgreSQL) per window
MANY = 20_000  # PostgreSQL: beyond this many hits the rows are asked in time order instead
# PostgreSQL: a word in more than 1 row in COMMON is asked row by row at once. Above the planner's
# guess for terms it keeps no statistics of (at most 0.5 %), so those are collected instead.
COMMON = 150


Windows = Iterator[tuple[list[int], int | None]]


def windows(session: Session, query: Query) -> Windows | None:
    """Ids of items matching the query, newest (highest id) first, a window at a time; each with
    the lowest id its window covers, or None once no older hit remains. The caller stops as soon
    as its page is full and nothing older can enter it (collect/queries.py).

    None (PostgreSQL only) when the word is so common that asking each row, newest first, whether
    it matches reaches the page's end sooner than collecting the hits would.
    """
    if session.get_bind().dialect.name == "sqlite":
        return _fts_windows(session, query)
    if _common(session, query):
        return None
    # The GIN index is not ordered by anything; its hits are collected, then windowed by id.
    hits = session.execute(
        text("SELECT item_id FROM item_search WHERE terms @@ CAST(:q AS tsquery) LIMIT :n"),
        {"q": query.tsquery(), "n": MANY + 1},
    )
    ids = sorted(hits.scalars(), reverse=True)
    if len(ids) > MANY:
        return None
    chunks = [ids[i : i + WINDOW] for i in range(0, len(ids), WINDOW)] or [[]]
    return ((c, c[-1] if n < len(chunks) - 1 else None) for n, c in enumerate(chunks))


def refresh_statistics(session: Session) -> None:
    """After a large import: until ANALYZE has seen the index terms (autovacuum comes later),
    PostgreSQL search cannot tell a common word from a rare one and collects every hit. The
    index's pending list is merged now too: ANALYZE leaves it, and while autovacuum merges it,
    searches are slower (migration 0014)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("ANALYZE item_search"))
        session.execute(text("SELECT gin_clean_pending_list('ix_item_search_terms')"))


def _common(session: Session, query: Query) -> bool:
    """The planner's estimate, from the statistics ANALYZE keeps of the 10,000 commonest index
    terms (migration 0013), costs a fraction of a millisecond; counting the hits of a word in a
    quarter of all rows costs more than the whole search may."""
    total = session.execute(
        text("SELECT reltuples FROM pg_class WHERE relname = 'item_search'")
    ).scalar()
    if not total or total < 0:  # never analysed: no estimate
        return False
    plan = session.execute(
        text("EXPLAIN (FORMAT JSON) SELECT 1 FROM item_search WHERE terms @@ CAST(:q AS tsquery)"),
        {"q": query.tsquery()},
    ).scalar_one()
    if isinstance(plan, str):
        plan = json.loads(plan)
    return plan[0]["Plan"]["Plan Rows"] * COMMON > total


def _fts_windows(session: Session, query: Query) -> Windows:
    below: int | None = None
    while True:
        bound = "" if below is None else " AND rowid < :below"
        ids = session.execute(
            text(
                f"SELECT rowid FROM item_fts WHERE item_fts MATCH :q{bound} "
                "ORDER BY rowid DESC LIMIT :n"
            ),
            {"q": query.fts5(), "below": below, "n": WINDOW},
        )
        hits = list(ids.scalars())
        more = len(hits) == WINDOW
        yield hits, hits[-1] if more else None
        if not more:
            return
        below = hits[-1]


def confirm(query: Query, haystack: ColumnElement[str], dialect: str) -> list[ColumnElement[bool]]:
    """PostgreSQL's index finds bigrams; the words themselves are confirmed in the text."""
    if dialect == "sqlite":
        return []
    return [func.strpos(haystack, w) > 0 for w in query.words]


def probe(
    query: Query, id_column: ColumnElement[int], haystack: ColumnElement[str], dialect: str
) -> ColumnElement[bool]:
    """A WHERE clause asking the index about each row: for searches within a small set (one
    event, one scheme), where the set drives the query, and for very common words on
    PostgreSQL, where the newest rows reach a page of hits soonest."""
    if dialect == "sqlite":
        table, key = "item_fts", "rowid"
        hit = text("item_fts MATCH :fts").bindparams(fts=query.fts5())
    else:
        table, key = "item_search", "item_id"
        hit = text("terms @@ CAST(:tsq AS tsquery)").bindparams(tsq=query.tsquery())
    index = sql_table(table, sql_column(key))
    asked = select(literal_column("1")).select_from(index).where(hit, index.c[key] == id_column)
    return and_(asked.exists(), *confirm(query, haystack, dialect))


def unindex_rows(session: Session, rows: Iterable[tuple[int, str]]) -> None:
    """Take items out of the index (retention), given the same text they were indexed with."""
    rows = list(rows)
    if not rows:
        return
    if session.get_bind().dialect.name == "sqlite":
        # A contentless FTS5 table forgets a row only when told the tokens it was given.
        session.execute(
            text("INSERT INTO item_fts(item_fts, rowid, body) VALUES ('delete', :id, :body)"),
            [{"id": i, "body": " ".join(tokens(body))} for i, body in rows],
        )
    else:
        session.execute(
            text("DELETE FROM item_search WHERE item_id = ANY(CAST(:ids AS bigint[]))"),
            {"ids": [i for i, _ in rows]},
        )

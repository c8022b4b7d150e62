"""Chinese full-text search that finds 1- and 2-character words exactly, through an index.

Text is cut into single CJK characters and whole Latin/digit words (after normalisation, so a
traditional-script query finds simplified text and vice versa).
- SQLite: a contentless FTS5 table of those tokens; a query word becomes an FTS5 phrase, so
  adjacency is exact and no segmentation can disagree with the user.
- PostgreSQL (Debian has no zhparser/pg_jieba): a GIN-indexed tsvector of the tokens plus CJK
  bigrams, built here in Python; a query word becomes an AND of its bigrams (or its single
  character), and the candidates are confirmed by a substring test on the normalised text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import pairwise

from sqlalchemy import ColumnElement, and_, func, literal_column, select, text
from sqlalchemy.orm import Session

from yuqing.text.normalise import normalise

_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\U00020000-\U0003134f"
_TOKEN = re.compile(rf"[{_CJK}]|[^\W_{_CJK}]+")
_IS_CJK = re.compile(rf"[{_CJK}]")


def tokens(norm: str) -> list[str]:
    """Tokens of already-normalised text, in order."""
    return _TOKEN.findall(norm)


def _lexemes(toks: Sequence[str]) -> list[str]:
    """Unigrams, words and bigrams of adjacent CJK characters (the PostgreSQL index terms)."""
    out = set(toks)
    for a, b in pairwise(toks):
        if _IS_CJK.fullmatch(a) and _IS_CJK.fullmatch(b):
            out.add(a + b)
    return sorted(out)


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
        return " & ".join(f"'{t}'" for t in dict.fromkeys(terms))


def _query_terms(toks: list[str]) -> list[str]:
    """Each Latin word as is; each CJK run as its bigrams, or its one character."""
    terms: list[str] = []
    run: list[str] = []
    for t in [*toks, ""]:
        if t and _IS_CJK.fullmatch(t):
            run.append(t)
            continue
        terms.extend(run if len(run) == 1 else (a + b for a, b in pairwise(run)))
        run = []
        if t:
            terms.append(t)
    return terms


def index_rows(session: Session, rows: Iterable[tuple[int, str]]) -> None:
    """Index (item id, normalised searchable text) pairs in the caller's transaction."""
    rows = list(rows)
    if not rows:
        return
    if session.get_bind().dialect.name == "sqlite":
        session.execute(
            text("INSERT INTO item_fts(rowid, body) VALUES (:id, :body)"),
            [{"id": i, "body": " ".join(tokens(body))} for i, body in rows],
        )
    else:
        ids = [i for i, _ in rows]
        terms = [" ".join(_lexemes(tokens(body))) for _, body in rows]
        session.execute(
            text(
                "INSERT INTO item_search(item_id, terms) "
                "SELECT id, array_to_tsvector(string_to_array(t, ' ')) "
                "FROM unnest(CAST(:ids AS bigint[]), CAST(:terms AS text[])) AS u(id, t)"
            ),
            {"ids": ids, "terms": terms},
        )


def matching(
    query: Query, id_column: ColumnElement[int], haystack: ColumnElement[str], dialect: str
) -> ColumnElement[bool]:
    """A WHERE clause keeping the rows whose id the index returns for the query."""
    if dialect == "sqlite":
        ids = (
            select(literal_column("rowid"))
            .select_from(text("item_fts"))
            .where(text("item_fts MATCH :fts").bindparams(fts=query.fts5()))
        )
        return id_column.in_(ids)
    ids = (
        select(literal_column("item_id"))
        .select_from(text("item_search"))
        .where(text("terms @@ CAST(:tsq AS tsquery)").bindparams(tsq=query.tsquery()))
    )
    confirm = [func.strpos(haystack, w) > 0 for w in query.words]
    return and_(id_column.in_(ids), *confirm)


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

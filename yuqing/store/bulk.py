"""Many rows written at once: the pipeline's inserts and updates, bound without SQLAlchemy's
per-row machinery.

SQLAlchemy's executemany builds each row's parameters through its general machinery (a tenth of
the SQLite pipeline's time), so a statement is prepared once per table and set of columns and
the rows are bound here, with the defaults and bind processors SQLAlchemy would apply. SQLite
gets an executemany of the compiled statement; PostgreSQL a COPY, which its server loads in one
stream instead of a statement per row: 20,000 judging rows in 0.16–0.21 s against 0.45 s by
SQLAlchemy's batched executemany, and no slower from three rows up (one row: 0.06 ms more).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from operator import itemgetter
from typing import Any

import psycopg
from sqlalchemy import Table, bindparam, insert, update
from sqlalchemy.dialects import sqlite
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from yuqing.store.base import UTCDateTime


@dataclass(frozen=True)
class _Bound:
    """A statement prepared once, and how a row's dict becomes its values."""

    sql: str
    take: Callable[[dict[str, Any]], tuple[Any, ...]]  # a row's values in the statement's order
    constants: dict[str, Any]  # columns the rows leave out whose default is a value
    makers: tuple[tuple[str, Callable[[], Any]], ...]  # … whose default is made per row
    processors: tuple[tuple[int, Callable[[Any], Any]], ...]  # (place, bind processor)
    copy: bool = False  # PostgreSQL's COPY … FROM STDIN, not SQLite's executemany

    def bind(self, row: dict[str, Any]) -> tuple[Any, ...]:
        if self.constants or self.makers:
            row = row | self.constants
            for name, make in self.makers:
                row[name] = make()
        values = self.take(row)
        if not self.processors:
            return values
        out = list(values)
        for i, process in self.processors:
            out[i] = process(out[i])
        return tuple(out)

    def run(self, session: Session, rows: list[dict[str, Any]]) -> None:
        if not self.copy:
            session.connection().exec_driver_sql(self.sql, [self.bind(r) for r in rows])
            return
        raw = session.connection().connection.driver_connection
        try:
            with raw.cursor() as cursor, cursor.copy(self.sql) as copy:
                for r in rows:
                    copy.write_row(self.bind(r))
        except psycopg.Error as exc:  # as SQLAlchemy raises it: IntegrityError for a duplicate
            raise DBAPIError.instance(self.sql, None, exc, psycopg.Error) from exc


# A batch's rows share most of their times (its clock, a post's publication as its sort time).
_utc_text = lru_cache(maxsize=4096)(UTCDateTime.sqlite_text)


def _defaults(
    table: Table, names: list[str], keys: tuple[str, ...], onupdate: bool
) -> tuple[dict[str, Any], list[tuple[str, Callable[[], Any]]]]:
    """The Python-side defaults (INSERT: `default`, UPDATE: `onupdate`) of the named columns
    the rows leave out."""
    constants: dict[str, Any] = {}
    makers: list[tuple[str, Callable[[], Any]]] = []
    for name in set(names) - set(keys):
        column = table.c.get(name)
        default = None if column is None else column.onupdate if onupdate else column.default
        if default is None or not (default.is_scalar or default.is_callable):
            raise ValueError(f"{table.name}: {name} needs a value (its default is SQL)")
        if default.is_callable:
            makers.append((name, lambda f=default.arg: f(None)))
        else:
            constants[name] = default.arg
    return constants, makers


def _taker(names: list[str]) -> Callable[[dict[str, Any]], tuple[Any, ...]]:
    return itemgetter(*names) if len(names) > 1 else (lambda r, n=names[0]: (r[n],))


def _sqlite_bound(table: Table, statement: Any, keys: tuple[str, ...], onupdate: bool) -> _Bound:
    """The statement's text for rows with these keys, and the bind processors SQLAlchemy would
    apply (times, JSON), by placeholder."""
    setting = [k for k in keys if not onupdate or k != "id"]
    compiled = statement.compile(dialect=sqlite.dialect(), column_keys=setting)
    names = list(compiled.positiontup or ())
    constants, makers = _defaults(table, names, keys, onupdate)
    processors = dict(compiled._bind_processors)
    for name in processors:
        column = table.c.get(name)
        if column is not None and isinstance(column.type, UTCDateTime):
            processors[name] = _utc_text
    return _Bound(
        compiled.string,
        _taker(names),
        constants,
        tuple(makers),
        tuple((i, processors[n]) for i, n in enumerate(names) if n in processors),
    )


@lru_cache(maxsize=256)
def _sqlite_insert(table: Table, keys: tuple[str, ...]) -> _Bound:
    return _sqlite_bound(table, insert(table), keys, onupdate=False)


@lru_cache(maxsize=256)
def _sqlite_update(table: Table, keys: tuple[str, ...]) -> _Bound:
    """`UPDATE … SET (the other keys) WHERE id = ?`; the row's id bound under its own name."""
    where = table.c.id == bindparam("id")
    return _sqlite_bound(table, update(table).where(where), keys, onupdate=True)


@lru_cache(maxsize=256)
def _postgresql_copy(table: Table, keys: tuple[str, ...], dialect: Dialect) -> _Bound:
    """`COPY table (the keys, then the columns with a Python-side default) FROM STDIN`: the
    columns an INSERT of these keys would set. The others take their server's default, as
    they would in the INSERT."""
    names = list(keys) + [
        c.name for c in table.columns if c.name not in keys and c.default is not None
    ]
    constants, makers = _defaults(table, names, keys, onupdate=False)
    quote = dialect.identifier_preparer
    columns = ", ".join(quote.quote(n) for n in names)
    processors = [(i, table.c[n].type._cached_bind_processor(dialect)) for i, n in enumerate(names)]
    return _Bound(
        f"COPY {quote.format_table(table)} ({columns}) FROM STDIN",
        _taker(names),
        constants,
        tuple(makers),
        tuple((i, p) for i, p in processors if p is not None),
        copy=True,
    )


def _is_sqlite(session: Session) -> bool:
    return session.get_bind().dialect.name == "sqlite"


def insert_rows(session: Session, table: Table, rows: list[dict[str, Any]]) -> None:
    """Insert rows (each with the same keys) in the caller's transaction."""
    if not rows:
        return
    dialect = session.get_bind().dialect
    keys = tuple(rows[0])
    if dialect.name == "sqlite":
        _sqlite_insert(table, keys).run(session, rows)
    elif dialect.name == "postgresql" and dialect.driver == "psycopg":
        _postgresql_copy(table, keys, dialect).run(session, rows)
    else:
        session.execute(insert(table), rows)


def update_rows(session: Session, table: Table, rows: list[dict[str, Any]]) -> None:
    """Update rows by id, one statement per set of columns the rows name, bound as by
    insert_rows on SQLite. A Core statement: objects of these rows already loaded are not
    refreshed."""
    groups: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for r in rows:
        groups.setdefault(tuple(r), []).append(r)
    on_sqlite = _is_sqlite(session)
    for keys, group in groups.items():
        if on_sqlite:
            _sqlite_update(table, keys).run(session, group)
            continue
        values = {k: bindparam(f"new_{k}") for k in keys if k != "id"}
        statement = update(table).where(table.c.id == bindparam("where_id")).values(values)
        params = [{f"new_{k}": v for k, v in r.items()} | {"where_id": r["id"]} for r in group]
        session.execute(statement, params)

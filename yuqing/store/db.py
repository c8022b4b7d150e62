"""Engine and sessions for SQLite (embedded default) and PostgreSQL (production).

SQLite runs in WAL mode with foreign keys on. Writing sessions start with BEGIN IMMEDIATE so a
transaction that reads and then writes cannot fail half-way on a lock taken by another process;
reading sessions use a plain BEGIN and never block writers.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Engine,
    Integer,
    String,
    any_,
    bindparam,
    create_engine,
    event,
    func,
    select,
    text,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

BUSY_SECONDS = 30.0  # how long a SQLite writer waits for another's lock before it gives up
# The WAL is copied back into the database once it holds this many pages (40 MB), not SQLite's
# 1,000: a checkpoint was a third of intake's commits, and pages written again and again (the
# search index's, the indexes' upper levels) are copied once per checkpoint. Pipeline +2–5 %
# in alternating runs; alert latency p99 at 1,000 items/s 312 → 233 ms (docs/performance.md).
WAL_CHECKPOINT_PAGES = 10_000


def _sqlite_engine(url: str, writing: bool, foreign_keys: bool = True) -> Engine:
    path = make_url(url).database
    if path and path != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"timeout": BUSY_SECONDS, "check_same_thread": False})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record) -> None:  # type: ignore[no-untyped-def]
        dbapi_conn.isolation_level = None  # we issue BEGIN ourselves
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute(f"PRAGMA foreign_keys={'ON' if foreign_keys else 'OFF'}")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute(f"PRAGMA wal_autocheckpoint={WAL_CHECKPOINT_PAGES}")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn) -> None:  # type: ignore[no-untyped-def]
        if writing:
            _begin_immediate(conn.connection.dbapi_connection)
        else:
            conn.exec_driver_sql("BEGIN")

    return engine


# Never set: a pause. time.sleep fails with EINVAL under libfaketime with a clock offset, which is
# how tests/hostile/test_crash_serve.py moves a restarted service's clock (two processes since
# `serve` runs its worker as a child, so they wait here for each other); a timed wait does not.
_PAUSE = threading.Event()


def _begin_immediate(raw: Any, patience: float = BUSY_SECONDS) -> None:
    """Take SQLite's write lock, trying again every millisecond while another process holds
    it. SQLite's own busy handler sleeps up to 100 ms between tries, so a process beside a
    busy one (`yuqing worker` beside `yuqing serve`) took the lock long after it was free."""
    raw.execute("PRAGMA busy_timeout=0")
    try:
        deadline = time.monotonic() + patience
        while True:
            try:
                raw.execute("BEGIN IMMEDIATE")
                return
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) or time.monotonic() > deadline:
                    raise
            _PAUSE.wait(0.001)
    finally:
        raw.execute(f"PRAGMA busy_timeout={int(BUSY_SECONDS * 1000)}")


class FairLock:
    """SQLite's writers of one process, served in the order they came.

    SQLite has one writer at a time, and a connection finding the lock taken sleeps and polls
    (up to 100 ms between tries), while the thread holding it may take it again at once. Under
    load the events stage, running batch after batch, kept the API's intake waiting for
    seconds. Waiting here instead, in turn, hands the lock over the moment it is released.
    Re-entrant, as a thread's nested write would otherwise wait for itself."""

    def __init__(self) -> None:
        self._mutex = threading.Lock()
        self._waiting: deque[threading.Event] = deque()
        self._owner: int | None = None
        self._depth = 0

    def __enter__(self) -> None:
        me = threading.get_ident()
        with self._mutex:
            if self._owner in (me, None):
                self._owner, self._depth = me, self._depth + 1
                return
            turn = threading.Event()
            self._waiting.append(turn)
        turn.wait()
        with self._mutex:
            self._owner, self._depth = me, 1

    def __exit__(self, *_: object) -> None:
        with self._mutex:
            self._depth -= 1
            if self._depth:
                return
            self._owner = None
            if self._waiting:
                self._owner = -1  # handed over: nobody else may take it before the next in line
                self._waiting.popleft().set()


class Database:
    """One database: a reading and a writing session factory over the same URL."""

    def __init__(self, url: str, migrating: bool = False) -> None:
        """`migrating`: SQLite foreign keys off, because a table rebuilt by a migration is
        dropped first, and with them on the drop would cascade to the rows that refer to it."""
        self.url = url
        self.dialect = make_url(url).get_backend_name()
        if self.dialect == "sqlite":
            self.engine = _sqlite_engine(url, writing=True, foreign_keys=not migrating)
            self.read_engine = _sqlite_engine(url, writing=False)
        else:
            if make_url(url).drivername == "postgresql":
                url = url.replace("postgresql://", "postgresql+psycopg://", 1)
            self.engine = create_engine(url, pool_pre_ping=True)
            self.read_engine = self.engine
        self._writing = FairLock() if self.dialect == "sqlite" else None
        self._write = sessionmaker(self.engine, expire_on_commit=False)
        self._read = sessionmaker(self.read_engine, expire_on_commit=False)

    @property
    def is_sqlite(self) -> bool:
        return self.dialect == "sqlite"

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A transaction that commits on success and rolls back on any error."""
        if self._writing is None:
            with self._write() as session, session.begin():
                yield session
            return
        with self._writing, self._write() as session, session.begin():
            yield session

    @contextmanager
    def turn(self) -> Iterator[None]:
        """This process's turn to write, before its transaction opens. Work done in it (intake
        judging a batch) stays in line with the process's other writers — on one core, taking
        turns finishes each sooner than sharing it — while another process (a `yuqing worker`
        beside `yuqing serve` on SQLite) may still write meanwhile."""
        if self._writing is None:
            yield
            return
        with self._writing:
            yield

    @contextmanager
    def read(self) -> Iterator[Session]:
        with self._read() as session, session.begin():
            yield session

    def dispose(self) -> None:
        self.engine.dispose()
        if self.read_engine is not self.engine:
            self.read_engine.dispose()


RESERVED = "yuqing.reserved_ids"  # session.info: (transaction, {table: highest id reserved})


def one_of(
    column: ColumnElement[Any], values: list[Any], dialect: str, element: Any = String
) -> ColumnElement[bool]:
    """`column IN values`, as one array parameter on PostgreSQL.

    psycopg prepares a statement after a few runs; a prepared `IN ($1, …, $500)` gets a generic
    plan that compares every row with every parameter (measured: 0.19 s per 500-key lookup at
    100k items), while `= ANY($1)` keeps the index and hashing.
    """
    if dialect == "postgresql":
        return column == any_(bindparam(None, values, type_=ARRAY(element)))
    return column.in_(values)


def _dense(ids: list[int]) -> bool:
    return ids[-1] - ids[0] < 2 * len(ids)


def id_chunks(ids: list[int]) -> Iterator[list[int]]:
    """Sorted ids, up to 5,000 at a time where they fill at least half of their range, else
    500 at a time (the most an `IN` is given)."""
    for start in range(0, len(ids), 5000):
        chunk = ids[start : start + 5000]
        if _dense(chunk):
            yield chunk
        else:
            yield from (chunk[i : i + 500] for i in range(0, len(chunk), 500))


def among_ids(column: ColumnElement[int], chunk: list[int], dialect: str) -> ColumnElement[bool]:
    """A chunk of `id_chunks` as a range when dense — the same rows as a list, without binding
    hundreds of parameters, but it may hold ids not asked for, which the caller must leave
    out — else as `one_of`."""
    if _dense(chunk):
        return column.between(chunk[0], chunk[-1])
    return one_of(column, chunk, dialect, Integer)


def dialect_insert(session: Session, table: Any) -> Any:
    """An INSERT of the session's dialect, which offers ON CONFLICT (SQLite and PostgreSQL)."""
    return (postgresql if session.get_bind().dialect.name == "postgresql" else sqlite).insert(table)


def reserve_ids(session: Session, table: Any, n: int) -> list[int]:
    """`n` ascending ids for rows the caller inserts later in this transaction, so rows that
    name each other (a copy and its story's first item) or are made one by one (the events a
    run opens) go in with one statement. PostgreSQL: from the table's sequence; SQLite: past the
    highest row and past what this transaction reserved before, which no other writer can take
    while the transaction (begun IMMEDIATE) lasts."""
    if n <= 0:
        return []
    if session.get_bind().dialect.name == "postgresql":
        ids = session.scalars(
            text(
                f"SELECT nextval(pg_get_serial_sequence('{table.name}', 'id'))"
                " FROM generate_series(1, :n)"
            ),
            {"n": n},
        )
        return sorted(int(i) for i in ids)
    top = session.scalar(select(func.max(table.c.id))) or 0
    held = session.info.get(RESERVED)
    if held is None or held[0] is not session.get_transaction():
        held = session.info[RESERVED] = (session.get_transaction(), {})
    top = max(top, held[1].get(table.name, 0))
    held[1][table.name] = top + n
    return list(range(top + 1, top + n + 1))

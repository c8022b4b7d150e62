"""Things compiled from the database (schemes, the taxonomy) kept per database and rebuilt only
when their version — a cheap query, e.g. (count, last change) — says they changed."""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable
from typing import Any, Generic, TypeVar

from sqlalchemy.orm import Session

T = TypeVar("T")


class Compiled(Generic[T]):
    def __init__(
        self, version: Callable[[Session], tuple[Any, ...]], build: Callable[[Session], T]
    ):
        self._version = version
        self._build = build
        self._cache: weakref.WeakKeyDictionary[Any, tuple[tuple[Any, ...], T]] = (
            weakref.WeakKeyDictionary()
        )
        self._lock = threading.Lock()

    def get(self, session: Session) -> T:
        version = self._version(session)
        engine = session.get_bind()
        with self._lock:
            cached = self._cache.get(engine)
            if cached is not None and cached[0] == version:
                return cached[1]
        built = self._build(session)
        with self._lock:
            self._cache[engine] = (version, built)
        return built

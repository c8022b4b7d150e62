"""The lock SQLite writers of one process wait on: in the order they came, and re-entrant."""

from __future__ import annotations

import threading
import time

from yuqing.store.db import FairLock


def _queued(lock: FairLock, n: int) -> None:
    deadline = time.monotonic() + 5
    while len(lock._waiting) < n:
        assert time.monotonic() < deadline, "the writer never queued"
        time.sleep(0.001)


def test_writers_take_the_lock_in_the_order_they_asked() -> None:
    lock = FairLock()
    order: list[str] = []

    def writer(name: str) -> None:
        with lock:
            order.append(name)

    threads = []
    with lock:
        for n, name in enumerate(["intake", "stage", "notifier"], start=1):
            threads.append(threading.Thread(target=writer, args=(name,)))
            threads[-1].start()
            _queued(lock, n)
        order.append("first")
    for t in threads:
        t.join(5)
    assert order == ["first", "intake", "stage", "notifier"]


def test_the_holder_cannot_lose_its_turn_to_a_thread_arriving_late() -> None:
    lock = FairLock()
    order: list[str] = []

    def waiter() -> None:
        with lock:
            order.append("waiter")

    lock.__enter__()
    t = threading.Thread(target=waiter)
    t.start()
    _queued(lock, 1)
    lock.__exit__()
    with lock:  # the releasing thread asks again at once: the waiter goes first
        order.append("again")
    t.join(5)
    assert order == ["waiter", "again"]


def test_a_thread_holding_the_lock_may_take_it_again() -> None:
    lock = FairLock()
    with lock, lock:
        pass
    with lock:  # and it is free afterwards
        pass
    assert lock._owner is None and not lock._waiting

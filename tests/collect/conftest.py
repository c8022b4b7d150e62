from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.collect.server import Site
from yuqing.collect.fetch import Fetcher, FetchPolicy, HostGate


@pytest.fixture
def site() -> Iterator[Site]:
    with Site() as s:
        yield s


@pytest.fixture
def fetcher() -> Iterator[Fetcher]:
    f = Fetcher(FetchPolicy(read_timeout=2, deadline=3, max_bytes=200_000), HostGate(min_delay=0.0))
    yield f
    f.close()

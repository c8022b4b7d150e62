import json
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import httpx

from bench.workers import PER_SOURCE, Feeds


def test_each_source_is_served_from_a_host_of_its_own() -> None:
    """The fetcher waits a second between two requests to one host: sources sharing a host
    would measure that wait, not the workers."""
    start = datetime(2020, 2, 1, tzinfo=UTC)
    posts = [(start + timedelta(minutes=i), f"帖子 {i}") for i in range(2 * PER_SOURCE + 7)]
    feeds = Feeds(posts)
    try:
        urls = [feeds.url(n) for n in range(len(feeds.pages))]
        assert len(urls) == 3
        assert len({urlsplit(u).hostname for u in urls}) == 3
        pages = [json.loads(httpx.get(u).content)["items"] for u in urls]
    finally:
        feeds.shutdown()
    assert [len(p) for p in pages] == [PER_SOURCE, PER_SOURCE, 7]
    assert pages[2][-1]["text"] == f"帖子 {2 * PER_SOURCE + 6}"

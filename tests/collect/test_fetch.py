import gzip

import pytest

from tests.collect.server import Reply, Site
from yuqing.collect.fetch import Fetcher, FetchError, FetchPolicy, HostGate
from yuqing.collect.netguard import Refused, check_url


def test_conditional_get_and_charset(site: Site, fetcher: Fetcher) -> None:
    def feed(handler):  # type: ignore[no-untyped-def]
        if handler.headers.get("If-None-Match") == '"v1"':
            return Reply(304)
        return Reply(
            200, "好".encode("gbk"), {"ETag": '"v1"', "Content-Type": "text/xml; charset=GBK"}
        )

    site.routes["/feed"] = feed
    first = fetcher.get(site.base + "/feed", allow_private=True)
    assert first.status == 200 and first.charset == "gbk" and first.headers["etag"] == '"v1"'
    again = fetcher.get(site.base + "/feed", allow_private=True, etag='"v1"')
    assert again.not_modified and again.body == b""


def test_redirects_followed_and_loops_caught(site: Site, fetcher: Fetcher) -> None:
    site.routes["/a"] = Reply(301, headers={"Location": "/b"})
    site.routes["/b"] = Reply(200, b"ok")
    site.routes["/loop1"] = Reply(302, headers={"Location": "/loop2"})
    site.routes["/loop2"] = Reply(302, headers={"Location": "/loop1"})
    assert fetcher.get(site.base + "/a", allow_private=True).body == b"ok"
    with pytest.raises(FetchError, match="redirect loop"):
        fetcher.get(site.base + "/loop1", allow_private=True)


def test_redirect_to_a_forbidden_address_is_refused(site: Site, fetcher: Fetcher) -> None:
    site.routes["/evil"] = Reply(302, headers={"Location": "http://169.254.169.254/latest/"})
    with pytest.raises(FetchError, match="metadata"):
        fetcher.get(site.base + "/evil", allow_private=True)


def test_errors_sizes_and_slowness_are_bounded(site: Site, fetcher: Fetcher) -> None:
    site.routes["/500"] = Reply(500, b"boom")
    site.routes["/huge"] = Reply(200, b"x" * 300_000)
    site.routes["/bomb"] = Reply(
        200, gzip.compress(b"\0" * 20_000_000), {"Content-Encoding": "gzip"}
    )
    site.routes["/slow"] = Reply(200, b"y" * 100, trickle=0.05)
    site.routes["/silent"] = Reply(200, b"z", hang=3)
    with pytest.raises(FetchError, match="HTTP 500"):
        fetcher.get(site.base + "/500", allow_private=True)
    with pytest.raises(FetchError, match="larger than"):
        fetcher.get(site.base + "/huge", allow_private=True)
    with pytest.raises(FetchError, match="larger than"):
        fetcher.get(site.base + "/bomb", allow_private=True)
    with pytest.raises(FetchError, match="longer than"):
        fetcher.get(site.base + "/slow", allow_private=True)
    with pytest.raises(FetchError, match="timed out"):
        fetcher.get(site.base + "/silent", allow_private=True)


def test_private_addresses_need_permission(site: Site, fetcher: Fetcher) -> None:
    site.routes["/x"] = Reply(200, b"ok")
    with pytest.raises(FetchError, match="private or loopback"):
        fetcher.get(site.base + "/x")


@pytest.mark.parametrize(
    ("url", "allow", "why"),
    [
        ("http://169.254.169.254/latest/meta-data", True, "metadata"),
        ("http://[fe80::1]/", True, "link-local"),
        ("http://100.100.100.200/", True, "metadata"),
        ("http://10.0.0.5/", False, "private"),
        ("http://0.0.0.0/", True, "not a unicast"),
        ("file:///etc/passwd", True, "only http and https"),
        ("http:///nohost", True, "no host"),
    ],
)
def test_netguard(url: str, allow: bool, why: str) -> None:
    with pytest.raises(Refused, match=why):
        check_url(url, allow)


def test_politeness_spaces_requests_to_one_host(site: Site) -> None:
    import time

    site.routes["/p"] = Reply(200, b"ok")
    f = Fetcher(FetchPolicy(), HostGate(min_delay=0.3))
    started = time.monotonic()
    for _ in range(3):
        f.get(site.base + "/p", allow_private=True)
    f.close()
    assert time.monotonic() - started >= 0.6

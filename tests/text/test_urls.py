import pytest

from yuqing.text.urls import BadURL, canonical_url


def test_canonical_url_drops_tracking_fragment_and_default_port() -> None:
    a = canonical_url("HTTPS://Weibo.COM:443/123/abc?utm_source=x&b=2&a=1&spm=9#top")
    b = canonical_url("https://weibo.com/123/abc?a=1&b=2")
    assert a == b == "https://weibo.com/123/abc?a=1&b=2"


def test_chinese_host_becomes_punycode_and_path_kept() -> None:
    assert canonical_url("http://例子.中国/新闻") == "http://xn--fsqu00a.xn--fiqs8s/新闻"


@pytest.mark.parametrize("bad", ["ftp://x.cn/a", "not a url", "http://", "http://x.cn:99999/"])
def test_bad_urls(bad: str) -> None:
    with pytest.raises(BadURL):
        canonical_url(bad)

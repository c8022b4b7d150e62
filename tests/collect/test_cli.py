"""`yuqing source …` and `yuqing collect --once` against a local feed."""

from __future__ import annotations

from tests.collect.server import Reply, Site
from tests.collect.test_connectors import RSS


def test_source_add_test_collect_and_list(run, site: Site) -> None:  # type: ignore[no-untyped-def]
    site.routes["/feed"] = Reply(200, RSS.format(enc="gbk").encode("gbk"))
    site.routes["/down"] = Reply(500, b"")
    run("init")
    code, out = run(
        "source",
        "add",
        "county",
        "--kind",
        "rss",
        "--url",
        site.base + "/feed",
        "--allow-private",
        "--media-tier",
        "local",
    )
    assert code == 0, out
    code, out = run(
        "source", "add", "down", "--kind", "rss", "--url", site.base + "/down", "--allow-private"
    )
    assert code == 0, out
    code, out = run("source", "add", "bad", "--kind", "rss")
    assert code == 1 and "feed url" in out
    code, out = run("source", "test", "county")
    assert code == 0 and "3 items found" in out
    code, out = run("collect", "--once", "--source", "county")
    assert code == 0 and "county: 3 found, 3 new" in out
    code, out = run("collect", "--once")
    assert code == 1 and "down: error: HTTP 500" in out and "county" not in out
    code, out = run("source", "list")
    assert "county" in out and "ok" in out and "failing" in out
    assert run("source", "disable", "down")[0] == 0
    assert "disabled" in run("source", "list")[1]

"""取证: a key item's page preserved — its HTML and a screenshot on disk, their SHA-256 in the
audit chain — and an address the collector may not reach refused with the reason."""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import select, update

from tests.collect.server import Reply, Site
from tests.conftest import add_user, login
from yuqing.audit.log import Actor, verify
from yuqing.audit.tables import AuditEntry
from yuqing.collect.evidence import chromium
from yuqing.collect.intake import Intake
from yuqing.collect.schema import ItemIn
from yuqing.collect.tables import Evidence, Source
from yuqing.store.db import Database

PAGE = (
    "<html><head><meta charset='utf-8'><title>通报</title></head>"
    "<body><h1>示范县教育局情况通报</h1></body></html>"
)


def _item(db: Database, url: str) -> int:
    intake = Intake(db, Actor.cli(), "local-site", "file", "t")
    result = intake.store([(1, ItemIn(id="e1", text="示范县教育局发布情况通报", url=url))])
    with db.write() as s:  # the admin allows this source to reach the loopback test server
        s.execute(update(Source).values(allow_private=True))
    return result.item_ids[0]


def test_an_item_page_is_preserved_with_its_hashes(
    client: TestClient, db: Database, site: Site, tmp_path: Path
) -> None:
    site.routes["/notice"] = Reply(200, PAGE.encode(), {"Content-Type": "text/html; charset=utf-8"})
    item_id = _item(db, f"{site.base}/notice")
    add_user(db, "mon", "monitor")
    csrf = login(client, "mon")
    page = client.post(
        f"/items/{item_id}/evidence", data={"csrf_token": csrf}, follow_redirects=True
    )
    assert page.status_code == 200 and "取证保全" in page.text
    with db.read() as s:
        [row] = s.execute(select(Evidence)).scalars().all()
        entry = s.execute(
            select(AuditEntry).where(AuditEntry.action == "item.evidence")
        ).scalar_one()
        assert verify(s).ok
    html = Path(row.html_path).read_bytes()
    assert html == PAGE.encode() and row.html_sha256 == hashlib.sha256(html).hexdigest()
    assert row.html_sha256 in entry.summary
    assert row.html_sha256 in page.text
    if chromium() is not None or os.environ.get("YUQING_REQUIRE_BROWSER"):
        png = Path(row.screenshot_path or "").read_bytes()
        assert (
            png.startswith(b"\x89PNG") and row.screenshot_sha256 == hashlib.sha256(png).hexdigest()
        )
        assert row.screenshot_sha256 in entry.summary
    download = client.get(f"/evidence/{row.id}/page.html")
    assert (
        download.content == html and download.headers["content-type"] == "application/octet-stream"
    )


def test_a_forbidden_address_is_refused(client: TestClient, db: Database) -> None:
    item_id = _item(db, "http://169.254.169.254/latest/meta-data")
    add_user(db, "mon", "monitor")
    csrf = login(client, "mon")
    page = client.post(
        f"/items/{item_id}/evidence", data={"csrf_token": csrf}, follow_redirects=True
    )
    assert re.search(r"取证失败：refused: .*metadata", page.text)
    with db.read() as s:
        assert s.execute(select(Evidence)).first() is None

"""取证: preserving a key item's page as it was online — the fetched HTML and a screenshot from
headless chromium — with both SHA-256 written into the audit chain, so that the organisation can
show later what was online when. The files live under <data dir>/evidence/N/; nothing is ever
deleted (retention keeps items that carry evidence).

The fetch goes through the collector's Fetcher (size and time limits, the address guard); the
screenshot is taken by chromium with every request checked by the same guard.
"""

from __future__ import annotations

import hashlib
import shutil
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from yuqing.audit.log import Actor, record
from yuqing.collect.fetch import Fetcher, FetchError
from yuqing.collect.netguard import Refused, check_url
from yuqing.collect.tables import Evidence, Item, Source


class EvidenceError(ValueError):
    pass


@dataclass(frozen=True)
class Capture:
    url: str
    final_url: str
    status: int
    html: bytes
    screenshot: bytes | None
    note: str


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def chromium() -> str | None:
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    return None


def screenshot(url: str, allow_private: bool, timeout_ms: int = 20_000) -> tuple[bytes | None, str]:
    """A full-page PNG, or None and why not."""
    path = chromium()
    if path is None:
        return None, "no screenshot: chromium is not installed (apt-get install chromium)"
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return None, "no screenshot: playwright is not installed"

    def guard(route):  # type: ignore[no-untyped-def]
        try:
            check_url(route.request.url, allow_private)
        except Refused:
            return route.abort()
        return route.continue_()

    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(
                executable_path=path, headless=True, args=["--no-sandbox", "--disable-gpu"]
            )
            try:
                page = browser.new_page(viewport={"width": 1280, "height": 900})
                page.route("**/*", guard)
                page.goto(url, timeout=timeout_ms, wait_until="load")
                return page.screenshot(full_page=True), ""
            finally:
                browser.close()
    except Exception as exc:  # the HTML is kept; the reason is recorded
        return None, f"no screenshot: {str(exc).splitlines()[0][:200]}"


def capture(url: str, allow_private: bool, fetcher: Fetcher | None = None) -> Capture:
    own = fetcher is None
    fetcher = fetcher or Fetcher()
    try:
        fetched = fetcher.get(url, allow_private=allow_private)
    except FetchError as exc:
        raise EvidenceError(f"取证失败：{exc}") from exc
    finally:
        if own:
            fetcher.close()
    shot, note = screenshot(fetched.url, allow_private)
    return Capture(url, fetched.url, fetched.status, fetched.body, shot, note)


def target(session: Session, item_id: int) -> tuple[str, bool]:
    """The item's address and whether its source may reach private addresses."""
    row = session.execute(
        select(Item.url, Source.allow_private)
        .join(Source, Source.id == Item.source_id)
        .where(Item.id == item_id)
    ).first()
    if row is None:
        raise EvidenceError(f"没有 {item_id} 号信息 / no item {item_id}")
    if not row.url:
        raise EvidenceError("这条信息没有网址，无法取证 / the item has no URL")
    return row.url, bool(row.allow_private)


def store(
    session: Session, item_id: int, got: Capture, folder: Path, actor: Actor, now: datetime
) -> Evidence:
    """Write the files and the row, and put both hashes in the audit chain."""
    row = Evidence(
        item_id=item_id,
        url=got.url,
        final_url=got.final_url,
        fetched_at=now,
        status=got.status,
        html_path="",
        html_sha256=sha256(got.html),
        note=got.note,
        taken_by=actor.name,
    )
    session.add(row)
    session.flush()
    where = folder / "evidence" / str(row.id)
    where.mkdir(parents=True, exist_ok=True)
    (where / "page.html").write_bytes(got.html)
    row.html_path = str(where / "page.html")
    if got.screenshot is not None:
        (where / "screenshot.png").write_bytes(got.screenshot)
        row.screenshot_path = str(where / "screenshot.png")
        row.screenshot_sha256 = sha256(got.screenshot)
    record(
        session,
        actor,
        "item.evidence",
        "item",
        item_id,
        summary=f"{got.final_url} html sha256={row.html_sha256}"
        + (f" png sha256={row.screenshot_sha256}" if row.screenshot_sha256 else f" ({got.note})"),
        after={
            "evidence": row.id,
            "html_sha256": row.html_sha256,
            "screenshot_sha256": row.screenshot_sha256,
            "fetched_at": now.isoformat(),
        },
    )
    return row


def of_item(session: Session, item_id: int) -> list[Evidence]:
    return list(
        session.execute(
            select(Evidence).where(Evidence.item_id == item_id).order_by(Evidence.id)
        ).scalars()
    )

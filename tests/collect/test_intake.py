import contextlib
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from yuqing.audit.log import Actor, verify
from yuqing.collect import prepared as prepared_module
from yuqing.collect.importer import import_bytes, import_file
from yuqing.collect.intake import Intake
from yuqing.collect.schema import ItemIn
from yuqing.collect.tables import Item, ItemMetric, Source
from yuqing.judge.apply import Judgement
from yuqing.judge.matcher import MatchInput
from yuqing.judge.tables import ItemSentiment, ItemTags
from yuqing.store.db import Database

CLI = Actor.cli()


def _jsonl(rows: list[dict]) -> bytes:
    return "\n".join(json.dumps(r, ensure_ascii=False) for r in rows).encode()


def _count(db: Database, model: type) -> int:
    with db.read() as s:
        return s.execute(select(func.count()).select_from(model)).scalar_one()


def test_import_stores_good_lines_reports_bad_and_is_idempotent(
    db: Database, tmp_path: Path
) -> None:
    rows = [
        {"id": "1", "source": "weibo", "text": "某县医院被曝乱收费", "metrics": {"reads": 10}},
        {"id": "2", "source": "weibo", "text": "县医院回应", "published_at": "2026-11-03 10:21"},
        {"id": "3"},
        {"id": "4", "source": "news", "title": "通报", "text": "", "url": "https://a.cn/x?utm_x=1"},
    ]
    path = tmp_path / "items.jsonl"
    path.write_bytes(_jsonl(rows) + b"\n{oops")
    report = import_file(db, path, CLI)
    assert (report.records, report.result.created) == (5, 3)
    assert [ref for ref, _ in report.errors] == [3, 5]
    assert report.lines()[0] == "items.jsonl: line 3: item has neither text nor title"

    again = import_file(db, path, CLI)
    assert (again.result.created, again.result.updated, again.result.unchanged) == (0, 0, 3)
    assert _count(db, Item) == 3 and _count(db, ItemMetric) == 1
    with db.read() as s:
        assert set(s.execute(select(Source.key)).scalars()) == {"weibo", "news"}
        item = s.execute(select(Item).where(Item.external_id == "2")).scalar_one()
        assert item.published_at == datetime(2026, 11, 3, 2, 21, tzinfo=UTC)
        assert item.sort_at == item.published_at
        news = s.execute(select(Item).where(Item.external_id == "4")).scalar_one()
        assert news.canonical_url == "https://a.cn/x"
        assert verify(s).ok


def test_newer_metrics_are_appended_and_stale_ones_ignored(db: Database) -> None:
    def push(metrics: dict, observed_at: str | None = None) -> None:
        row = {"id": "w1", "text": "热搜", "metrics": metrics}
        if observed_at:
            row["observed_at"] = observed_at
        import_bytes(db, _jsonl([row]), "x.jsonl", CLI, source="weibo")

    push({"reads": 100, "comments": 10})
    push({"reads": 100, "comments": 10})  # same again: nothing new
    push({"reads": 900, "comments": 120})  # grew
    push({"reads": 100, "comments": 10})  # an old copy re-imported: stale
    push({"reads": 50}, "2020-01-01 00:00")  # dated in the past: kept in the series only
    push({"reads": 50}, "2020-01-01 00:00")  # same observation twice: once
    with db.read() as s:
        item = s.execute(select(Item)).scalar_one()
        series = list(
            s.execute(select(ItemMetric.reads).order_by(ItemMetric.observed_at)).scalars()
        )
    assert series == [50, 100, 900]
    assert (item.reads, item.comments) == (900, 120)


def test_same_item_twice_in_one_batch_keeps_the_later_metrics(db: Database) -> None:
    rows = [
        {"id": "1", "text": "a", "metrics": {"reads": 1}},
        {"id": "1", "text": "a", "metrics": {"reads": 5}},
    ]
    report = import_bytes(db, _jsonl(rows), "x.jsonl", CLI)
    assert (report.result.created, report.result.unchanged) == (1, 1)
    with db.read() as s:
        assert s.execute(select(Item.reads)).scalar_one() == 5


def test_new_items_are_stored_with_their_latest_engagement(db: Database) -> None:
    """A new item's engagement is the latest observation of its batch, whatever the order of the
    lines, and every observation joins its series; an item without any keeps zeros and no time."""
    rows = [
        {"id": "a", "text": "甲", "metrics": {"reads": 9}, "observed_at": "2020-01-02 00:00"},
        {"id": "a", "text": "甲", "metrics": {"reads": 3}, "observed_at": "2020-01-01 00:00"},
        {"id": "b", "text": "乙"},
        {"id": "c", "text": "丙", "metrics": {"likes": 4}},
    ]
    report = import_bytes(db, _jsonl(rows), "x.jsonl", CLI)
    assert report.result.created == 3
    with db.read() as s:
        items = {i.external_id: i for i in s.execute(select(Item)).scalars()}
        series = list(
            s.execute(
                select(Item.external_id, ItemMetric.reads, ItemMetric.observed_at)
                .join(Item, Item.id == ItemMetric.item_id)
                .order_by(Item.external_id, ItemMetric.observed_at)
            )
        )
    assert [(e, r) for e, r, _ in series] == [("a", 3), ("a", 9), ("c", 0)]
    assert (items["a"].reads, items["a"].metrics_at) == (9, series[1][2])
    assert (items["b"].reads, items["b"].likes, items["b"].metrics_at) == (0, 0, None)
    assert (items["c"].likes, items["c"].metrics_at) == (4, series[2][2])


def test_items_without_id_are_identified_by_url_or_content(db: Database) -> None:
    rows = [
        {"url": "https://x.cn/a#c", "text": "一"},
        {"url": "https://X.cn/a", "text": "一"},
        {"text": "无链接", "author": {"name": "甲"}},
        {"text": "无链接", "author": {"name": "甲"}},
    ]
    report = import_bytes(db, _jsonl(rows), "x.jsonl", CLI)
    assert report.result.created == 2


def test_bad_source_key_is_reported_per_line(db: Database) -> None:
    rows = [{"text": "a", "source": "bad key!"}, {"text": "b"}]
    report = import_bytes(db, _jsonl(rows), "x.jsonl", CLI)
    assert report.result.created == 1
    assert report.errors[0][0] == 1 and "bad source key" in report.errors[0][1]


def test_store_reports_item_ids_in_order(db: Database) -> None:
    intake = Intake(db, CLI, "push", "push", "test")
    res = intake.store([(0, ItemIn(id="b", text="b")), (1, ItemIn(id="a", text="a"))])
    with db.read() as s:
        ids = dict(s.execute(select(Item.external_id, Item.id)).all())
    assert res.item_ids == [ids["b"], ids["a"]]


def test_nul_characters_and_null_followers_are_stored(db: Database) -> None:
    """PostgreSQL cannot store NUL in text; a crawler's stray NUL must not lose the batch."""
    intake = Intake(db, Actor.cli(), "weibo", "file", "test")
    item = ItemIn.model_validate(
        {
            "id": "n1",
            "text": "医院\x00收费",
            "title": "标\x00题",
            "author": {"name": "网\x00友", "followers": None},
        }
    )
    result = intake.store([(1, item), (2, ItemIn(id="n2", text="正常"))])
    assert result.created == 2 and not result.errors
    with db.read() as s:
        row = s.execute(select(Item).where(Item.external_id == "n1")).scalar_one()
    assert row.text == "医院收费" and row.title == "标题" and row.norm_text == "医院收费"
    assert row.author_name == "网友"


def _judged(db: Database) -> dict[str, tuple[str, str]]:
    with db.read() as s:
        rows = s.execute(
            select(Item.external_id, ItemSentiment.label, ItemTags.category)
            .join(ItemSentiment, ItemSentiment.item_id == Item.id)
            .join(ItemTags, ItemTags.item_id == Item.id)
        ).all()
    return {r[0]: (r[1], r[2]) for r in rows}


BATCH = [
    (0, ItemIn(id="j1", text="学校食堂饭菜发霉，多名学生腹泻送医")),
    (1, ItemIn(id="j2", text="今天天气真好，出去走走")),
]


def test_items_are_judged_before_the_write_transaction(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Judging is most of intake's work: inside the write transaction it held SQLite's one
    write lock, which the events stage in another process waits for."""
    writing: list[bool] = []
    judged: list[tuple[int, bool]] = []  # (items, while writing)
    original_write, original_judge = db.write, prepared_module.judge

    @contextlib.contextmanager
    def write() -> Iterator[Session]:
        writing.append(True)
        try:
            with original_write() as session:
                yield session
        finally:
            writing.pop()

    def judge(session: Session, items: list[MatchInput]) -> list[Judgement]:
        judged.append((len(items), bool(writing)))
        return original_judge(session, items)

    monkeypatch.setattr(db, "write", write)
    monkeypatch.setattr(prepared_module, "judge", judge)
    intake = Intake(db, CLI, "push", "push", "test")
    assert intake.store(BATCH).created == 2
    assert judged == [(2, False)]
    assert intake.store(BATCH).unchanged == 2
    assert sum(n for n, _ in judged) == 2  # stored already: judged no more
    assert Intake(db, CLI, "push", "push", "test").store(BATCH).unchanged == 2  # as the API does
    assert sum(n for n, _ in judged) == 2
    assert set(_judged(db)) == {"j1", "j2"}


def test_an_item_not_judged_beforehand_is_judged_in_the_transaction(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    Intake(db, CLI, "push", "push", "test").store(BATCH)
    expected = _judged(db)
    with db.write() as s:
        s.execute(delete(ItemSentiment))
        s.execute(delete(ItemTags))
        s.execute(delete(Item))
    monkeypatch.setattr(Intake, "_judge_new", lambda self, prepared: {})
    assert Intake(db, CLI, "push", "push", "test").store(BATCH).created == 2
    assert _judged(db) == expected and len(expected) == 2

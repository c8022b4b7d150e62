import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, text

from yuqing.audit.log import Actor
from yuqing.collect import importer, queries
from yuqing.collect.importer import import_bytes
from yuqing.collect.queries import BadCursor, ItemFilter, find_items
from yuqing.collect.tables import Item
from yuqing.store import search
from yuqing.store.db import Database

TEXTS = [
    "某县人民医院被曝乱收费，网友质疑",  # 0
    "縣醫院回應：已成立調查組",  # 1 traditional
    "今天天气很好",  # 2
    "COVID-19 疫情通报：新增病例",  # 3
    "医疗纠纷引发关注",  # 4
    "院长表示将严肃处理",  # 5
]


@pytest.fixture
def loaded(db: Database) -> Database:
    base = datetime(2026, 11, 3, tzinfo=UTC)
    rows = [
        {
            "id": str(i),
            "source": "weibo" if i % 2 else "news",
            "text": t,
            "published_at": (base + timedelta(hours=i)).isoformat(),
        }
        for i, t in enumerate(TEXTS)
    ]
    data = "\n".join(json.dumps(r, ensure_ascii=False) for r in rows).encode()
    import_bytes(db, data, "x.jsonl", Actor.cli())
    return db


def _ids(db: Database, **kw: object) -> list[str]:
    with db.read() as s:
        items, _ = find_items(s, ItemFilter(**kw), 50)  # type: ignore[arg-type]
        return [i.external_id for i in items]


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("医院", ["1", "0"]),  # 2 characters, across scripts, newest first
        ("醫院", ["1", "0"]),  # traditional query finds simplified text
        ("医", ["4", "1", "0"]),  # a single character
        ("院", ["5", "1", "0"]),
        ("好", ["2"]),  # a text's last character
        ("天", ["2"]),  # only ever at the start of bigrams: found through them
        ("院长", ["5"]),
        ("医疗 关注", ["4"]),  # every word required
        ("covid", ["3"]),
        ("COVID-19", ["3"]),
        ("县医院", ["1"]),  # exact: 某县人民医院 does not contain 县医院
        ("天天", ["2"]),
        ("不存在", []),
    ],
)
@pytest.mark.parametrize("tiny", [False, True], ids=["windows", "tiny-windows"])
def test_search_finds_short_chinese_words_exactly(
    loaded: Database, q: str, expected: list, tiny: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Read newest-first through windows of the index (tiny ones: one hit each), and asked row
    by row (within one event, or a very common word on PostgreSQL), the same page."""
    if tiny:
        monkeypatch.setattr(search, "WINDOW", 1)
        monkeypatch.setattr(search, "MANY", 1)  # PostgreSQL asks row by row past one hit
    assert _ids(loaded, q=q) == expected
    with loaded.read() as s:
        statement = queries._statement(ItemFilter(q=q), loaded.dialect)
        assert [i.external_id for i in s.execute(statement).scalars()] == expected


def test_filters_and_keyset_pagination(loaded: Database) -> None:
    base = datetime(2026, 11, 3, tzinfo=UTC)
    assert _ids(loaded, since=base + timedelta(hours=2), until=base + timedelta(hours=4)) == [
        "3",
        "2",
    ]
    with loaded.read() as s:
        page1, cursor = find_items(s, ItemFilter(), 4)
        page2, end = find_items(s, ItemFilter(cursor=cursor), 4)
    assert [i.external_id for i in page1] == ["5", "4", "3", "2"]
    assert [i.external_id for i in page2] == ["1", "0"] and end is None
    with pytest.raises(BadCursor), loaded.read() as s:
        find_items(s, ItemFilter(cursor="garbage"), 4)


def test_newest_first_windows_give_the_exact_order(db: Database, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Items collected out of time order (backfills, a claimed future time), read through windows
    of three index hits: every page equals the full sort by time, and paging reaches them all."""
    import random

    monkeypatch.setattr(search, "WINDOW", 3)
    rng = random.Random(5)
    base = datetime(2026, 11, 3, tzinfo=UTC)
    for batch in range(6):
        rows = [
            {
                "id": f"{batch}-{i}",
                "text": f"医院通报第{batch}批第{i}条" if rng.random() < 0.7 else "天气晴",
                "published_at": (base + timedelta(hours=rng.randint(-500, 500))).isoformat(),
            }
            for i in range(12)
        ]
        data = "\n".join(json.dumps(r, ensure_ascii=False) for r in rows).encode()
        import_bytes(db, data, "x.jsonl", Actor.cli())
    with db.read() as s:
        everything = [i for i in s.execute(select(Item)).scalars() if "医院" in i.text]
    expected = [i.id for i in sorted(everything, key=lambda i: (i.sort_at, i.id), reverse=True)]
    seen: list[int] = []
    cursor = None
    with db.read() as s:
        while True:
            page, cursor = find_items(s, ItemFilter(q="医院", cursor=cursor), 5)
            seen.extend(i.id for i in page)
            if cursor is None:
                break
    assert seen == expected and len(expected) > 20


def test_imported_history_is_read_only_as_far_as_the_page(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Posts imported long after they were written (all collected now, sorted by their own
    times): the newest page comes from the first windows, not from reading every hit."""
    monkeypatch.setattr(search, "WINDOW", 5)
    base = datetime(2020, 1, 1, tzinfo=UTC)
    rows = [
        {
            "id": str(n),
            "text": f"医院通报第{n}条",
            "published_at": (base + timedelta(hours=n)).isoformat(),
        }
        for n in range(200)
    ]
    data = "\n".join(json.dumps(r, ensure_ascii=False) for r in rows).encode()
    import_bytes(db, data, "history.jsonl", Actor.cli())
    read: list[int] = []
    windows = search.windows

    def counted(session, query):  # type: ignore[no-untyped-def]
        found = windows(session, query)
        if found is None:
            return None
        return (read.append(len(ids)) or (ids, low) for ids, low in found)

    monkeypatch.setattr(search, "windows", counted)
    with db.read() as s:
        page, cursor = find_items(s, ItemFilter(q="医院"), 10)
    assert [i.external_id for i in page] == [str(n) for n in range(199, 189, -1)]
    assert cursor is not None and 0 < len(read) <= 4


def test_a_large_import_leaves_postgresql_knowing_its_terms(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Search chooses how to read the index from the planner's statistics; right after a big
    import, before autovacuum, there are none unless the import gathers them."""
    if db.dialect != "postgresql":
        pytest.skip("statistics of the search index are PostgreSQL's")
    stats = text("SELECT count(*) FROM pg_stats WHERE tablename = 'item_search'")
    monkeypatch.setattr(importer, "ANALYZE_AFTER", 3)
    import_bytes(db, _jsonl(["医院通报"]), "small.jsonl", Actor.cli())
    with db.read() as s:
        assert s.execute(stats).scalar() == 0
    import_bytes(db, _jsonl(["县医院回应", "网友质疑", "调查组成立"]), "big.jsonl", Actor.cli())
    with db.read() as s:
        assert s.execute(stats).scalar() > 0


def _jsonl(texts: list[str]) -> bytes:
    rows = [{"id": t, "text": t} for t in texts]
    return "\n".join(json.dumps(r, ensure_ascii=False) for r in rows).encode()

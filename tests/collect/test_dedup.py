import json
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from yuqing.audit.log import Actor
from yuqing.collect.dedup import NearDupIndex, index_for, jaccard, prepare
from yuqing.collect.importer import import_bytes
from yuqing.collect.tables import Item
from yuqing.store.db import Database

ORIGINAL = "某县人民医院被曝违规收费，患者家属称一次检查多收了八百元，医院回应正在核查"
NOW = datetime(2026, 11, 3, tzinfo=UTC)


def test_shingles_ignore_decoration_and_short_texts_are_not_judged() -> None:
    prep = prepare("//@某网友: #热点# 网络舆情 应急[怒]处置预案，http://t.cn/x 请转发")
    plain = prepare("网络舆情应急处置预案请转发")
    assert prep is not None and plain is not None and prep.grams == plain.grams
    assert "网络舆" in prep.grams and len(prep.grams) == len("网络舆情应急处置预案请转发") - 2
    assert prepare("转发微博") is None
    assert jaccard({"a", "b"}, {"b", "c"}) == 1 / 3
    assert jaccard(set(), {"a"}) == 0.0


def test_index_finds_near_copies_and_forgets_old_ones() -> None:
    index = NearDupIndex(window=timedelta(days=1))
    index.add(1, ORIGINAL, 1, NOW)
    copy = "转发：" + ORIGINAL.replace("，", " ") + " #关注#"
    match = index.match(copy)
    assert match is not None and match[0] == 1 and match[1] >= 0.6
    assert index.match("今天天气很好，适合出门散步，公园里人很多") is None
    assert index.match("转发微博") is None  # too short to judge by similarity
    index.evict(NOW + timedelta(days=2))
    assert index.match(copy) is None and not index.entries


def _import(db: Database, rows: list[dict]) -> None:
    data = "\n".join(json.dumps(r, ensure_ascii=False) for r in rows).encode()
    import_bytes(db, data, "x.jsonl", Actor.cli())


def _stories(db: Database) -> dict[str, int | None]:
    with db.read() as s:
        ids = dict(s.execute(select(Item.id, Item.external_id)).all())
        return {
            ext: ids.get(story) if story else None
            for ext, story in s.execute(select(Item.external_id, Item.story_id)).all()
        }


def test_copies_join_the_first_items_story(db: Database) -> None:
    index_for(db).reset()
    _import(
        db,
        [
            {"id": "orig", "source": "weibo", "text": ORIGINAL, "url": "https://weibo.example/1"},
            {
                "id": "same-url",
                "source": "news",
                "text": "另一段文字",
                "url": "https://WEIBO.example/1#c",
            },
            {"id": "near", "source": "weibo", "text": "//@某网友: " + ORIGINAL + "[怒]"},
            {
                "id": "other",
                "source": "weibo",
                "text": "县教育局发布秋季学期开学安排通知，请家长留意",
            },
        ],
    )
    # a later batch (another run, another process) still finds them
    _import(
        db,
        [
            {"id": "exact", "source": "tieba", "text": ORIGINAL},
            {
                "id": "trad",
                "source": "tieba",
                "text": "某縣人民醫院被曝違規收費，患者家屬稱一次檢查多收了八百元，"
                "醫院回應正在核查",
            },
        ],
    )
    stories = _stories(db)
    assert stories == {
        "orig": None,
        "same-url": "orig",
        "near": "orig",
        "other": None,
        "exact": "orig",
        "trad": "orig",
    }


def test_a_fresh_process_warms_its_index_from_the_database(db: Database) -> None:
    _import(db, [{"id": "orig", "text": ORIGINAL}])
    index_for(db).reset()  # as if the process restarted
    _import(db, [{"id": "near", "text": ORIGINAL + "。转发扩散"}])
    assert _stories(db)["near"] == "orig"

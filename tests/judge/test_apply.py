import json

import pytest
from sqlalchemy import select

from yuqing.audit.log import Actor
from yuqing.collect.importer import import_bytes
from yuqing.collect.tables import Item
from yuqing.judge import admin
from yuqing.judge.relevance import mark, suggest_excludes
from yuqing.judge.rematch import rematch
from yuqing.judge.tables import ItemMatch
from yuqing.store.db import Database

ADMIN = Actor("admin")
POSTS = [
    {"id": "1", "text": "某县人民医院被曝乱收费，网友质疑"},
    {"id": "2", "text": "某县人民医院招聘护士若干名，待遇从优"},
    {"id": "3", "text": "某县人民医院招聘医生，报名截止本周五"},
    {"id": "4", "text": "邻县医院收费问题"},
    {"id": "5", "text": "某县人民医院回应收费问题，已成立调查组"},
]


def _import(db: Database, rows: list[dict]) -> None:
    data = "\n".join(json.dumps(r, ensure_ascii=False) for r in rows).encode()
    import_bytes(db, data, "x.jsonl", Actor.cli())


def _matched(db: Database, scheme_id: int) -> list[str]:
    with db.read() as s:
        return sorted(
            s.execute(
                select(Item.external_id)
                .join(ItemMatch, ItemMatch.item_id == Item.id)
                .where(ItemMatch.scheme_id == scheme_id)
            ).scalars()
        )


def test_new_items_are_matched_as_they_arrive(db: Database) -> None:
    with db.write() as s:
        sid = admin.create_scheme(
            s,
            admin.SchemeForm(name="县医院", subject_terms=["某县人民医院"], event_terms=["收费"]),
            ADMIN,
        ).id
    _import(db, POSTS)
    assert _matched(db, sid) == ["1", "5"]
    with db.read() as s:
        m = s.execute(select(ItemMatch).join(Item).where(Item.external_id == "1")).scalar_one()
    assert m.terms == ["收费", "某县人民医院"]


def test_a_new_scheme_is_matched_against_stored_items_and_updates_follow(db: Database) -> None:
    _import(db, POSTS)
    with db.write() as s:
        sid = admin.create_scheme(
            s, admin.SchemeForm(name="adv", mode="advanced", expression="医院 NEAR/3 收费"), ADMIN
        ).id
    assert rematch(db, sid) == 3
    assert _matched(db, sid) == ["1", "4", "5"]  # 医院回应收费: two characters apart
    with db.write() as s:
        admin.update_scheme(
            s, sid, admin.SchemeForm(name="adv", mode="advanced", expression="医院 + 招聘"), ADMIN
        )
    rematch(db, sid)
    assert _matched(db, sid) == ["2", "3"]


def test_invalid_schemes_are_refused_with_the_column(db: Database) -> None:
    with pytest.raises(admin.SchemeInvalid, match="column 6") as exc, db.write() as s:
        admin.create_scheme(
            s, admin.SchemeForm(name="x", mode="advanced", expression="医院 + (收费"), ADMIN
        )
    assert exc.value.column == 6
    with pytest.raises(admin.SchemeInvalid, match="subject"), db.write() as s:
        admin.create_scheme(s, admin.SchemeForm(name="y", event_terms=["收费"]), ADMIN)


def test_irrelevant_marks_suggest_exclude_terms(db: Database) -> None:
    _import(db, POSTS)
    with db.write() as s:
        sid = admin.create_scheme(
            s, admin.SchemeForm(name="hosp", subject_terms=["某县人民医院"]), ADMIN
        ).id
    rematch(db, sid)
    with db.read() as s:
        ids = dict(s.execute(select(Item.external_id, Item.id)).all())
    with db.write() as s:
        assert mark(s, ids["2"], sid, False, ADMIN)
        assert mark(s, ids["3"], sid, False, ADMIN)
        assert mark(s, ids["1"], sid, True, ADMIN)
        assert not mark(s, ids["4"], sid, True, ADMIN)  # 4 does not match this scheme
    with db.read() as s:
        suggestions = suggest_excludes(s, sid)
    assert suggestions[0] == ("招聘", 2)
    assert "收费" not in dict(suggestions)


def test_items_are_stored_even_without_a_sentiment_model(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    from yuqing.judge import apply, sentiment

    def missing() -> None:
        raise FileNotFoundError("no model")

    monkeypatch.setattr(apply, "default_model", missing)
    _import(db, POSTS[:2])
    with db.read() as s:
        assert len(s.execute(select(Item)).all()) == 2
    assert sentiment.MODEL.exists()  # the shipped one is untouched

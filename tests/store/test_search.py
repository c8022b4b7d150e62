import json
import random

import pytest
from sqlalchemy import text

from yuqing.audit.log import Actor
from yuqing.collect.importer import import_bytes
from yuqing.collect.queries import ItemFilter, find_items
from yuqing.store import search
from yuqing.store.db import Database
from yuqing.store.search import Query, _lexemes, tokens


def test_tokens_split_cjk_characters_and_keep_latin_words() -> None:
    assert tokens("covid-19 疫情通报2026") == ["covid", "19", "疫", "情", "通", "报", "2026"]


def test_lexemes_are_cjk_bigrams_and_the_characters_that_begin_none() -> None:
    assert _lexemes(tokens("舆情ab")) == "情 ab 舆情"
    assert _lexemes(tokens("舆情，舆论 x 情")) == "论 x 舆情 情舆 舆论"
    assert _lexemes(tokens("情 ab")) == "情 ab"
    assert _lexemes(tokens("ab")) == "ab" and _lexemes([]) == ""


def test_query_is_normalised_and_quoted() -> None:
    q = Query.parse("  輿情  COVID ")
    assert q.words == ("舆情", "covid")
    assert q.fts5() == '"舆 情" AND "covid"'
    assert q.tsquery() == "'舆情' & 'covid'"


def test_single_character_and_long_words() -> None:
    assert Query.parse("医").tsquery() == "'医':*"
    assert Query.parse("医 a").tsquery() == "'医':* & 'a'"
    assert Query.parse("县医院").tsquery() == "'县医' & '医院'"


def test_punctuation_only_query_is_empty() -> None:
    assert not Query.parse(" ，。!? ")
    assert not Query.parse('"')


def test_postgresql_tells_a_rare_word_from_a_common_one(db: Database) -> None:
    """Among thousands of frequent terms, a word in 2 % of the rows must be known as common (it
    is asked row by row) and one found twice must not (its hits are collected): migration 0013
    keeps statistics of enough terms, and the planner's guess for the others is below COMMON."""
    if db.dialect != "postgresql":
        pytest.skip("the planner's estimate is PostgreSQL's")
    rng = random.Random(7)
    pool = [chr(0x4E00 + i) for i in range(1500)]
    rows = []
    for n in range(3000):
        words = "常见" + ("中等" if n % 50 == 0 else "") + ("稀有" if n < 2 else "")
        rows.append({"id": str(n), "text": words + "".join(rng.choices(pool, k=60))})
    data = "\n".join(json.dumps(r, ensure_ascii=False) for r in rows).encode()
    assert import_bytes(db, data, "x.jsonl", Actor.cli()).result.created == 3000
    with db.write() as s:
        search.refresh_statistics(s)
    with db.read() as s:
        assert search._common(s, Query.parse("常见"))
        assert search._common(s, Query.parse("中等"))
        assert not search._common(s, Query.parse("稀有"))


def test_postgresql_search_index_merges_its_pending_list_after_an_import(db: Database) -> None:
    """Migration 0014 keeps the pending list at 4 MiB, and refresh_statistics merges it, so
    searches after an import do not wait for autovacuum's merge."""
    if db.dialect != "postgresql":
        pytest.skip("the GIN pending list is PostgreSQL's")
    rows = [{"id": str(n), "text": f"第{n}条 县医院门诊通报"} for n in range(200)]
    data = "\n".join(json.dumps(r, ensure_ascii=False) for r in rows).encode()
    assert import_bytes(db, data, "x.jsonl", Actor.cli()).result.created == 200
    merge = text("SELECT gin_clean_pending_list('ix_item_search_terms')")
    with db.read() as s:
        options = s.execute(
            text("SELECT reloptions FROM pg_class WHERE relname = 'ix_item_search_terms'")
        ).scalar_one()
        assert "gin_pending_list_limit=4096" in options
    with db.write() as s:
        search.refresh_statistics(s)
        assert s.execute(merge).scalar_one() == 0
    with db.read() as s:
        assert [i.external_id for i in find_items(s, ItemFilter(q="医院"), 500)[0]][-1] == "0"

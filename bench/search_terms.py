"""PostgreSQL's search terms as shipped against those before migration 0015, on the real posts.

Before migration 0015 the GIN index held each post's CJK characters, its Latin words and its CJK
bigrams. Now it leaves out every character that begins one of the post's bigrams
(`store.search._lexemes`), and a one-character query is a prefix query (`字:*`), which finds the
same posts through the bigrams. This measures both in bare tables on one throwaway cluster: terms
a post, the server's time to index the posts in batches of 1,000 (as intake writes them), the
index's size (after the load, and rebuilt), and for single characters the planner's estimate
(which decides how store.search reads the index), the true count and the time to collect the
hits. Not part of `make bench`; docs/performance.md has its figures.

    python -m bench.search_terms [--posts 300000] [--rounds 2]
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable, Sequence
from operator import add
from typing import Any

from sqlalchemy import Engine, create_engine, text

from bench.search_scale import posts
from tests import pg
from yuqing.store import search
from yuqing.text.normalise import normalise

CHARACTERS = "的疫武药猫雪桥税鹅坝琴矿黔丐"
BATCH = 1_000


def every_character(toks: Sequence[str]) -> str:
    """The terms before migration 0015: every token, and the bigrams."""
    joined = " ".join(toks)
    bigrams: list[str] = []
    for run in search._CJK_RUN.findall(joined):
        chars = run[::2]
        bigrams.extend(map(add, chars, chars[1:]))
    return " ".join([joined, *bigrams])


VARIANTS: dict[str, tuple[Callable[[Sequence[str]], str], Callable[[str], str]]] = {
    "before_0015": (every_character, lambda ch: f"'{ch}'"),
    "shipped": (search._lexemes, lambda ch: search.Query.parse(ch).tsquery()),
}


def load(engine: Engine, name: str, terms: list[str]) -> dict[str, Any]:
    table = f"terms_{name}"
    with engine.begin() as cx:
        cx.execute(text(f"DROP TABLE IF EXISTS {table}"))
        cx.execute(text(f"CREATE TABLE {table}(id bigint PRIMARY KEY, terms tsvector NOT NULL)"))
        cx.execute(
            text(
                f"CREATE INDEX ix_{table} ON {table} USING gin(terms) "
                "WITH (gin_pending_list_limit = 4096)"  # as migration 0014
            )
        )
        cx.execute(text(f"ALTER TABLE {table} ALTER COLUMN terms SET STATISTICS 1000"))
    started = time.perf_counter()
    for i in range(0, len(terms), BATCH):
        chunk = terms[i : i + BATCH]
        with engine.begin() as cx:
            cx.execute(
                text(
                    f"INSERT INTO {table}(id, terms) "
                    "SELECT id, array_to_tsvector(string_to_array(t, ' ')) "
                    "FROM unnest(CAST(:ids AS bigint[]), CAST(:terms AS text[])) AS u(id, t)"
                ),
                {"ids": list(range(i, i + len(chunk))), "terms": chunk},
            )
    with engine.begin() as cx:
        cx.execute(text(f"SELECT gin_clean_pending_list('ix_{table}')"))
    seconds = time.perf_counter() - started
    with engine.begin() as cx:
        cx.execute(text(f"ANALYZE {table}"))
        size = f"SELECT pg_relation_size('ix_{table}') / 1048576.0"
        loaded = float(cx.execute(text(size)).scalar_one())
        cx.execute(text(f"REINDEX INDEX ix_{table}"))
        rebuilt = float(cx.execute(text(size)).scalar_one())
    return {
        "load_seconds": round(seconds, 1),
        "index_mib": round(loaded),
        "rebuilt_mib": round(rebuilt),
    }


def characters(
    engine: Engine, name: str, query: Callable[[str], str], total: int
) -> dict[str, Any]:
    table = f"terms_{name}"
    where = f"FROM {table} WHERE terms @@ CAST(:q AS tsquery)"
    found: dict[str, Any] = {}
    with engine.connect() as cx:
        for ch in CHARACTERS:
            q = {"q": query(ch)}
            plan = cx.execute(text(f"EXPLAIN (FORMAT JSON) SELECT 1 {where}"), q).scalar_one()
            estimate = plan[0]["Plan"]["Plan Rows"]
            count = cx.execute(text(f"SELECT count(*) {where}"), q).scalar_one()
            started = time.perf_counter()
            cx.execute(text(f"SELECT id {where} LIMIT :n"), q | {"n": search.MANY + 1}).all()
            found[ch] = {
                "estimate": estimate,
                "count": count,
                "collect_ms": round((time.perf_counter() - started) * 1000, 1),
                "asked_row_by_row": estimate * search.COMMON > total,
            }
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--posts", type=int, default=300_000)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args(argv)
    bindir = pg.find_bin()
    if bindir is None:
        print("bench: PostgreSQL is not installed", file=sys.stderr)
        return 1
    toks = [search.tokens(normalise(t)) for t in posts()[: args.posts]]
    cluster = pg.Cluster(bindir)
    cluster.start()
    try:
        engine = create_engine(cluster.create_database("terms"))
        for r in range(args.rounds):
            names = list(VARIANTS) if r % 2 == 0 else list(reversed(VARIANTS))
            for name in names:
                lexemes, query = VARIANTS[name]
                terms = [lexemes(t) for t in toks]
                per_post = sum(len(set(t.split(" "))) for t in terms) / len(terms)
                print(
                    name,
                    f"round {r + 1}",
                    f"{per_post:.1f} terms a post",
                    load(engine, name, terms),
                )
                if r == args.rounds - 1:
                    for ch, figures in characters(engine, name, query, len(terms)).items():
                        print(f"  {ch} {figures}")
        engine.dispose()
    finally:
        cluster.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())

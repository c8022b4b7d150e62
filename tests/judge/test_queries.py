import json

from sqlalchemy import select

from yuqing.audit.log import Actor
from yuqing.collect.importer import import_bytes
from yuqing.collect.tables import Item
from yuqing.judge import admin
from yuqing.judge.queries import Verdict, verdicts
from yuqing.judge.relevance import mark
from yuqing.store.db import Database

ADMIN = Actor("admin")


def _stored(db: Database) -> tuple[int, dict[str, int]]:
    """Twelve posts, every third about the hospital's fees and negative; the scheme's id and
    the items' ids by external id."""
    with db.write() as s:
        sid = admin.create_scheme(
            s,
            admin.SchemeForm(name="县医院", subject_terms=["某县人民医院"], event_terms=["收费"]),
            ADMIN,
        ).id
    rows = [
        {"id": str(n), "text": "某县人民医院乱收费，太气人了！" if n % 3 == 0 else f"天气晴 {n}"}
        for n in range(12)
    ]
    data = "\n".join(json.dumps(r, ensure_ascii=False) for r in rows).encode()
    import_bytes(db, data, "x.jsonl", Actor.cli())
    with db.read() as s:
        ids = {e: i for e, i in s.execute(select(Item.external_id, Item.id))}
    return sid, ids


def test_verdicts_are_the_same_read_by_range_or_by_list_and_only_for_the_ids_asked(
    db: Database,
) -> None:
    sid, ids = _stored(db)
    with db.write() as s:
        mark(s, ids["6"], sid, False, ADMIN)
    matched = Verdict(True, frozenset(), frozenset({sid}))
    with db.read() as s:
        dense = verdicts(s, [ids[str(n)] for n in range(2, 10)])  # a run's ids, in a row
        sparse = verdicts(s, [ids["0"], ids["11"]])  # 2 of 12: read as a list
        gappy = verdicts(s, [ids["3"], ids["6"], ids["8"]])  # 3 of 6: a range with others in it
    assert set(dense) == {ids[str(n)] for n in range(2, 10)}
    assert dense[ids["3"]] == dense[ids["9"]] == matched
    assert dense[ids["6"]] == Verdict(True, frozenset(), frozenset())  # marked irrelevant
    assert not dense[ids["4"]].negative and not dense[ids["4"]].schemes
    assert sparse == {ids["0"]: matched, ids["11"]: dense[ids["4"]]}
    assert gappy == {i: dense[i] for i in (ids["3"], ids["6"], ids["8"])}

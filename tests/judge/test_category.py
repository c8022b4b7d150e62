"""The category model speaks only where the rules find no term, and only when confident."""

from __future__ import annotations

from sqlalchemy import select

from yuqing.audit.log import Actor
from yuqing.collect.intake import Intake
from yuqing.collect.schema import ItemIn
from yuqing.judge.category import default_category_model
from yuqing.judge.tables import ItemTags
from yuqing.store.db import Database
from yuqing.text.normalise import normalise


def test_the_shipped_model_names_the_three_categories_it_knows() -> None:
    model = default_category_model()
    assert model is not None
    texts = [
        "新研究发现每天喝咖啡可降低心血管疾病风险，专家建议适量饮用",
        "高考成绩今日公布，考生可登录查询分数线",
        "周末去看了一场电影，剧情不错",
    ]
    guesses = model.confident([normalise(t) for t in texts], normalised=True)
    assert [g.category if g else None for g in guesses] == ["医疗卫生", "教育·师德", None]


def test_rules_first_then_the_model(db: Database) -> None:
    intake = Intake(db, Actor.cli(), "weibo", "file", "test")
    intake.store(
        [
            (1, ItemIn(id="a", text="县医院门诊排长队，患者等了三个小时")),
            (2, ItemIn(id="b", text="新研究发现每天喝咖啡可降低心血管疾病风险，专家建议适量饮用")),
            (3, ItemIn(id="c", text="周末去看了一场电影，剧情不错")),
        ]
    )
    with db.read() as s:
        rows = {
            t.item_id: (t.category, bool(t.category_terms), t.category_score)
            for t in s.execute(select(ItemTags).order_by(ItemTags.item_id)).scalars()
        }
    (a, b, c) = rows.values()
    assert a[0] == "医疗卫生" and a[1] and a[2] is None  # the rules decided, with their terms
    assert b[0] == "医疗卫生" and not b[1] and b[2] is not None and b[2] >= 0.6
    assert c == ("其他", False, None)

"""`yuqing model train --with-feedback`: the corrections become the installation's model."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import select

from yuqing.audit.log import Actor
from yuqing.collect.intake import Intake
from yuqing.collect.schema import ItemIn
from yuqing.judge.relevance import correct_sentiment, corrections
from yuqing.judge.tables import ItemSentiment
from yuqing.store.db import Database

SAD = ["太难过了", "心里很难受", "真让人伤心", "哭了一晚上", "悲痛欲绝", "好伤心啊"]
HAPPY = ["太开心了", "真高兴", "好幸福啊", "笑死我了哈哈", "开心极了", "高兴得跳起来"]
CALM = ["今天开会", "明天下雨", "公交改线", "通知如下", "会议延期", "数据更新"]


def _smp(folder: Path) -> Path:
    rows = [{"content": t, "label": "sad"} for t in SAD]
    rows += [{"content": t, "label": "happy"} for t in HAPPY]
    rows += [{"content": t, "label": "neutral"} for t in CALM]
    rows += [
        {"content": "居然这样", "label": "surprise"},
        {"content": "气死了", "label": "angry"},
        {"content": "好可怕", "label": "fear"},
    ]
    smp = folder / "smp2020_ewect"
    smp.mkdir(parents=True)
    for name in ("usual_train", "virus_train", "usual_eval_labeled", "virus_eval_labeled"):
        (smp / f"{name}.json").write_text(json.dumps(rows, ensure_ascii=False))
    return folder


def test_corrections_are_learnt_into_the_installations_model(
    run, db: Database, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    intake = Intake(db, Actor.cli(), "weibo", "file", "test")
    intake.store(
        [(1, ItemIn(id="1", text="食堂饭菜又涨价了")), (2, ItemIn(id="2", text="今天开会"))]
    )
    with db.write() as s:
        item = s.execute(select(ItemSentiment.item_id).order_by(ItemSentiment.item_id)).scalar()
        correct_sentiment(s, item, "negative", Actor("monitor1"))
    with db.read() as s:
        assert corrections(s) == [("食堂饭菜又涨价了", "negative")]
    code, out = run("model", "train", "--data", str(_smp(tmp_path / "data")), "--with-feedback")
    assert code == 0, out
    assert "1 corrections from the console" in out
    own = tmp_path / "var" / "models" / "sentiment.npz"
    assert own.exists() and (own.parent / "model-card-sentiment.md").exists()
    card = (own.parent / "model-card-sentiment.md").read_text()
    assert "`--with-feedback`: 1" in card

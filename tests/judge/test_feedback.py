"""`yuqing model train --with-feedback`: the corrections become the installation's model."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from tests.judge.training_data import write_smp
from yuqing.audit.log import Actor
from yuqing.collect.intake import Intake
from yuqing.collect.schema import ItemIn
from yuqing.judge.relevance import correct_sentiment, corrections
from yuqing.judge.tables import ItemSentiment
from yuqing.store.db import Database


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
    code, out = run(
        "model", "train", "--data", str(write_smp(tmp_path / "data")), "--with-feedback"
    )
    assert code == 0, out
    assert "1 corrections from the console" in out
    own = tmp_path / "var" / "models" / "sentiment.npz"
    assert own.exists() and (own.parent / "model-card-sentiment.md").exists()
    card = (own.parent / "model-card-sentiment.md").read_text()
    assert "`--with-feedback`: 1" in card

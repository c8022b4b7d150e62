"""The sentiment model's page: its figures, and retraining with the console's corrections."""

from __future__ import annotations

import time
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import select

from tests.conftest import add_user, login, make_settings
from tests.judge.training_data import write_smp
from yuqing.app import create_app
from yuqing.audit.log import Actor
from yuqing.audit.tables import AuditEntry
from yuqing.collect.intake import Intake
from yuqing.collect.schema import ItemIn
from yuqing.judge import retrain
from yuqing.judge.relevance import correct_sentiment
from yuqing.judge.tables import ItemSentiment
from yuqing.store.db import Database


def test_an_admin_sees_the_models_figures_against_the_targets(
    client: TestClient, db: Database
) -> None:
    add_user(db, "watcher", "monitor")
    login(client, "watcher")
    assert client.get("/model").status_code == 403
    add_user(db, "boss", "admin")
    login(client, "boss")
    page = client.get("/model").text
    assert "随附模型" in page and "SMP2020 疫情微博" in page
    assert "0.85 未达到" in page and "0.80 未达到" in page
    assert "控制台中共有 0 条情感更正" in page and "模型卡" in page


def test_retraining_from_the_console_learns_the_corrections(db: Database, tmp_path: Path) -> None:
    settings = make_settings(tmp_path, db, shared_data=write_smp(tmp_path / "shared"))
    Intake(db, Actor.cli(), "weibo", "file", "test").store(
        [(1, ItemIn(id="1", text="食堂饭菜又涨价了"))]
    )
    with db.write() as s:
        item = s.execute(select(ItemSentiment.item_id)).scalar_one()
        correct_sentiment(s, item, "negative", Actor("monitor1"))
    add_user(db, "boss", "admin")
    with TestClient(create_app(settings, db), base_url="http://testserver") as client:
        csrf = login(client, "boss")
        started = client.post("/model/train", data={"csrf_token": csrf}, follow_redirects=False)
        assert started.status_code == 303
        deadline = time.monotonic() + 120
        while retrain.training(settings).state == "running" and time.monotonic() < deadline:
            time.sleep(0.5)
        assert retrain.training(settings).state == "done", retrain.training(settings).message
        page = client.get("/model").text
        assert "本机用更正训练的模型" in page and "在用的模型学过其中 1 条" in page
        assert "boss 发起的训练已于" in page
        assert (tmp_path / "models" / "sentiment.npz").exists()
        assert "随附模型在同样数据上的宏平均 F1" in page
        back = client.post("/model/reset", data={"csrf_token": csrf}, follow_redirects=True)
        assert "随附模型（未用本机的更正训练）" in back.text
        assert not (tmp_path / "models" / "sentiment.npz").exists()
    with db.read() as s:
        entries = s.execute(
            select(AuditEntry).where(AuditEntry.action.startswith("model.")).order_by(AuditEntry.id)
        ).scalars()
        assert [(e.action, e.actor) for e in entries] == [
            ("model.train", "boss"),
            ("model.reset", "boss"),
        ]


def test_no_training_starts_without_the_training_data(db: Database, tmp_path: Path) -> None:
    settings = make_settings(tmp_path, db, shared_data=tmp_path / "nowhere")
    add_user(db, "boss", "admin")
    with TestClient(create_app(settings, db), base_url="http://testserver") as client:
        csrf = login(client, "boss")
        refused = client.post("/model/train", data={"csrf_token": csrf})
        assert refused.status_code == 409 and "smp2020_ewect" in refused.text
    assert retrain.training(settings).state == "none"


def test_a_failed_training_shows_why_and_keeps_the_model_in_use(
    db: Database, tmp_path: Path
) -> None:
    shared = write_smp(tmp_path / "shared")
    (shared / "smp2020_ewect" / "virus_train.json").write_text("[{not json")
    settings = make_settings(tmp_path, db, shared_data=shared)
    add_user(db, "boss", "admin")
    with TestClient(create_app(settings, db), base_url="http://testserver") as client:
        csrf = login(client, "boss")
        client.post("/model/train", data={"csrf_token": csrf})
        deadline = time.monotonic() + 120
        while retrain.training(settings).state == "running" and time.monotonic() < deadline:
            time.sleep(0.5)
        page = client.get("/model").text
    assert "发起的训练失败，在用的模型未变" in page
    assert "virus_train.json: not JSON at line 1 column 3" in page and "Traceback" not in page
    assert "随附模型（未用本机的更正训练）" in page
    assert not (tmp_path / "models" / "sentiment.npz").exists()

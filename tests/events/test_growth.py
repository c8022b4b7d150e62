from datetime import UTC, datetime

from fastapi.testclient import TestClient

from tests.conftest import add_user, login
from yuqing.audit.log import Actor
from yuqing.collect.intake import Intake
from yuqing.collect.schema import ItemIn
from yuqing.events.growth import unusual
from yuqing.judge.tables import Scheme
from yuqing.store.db import Database


def test_unusual_needs_volume_and_a_jump() -> None:
    assert unusual(12, 0.5) is not None
    assert unusual(9, 0.0) is None  # too few to call
    assert unusual(30, 8.0) is None  # about what the baseline predicts
    found = unusual(40, 5.0)
    assert found is not None and found.ratio == 8.0


def test_a_scheme_waking_up_is_shown_on_the_warnings_page(client: TestClient, db: Database) -> None:
    with db.write() as s:
        s.add(
            Scheme(
                name="一中食堂",
                mode="simple",
                subject_terms=["一中"],
                region_terms=[],
                event_terms=["食堂"],
                exclude_terms=[],
                expression="",
                enabled=True,
            )
        )
    now = datetime.now(UTC)
    intake = Intake(db, Actor.cli(), "weibo", "file", "test", lambda: now)
    intake.store(
        [(i, ItemIn(id=str(i), text=f"一中食堂又出事了，第{i}位家长发声")) for i in range(15)]
    )
    add_user(db, "duty", "office")
    login(client, "duty")
    page = client.get("/warnings").text
    assert "监测方案信息量异常" in page and "一中食堂：近 1 小时 15 条" in page

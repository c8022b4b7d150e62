"""The incident pages: the board, one incident (with the department scope), dispatching and
answering tasks, approving and publishing a statement, the review and the case library."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy import select

from tests.conftest import add_user, login
from tests.incident.test_workflow import _start
from yuqing.access.tables import Department
from yuqing.incident.tables import Incident, Statement, Task
from yuqing.store.db import Database


def _post(client: TestClient, csrf: str, path: str, **data: object) -> str:
    """Submit a form; the page it lands on (errors are shown there)."""
    r = client.post(path, data={"csrf_token": csrf, **data}, follow_redirects=True)
    assert r.status_code == 200, r.text[:300]
    return r.text


def _error(page: str) -> str | None:
    m = re.search(r'<p class="error" role="alert">([^<]+)</p>', page)
    return m.group(1) if m else None


def test_the_journey_through_the_pages(client: TestClient, db: Database) -> None:
    incident = _start(db)
    add_user(db, "office1", "office")
    add_user(db, "boss", "approver")
    add_user(db, "wang", "handler", department="宣传部")
    add_user(db, "zhao", "handler", department="信访局")
    url = f"/incidents/{incident.id}"

    csrf = login(client, "office1")
    board = client.get("/incidents").text
    assert 'data-state="detected"' in board and f"#{incident.id}" in board
    page = client.get(url).text
    assert "报告领导" in page and "涉事部门调查核实" in page and 'data-due="' in page
    page = _post(client, csrf, f"{url}/state", target="archived")
    assert (
        _error(page)
        == "「发现」不能直接转为「归档」，可转为：核实、响应中 / detected cannot move to archived"
    )
    _post(client, csrf, f"{url}/state", target="responding")
    with db.read() as s:
        dept = s.execute(select(Department).where(Department.name == "宣传部")).scalar_one()
    page = _post(
        client,
        csrf,
        f"{url}/tasks",
        kind="verify",
        title="核实食堂情况",
        department_id=dept.id,
        hours=3,
    )
    assert _error(page) is None and "核实食堂情况" in page
    page = _post(
        client,
        csrf,
        f"{url}/tasks",
        kind="report",
        title="报告结果",
        department_id=dept.id,
        due_at="2030-01-01T10:00",
    )
    assert "01-01 10:00" in page  # Beijing time in, Beijing time shown
    page = _post(client, csrf, f"{url}/tasks", kind="report", department_id=dept.id, due_at="明天")
    assert _error(page) == "时间格式不对：明天 / not a time"
    _post(
        client,
        csrf,
        f"{url}/statements",
        kind="first",
        text="关于学生身体不适情况的通报：已送医治疗。",
    )
    with db.read() as s:
        statement = s.execute(select(Statement)).scalar_one()
        task = s.execute(select(Task).order_by(Task.id)).scalars().first()
    _post(client, csrf, f"/statements/{statement.id}/submit")
    page = _post(client, csrf, f"/statements/{statement.id}/publish", channel="官方微博")
    assert "只有已批准的回应可以发布" in (_error(page) or "")
    assert (
        client.post(
            f"/statements/{statement.id}", data={"csrf_token": csrf, "decision": "approve"}
        ).status_code
        == 403
    )

    csrf = login(client, "zhao")  # another department: nothing to see
    assert client.get(url).status_code == 404
    assert "没有任务" in client.get("/tasks").text
    assert client.get("/events").status_code == 403

    csrf = login(client, "wang")
    page = client.get(url).text
    assert "核实食堂情况" in page and "关于学生身体不适" not in page  # drafts are not theirs
    assert "涉事部门调查核实" not in page  # the office's checklist is not theirs either
    page = _post(
        client, csrf, f"/tasks/{task.id}/done", result="已核实：12 名学生，均已出院", back="tasks"
    )
    assert "已核实：12 名学生" in client.get("/tasks?done=1").text

    csrf = login(client, "boss")
    page = _post(client, csrf, f"/statements/{statement.id}", decision="approve", note="同意")
    assert _error(page) is None and "已批准" in page

    csrf = login(client, "office1")
    page = _post(
        client,
        csrf,
        f"/statements/{statement.id}/publish",
        channel="官方微博",
        url="https://weibo.com/x/1",
    )
    assert "已回应" in page
    _post(client, csrf, f"{url}/state", target="following")
    assert client.post(f"{url}/end", data={"csrf_token": csrf}).status_code == 403  # approver's

    csrf = login(client, "boss")
    _post(client, csrf, f"{url}/end", note="舆情平稳 24 小时")
    csrf = login(client, "office1")
    _post(client, csrf, f"{url}/state", target="reviewing")
    page = _post(client, csrf, f"{url}/review", lessons="夜间值班须直接电话报告分管领导。")
    assert 'id="review-figures"' in page and "首次回应用时" in page
    _post(client, csrf, f"{url}/note", category="食品药品")
    _post(client, csrf, f"{url}/state", target="archived")
    with db.read() as s:
        done = s.get(Incident, incident.id)
    assert done.state == "archived" and done.review["minutes_to_first_response"] is not None
    cases = client.get("/cases?q=电话&category=食品药品").text
    assert f"#{incident.id}" in cases
    assert f"#{incident.id}" not in client.get("/cases?q=不存在的词").text


def test_opening_by_hand_from_the_event_page(client: TestClient, db: Database) -> None:
    incident = _start(db)
    add_user(db, "office1", "office")
    csrf = login(client, "office1")
    page = client.get(f"/events/{incident.event_id}").text
    assert 'action="/incidents"' in page
    r = client.post(
        "/incidents",
        data={
            "csrf_token": csrf,
            "event_id": incident.event_id,
            "reason": "值班员发现",
            "level": 2,
        },
        follow_redirects=False,
    )
    assert r.headers["location"] == f"/incidents/{incident.id}"  # the open one, not a second
    r = client.post(
        "/incidents",
        data={"csrf_token": csrf, "title": "家长反映校车超载", "reason": "电话报送", "level": 3},
        follow_redirects=False,
    )
    assert re.fullmatch(r"/incidents/\d+", r.headers["location"])
    assert "家长反映校车超载" in client.get(r.headers["location"]).text

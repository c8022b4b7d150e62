import re

from fastapi.testclient import TestClient

from tests.conftest import PASSWORD, add_user, csrf_of, login
from yuqing.access import accounts
from yuqing.audit.log import Actor
from yuqing.store.db import Database
from yuqing.web.auth import SESSION_COOKIE


def _login_form(client: TestClient) -> str:
    m = re.search(r'name="login_csrf" value="([^"]+)"', client.get("/login").text)
    assert m
    return m.group(1)


def test_wrong_password_expired_form_and_throttling(client: TestClient, db: Database) -> None:
    add_user(db, "li", "monitor")
    r = client.post("/login", data={"username": "li", "password": "x", "login_csrf": "nope"})
    assert r.status_code == 400 and "过期" in r.text
    for _ in range(5):
        token = _login_form(client)
        r = client.post("/login", data={"username": "li", "password": "bad", "login_csrf": token})
        assert r.status_code == 401 and "用户名或密码错误" in r.text
    token = _login_form(client)
    r = client.post("/login", data={"username": "li", "password": PASSWORD, "login_csrf": token})
    assert r.status_code == 429 and "15 分钟" in r.text


def test_login_sets_a_fresh_httponly_session_and_logout_ends_it(
    client: TestClient, db: Database
) -> None:
    add_user(db, "li", "monitor")
    client.cookies.set("yuqing_session", "planted-by-attacker", domain="testserver.local")
    token = _login_form(client)
    r = client.post(
        "/login",
        data={
            "username": "li",
            "password": PASSWORD,
            "login_csrf": token,
            "next": "//evil.example/x",
        },
        follow_redirects=False,
    )
    assert r.headers["location"] == "/"
    cookie = r.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie
    first = client.cookies.get("yuqing_session")
    assert first and first != "planted-by-attacker"
    csrf = csrf_of(client)
    client.post("/logout", data={"csrf_token": csrf})
    client.cookies.set("yuqing_session", first, domain="testserver.local")
    assert client.get("/items", follow_redirects=False).headers["location"].startswith("/login")


def test_one_time_password_must_be_changed_first(client: TestClient, db: Database) -> None:
    with db.write() as s:
        _, otp = accounts.create_user(
            s, accounts.NewUser("new", roles=("monitor",)), Actor.system()
        )
    csrf = login(client, "new", otp)
    r = client.get("/items", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/account"
    r = client.post(
        "/account/password",
        data={"current": otp, "new": "short", "repeat": "short", "csrf_token": csrf},
    )
    assert r.status_code == 400 and "至少 10 位" in r.text
    r = client.post(
        "/account/password",
        data={
            "current": "wrong",
            "new": "Fresh-secret-42",
            "repeat": "Fresh-secret-42",
            "csrf_token": csrf,
        },
    )
    assert r.status_code == 400
    r = client.post(
        "/account/password",
        data={
            "current": otp,
            "new": "Fresh-secret-42",
            "repeat": "Fresh-secret-42",
            "csrf_token": csrf,
        },
    )
    assert r.status_code == 200 and "密码已修改" in r.text
    assert client.get("/items").status_code == 200


def test_admin_manages_users_through_the_pages(client: TestClient, db: Database) -> None:
    add_user(db, "boss", "admin")
    csrf = login(client, "boss")
    r = client.post(
        "/admin/users",
        data={
            "username": "zhao",
            "display_name": "赵六",
            "department": "卫健局",
            "roles": ["handler", "viewer"],
            "csrf_token": csrf,
        },
    )
    assert r.status_code == 200
    otp = re.search(r'id="one-time-password">([^<]+)<', r.text)
    assert otp
    with db.read() as s:
        u = accounts.get_user(s, "zhao")
        assert u.role_names == ["handler", "viewer"] and u.department.name == "卫健局"
    r = client.post(
        "/admin/users", data={"username": "zhao", "roles": "viewer", "csrf_token": csrf}
    )
    assert r.status_code == 400 and "已存在" in r.text
    client.post("/admin/users/zhao/disable", data={"csrf_token": csrf})
    with db.read() as s:
        assert not accounts.get_user(s, "zhao").active
    r = client.post(
        "/admin/users/zhao",
        data={"display_name": "赵六六", "department": "", "roles": ["monitor"], "csrf_token": csrf},
    )
    with db.read() as s:
        u = accounts.get_user(s, "zhao")
        assert (u.display_name, u.role_names, u.department_id) == ("赵六六", ["monitor"], None)


def test_language_switch(client: TestClient, db: Database) -> None:
    add_user(db, "li", "monitor")
    login(client, "li")
    assert "舆情信息" in client.get("/items").text
    client.get("/lang/en?next=/items")
    page = client.get("/items").text
    assert "Items" in page and 'lang="en"' in page


def test_session_fixation_a_planted_cookie_is_never_adopted(
    client: TestClient, db: Database
) -> None:
    """Session fixation: whatever cookie a visitor arrives with, logging in issues a new one,
    and the planted value opens nothing."""
    add_user(db, "fix", "viewer")
    planted = "attacker-chosen-session-value"
    client.cookies.set(SESSION_COOKIE, planted)
    login(client, "fix")
    values = {c.value for c in client.cookies.jar if c.name == SESSION_COOKIE}
    issued = (values - {planted}).pop()
    assert issued != planted
    client.cookies.clear()
    client.cookies.set(SESSION_COOKIE, planted)
    assert client.get("/account", follow_redirects=False).status_code == 303  # to the login page
    client.cookies.clear()
    client.cookies.set(SESSION_COOKIE, issued)
    assert client.get("/account", follow_redirects=False).status_code == 200

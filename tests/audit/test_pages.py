from fastapi.testclient import TestClient
from sqlalchemy import text

from tests.conftest import add_user, login
from yuqing.store.db import Database


def test_audit_page_lists_and_verifies(client: TestClient, db: Database) -> None:
    add_user(db, "boss", "admin")
    login(client, "boss")
    page = client.get("/audit").text
    assert "user.create" in page and "session.login" in page
    assert "哈希链完整" in client.get("/audit?check=1").text
    with db.write() as s:
        s.execute(text("UPDATE audit_entry SET summary = 'x' WHERE id = 1"))
    assert "哈希链断裂：第 1 条" in client.get("/audit?check=1").text

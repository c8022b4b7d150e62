"""The demonstration a newcomer sees after `make run`: an organisation (示范县委网信办, fictional),
its plan (the county template), a monitoring scheme, three people on duty, handling and
approving, and the built-in drill (yuqing/replay/demo.py) played at sixty times real speed when
the console starts. Everything is marked 演练 and kept apart from real work; nothing is fetched
from the internet."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.orm import Session

from yuqing.access import accounts
from yuqing.access.passwords import one_time_password
from yuqing.audit.log import Actor
from yuqing.judge.admin import SchemeForm, create_scheme, list_schemes
from yuqing.notify.duty import add_shift, on_duty
from yuqing.plan import versions
from yuqing.replay import drills
from yuqing.replay.demo import demo_records
from yuqing.store.base import utcnow
from yuqing.store.db import Database

ORGANISATION = "示范县委网信办（演示）"
SCHEME = "示范县（演示）"
PEOPLE = (
    ("zhang", "张值班（演示）", "舆情办公室", "office"),
    ("li", "李主任（演示）", "舆情办公室", "approver"),
    ("wang", "王干事（演示）", "县教育局", "handler"),
)
DEMO = Actor("demo", "system")


def seed(session: Session) -> list[str]:
    """Add what is missing (a second run changes nothing); what to tell the newcomer."""
    lines = []
    if versions.active(session) is None:
        text = versions.templates()["county-four-level"]
        text = text.replace("organisation: 某县委网信办", f"organisation: {ORGANISATION}", 1)
        versions.save(session, text, DEMO, note="演示预案（县级四级预案模板）")
        lines.append("plan: 县级网络舆情应急预案（四级）, from the county template")
    if not any(s.name == SCHEME for s, _ in list_schemes(session)):
        create_scheme(session, SchemeForm(name=SCHEME, subject_terms=["示范县", "一中"]), DEMO)
        lines.append(f"monitoring scheme: {SCHEME}")
    existing = {u.username for u in accounts.list_users(session)}
    password = one_time_password(*(username for username, *_ in PEOPLE))
    for username, name, department, role in PEOPLE:
        if username in existing:
            continue
        accounts.create_user(
            session,
            accounts.NewUser(username, name, department, (role,), password=password),
            DEMO,
        )
        lines.append(f"demo user {username} ({name}, {role}) password: {password}")
    now = utcnow()
    if on_duty(session, now) is None and "zhang" in {
        u.username for u in accounts.list_users(session)
    }:
        add_shift(session, now - timedelta(hours=1), now + timedelta(hours=23), "zhang", "li", DEMO)
        lines.append("duty: zhang on duty, li the leader on duty, for the next 23 hours")
    return lines


def start_drill(db: Database, speed: str = "60") -> drills.Drill:
    """The built-in scenario's hour, ending now, replayed in one minute (at speed 60)."""
    records = demo_records(utcnow() - timedelta(hours=1))
    return drills.start(db, "演示：示范县一中食堂", records, speed, "demo")

"""Import every stage's tables so that the metadata (and Alembic) sees the whole schema."""

from yuqing.access import tables as access_tables
from yuqing.audit import tables as audit_tables
from yuqing.collect import tables as collect_tables
from yuqing.events import tables as events_tables
from yuqing.incident import tables as incident_tables
from yuqing.judge import tables as judge_tables
from yuqing.notify import tables as notify_tables
from yuqing.plan import tables as plan_tables
from yuqing.report import tables as report_tables
from yuqing.store.base import Base
from yuqing.warn import tables as warn_tables

__all__ = [
    "Base",
    "access_tables",
    "audit_tables",
    "collect_tables",
    "events_tables",
    "incident_tables",
    "judge_tables",
    "notify_tables",
    "plan_tables",
    "report_tables",
    "warn_tables",
]

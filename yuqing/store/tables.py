"""Import every stage's tables so that the metadata (and Alembic) sees the whole schema."""

from yuqing.access import tables as access_tables
from yuqing.audit import tables as audit_tables
from yuqing.collect import tables as collect_tables
from yuqing.judge import tables as judge_tables
from yuqing.store.base import Base

__all__ = ["Base", "access_tables", "audit_tables", "collect_tables", "judge_tables"]

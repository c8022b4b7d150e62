"""Roles and what each may do. Every route declares one Permission; tests walk the routes."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from yuqing.audit.log import Actor


class Permission(StrEnum):
    ACCOUNT = "account"
    ITEMS_READ = "items.read"
    ITEMS_IMPORT = "items.import"
    ITEMS_JUDGE = "items.judge"
    SCHEMES_MANAGE = "schemes.manage"
    SOURCES_READ = "sources.read"
    SOURCES_MANAGE = "sources.manage"
    USERS_MANAGE = "users.manage"
    TOKENS_MANAGE = "tokens.manage"
    AUDIT_READ = "audit.read"
    EVENTS_READ = "events.read"
    EVENTS_MANAGE = "events.manage"  # merge, split, move items, edit title and keywords
    EVENTS_GRADE = "events.grade"  # set or lift a level by hand, with a reason
    WARNINGS_LIFT = "warnings.lift"  # further limited by the plan's lift_role
    PLANS_READ = "plans.read"
    PLANS_MANAGE = "plans.manage"
    DRILLS_RUN = "drills.run"
    CHANNELS_MANAGE = "channels.manage"
    INCIDENTS_READ = "incidents.read"  # scoped to one's department without events.read
    INCIDENTS_MANAGE = "incidents.manage"  # open, move, level, dispatch, draft, publish, review
    INCIDENTS_APPROVE = "incidents.approve"  # approve statements, end the emergency
    TASKS_WORK = "tasks.work"  # answer the tasks of one's department
    REPORTS_READ = "reports.read"
    REPORTS_MAKE = "reports.make"  # make, edit a flash report's text, send


ROLES = ("admin", "office", "monitor", "handler", "approver", "viewer")

_P = Permission
ROLE_PERMISSIONS: dict[str, frozenset[Permission]] = {
    "admin": frozenset(Permission),
    "office": frozenset(
        {
            _P.ACCOUNT,
            _P.ITEMS_READ,
            _P.ITEMS_IMPORT,
            _P.ITEMS_JUDGE,
            _P.SOURCES_READ,
            _P.AUDIT_READ,
            _P.EVENTS_READ,
            _P.EVENTS_MANAGE,
            _P.EVENTS_GRADE,
            _P.WARNINGS_LIFT,
            _P.PLANS_READ,
            _P.DRILLS_RUN,
            _P.INCIDENTS_READ,
            _P.INCIDENTS_MANAGE,
            _P.TASKS_WORK,
            _P.REPORTS_READ,
            _P.REPORTS_MAKE,
        }
    ),
    "monitor": frozenset(
        {
            _P.ACCOUNT,
            _P.ITEMS_READ,
            _P.ITEMS_IMPORT,
            _P.ITEMS_JUDGE,
            _P.SOURCES_READ,
            _P.EVENTS_READ,
            _P.EVENTS_MANAGE,
            _P.PLANS_READ,
            _P.INCIDENTS_READ,
            _P.REPORTS_READ,
        }
    ),
    # A department handler sees only its own department's work, never the whole feed.
    "handler": frozenset({_P.ACCOUNT, _P.INCIDENTS_READ, _P.TASKS_WORK}),
    "approver": frozenset(
        {
            _P.ACCOUNT,
            _P.ITEMS_READ,
            _P.SOURCES_READ,
            _P.EVENTS_READ,
            _P.EVENTS_GRADE,
            _P.WARNINGS_LIFT,
            _P.PLANS_READ,
            _P.INCIDENTS_READ,
            _P.INCIDENTS_APPROVE,
            _P.REPORTS_READ,
        }
    ),
    "viewer": frozenset(
        {
            _P.ACCOUNT,
            _P.ITEMS_READ,
            _P.SOURCES_READ,
            _P.EVENTS_READ,
            _P.PLANS_READ,
            _P.INCIDENTS_READ,
            _P.REPORTS_READ,
        }
    ),
}


def permissions_of(roles: list[str]) -> frozenset[Permission]:
    out: set[Permission] = set()
    for role in roles:
        out |= ROLE_PERMISSIONS.get(role, frozenset())
    return frozenset(out)


@dataclass(frozen=True)
class Principal:
    """Who is making a request: a logged-in person, or a machine through an API token.

    A token's permissions are its scopes, never more than its owner's roles allow.
    """

    user_id: int
    username: str
    display_name: str
    department_id: int | None
    roles: tuple[str, ...]
    permissions: frozenset[Permission]
    token_name: str | None = None
    token_id: int | None = None
    token_last_used: datetime | None = field(default=None, repr=False)
    must_change_password: bool = False
    csrf_token: str | None = field(default=None, repr=False)

    def can(self, permission: Permission) -> bool:
        return permission in self.permissions

    @property
    def actor(self) -> Actor:
        """How the audit log names this caller."""
        if self.token_name:
            return Actor(f"{self.username} (token {self.token_name})", "token")
        return Actor(self.username, "user")

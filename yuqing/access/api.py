"""JSON API of the access stage."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from pydantic import BaseModel

from yuqing.access.permissions import Permission, Principal
from yuqing.web.auth import need

router = APIRouter(prefix="/api/v1", tags=["access"])


class Me(BaseModel):
    username: str
    display_name: str
    roles: list[str]
    permissions: list[str]
    department_id: int | None
    token: str | None


@router.get("/me", response_model=Me)
def me(who: Principal = Depends(need(Permission.ACCOUNT))) -> Me:
    """Who the caller is and what it may do (for a token: its scopes)."""
    return Me(
        username=who.username,
        display_name=who.display_name,
        roles=list(who.roles),
        permissions=sorted(p.value for p in who.permissions),
        department_id=who.department_id,
        token=who.token_name,
    )

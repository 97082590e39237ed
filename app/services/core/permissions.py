"""Who may do what: roles grant permissions, per brand. Every service calls `require` itself.

A user's role on a brand is their membership role for that brand if they have one, otherwise their
workspace role (agency staff have one; a client's users usually only have memberships).
"""

from __future__ import annotations

import getpass
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Protocol, TypeVar

from app.models.enums import Role
from app.services.core.errors import NotFound, PermissionDenied


class Perm(StrEnum):
    VIEW = "view"
    CONTENT_EDIT = "content.edit"
    CONTENT_APPROVE = "content.approve"
    SOP_RUN = "sop.run"
    SOP_MANAGE = "sop.manage"
    INBOX_WORK = "inbox.work"
    CRISIS_MANAGE = "crisis.manage"
    KPI_EDIT = "kpi.edit"
    STRATEGY_EDIT = "strategy.edit"
    REPORTS_MANAGE = "reports.manage"
    COMPETITORS_EDIT = "competitors.edit"
    CONNECTIONS_VIEW = "connections.view"
    CONNECTIONS_MANAGE = "connections.manage"
    PUBLISHING_PAUSE = "publishing.pause"
    AUDIT_VIEW = "audit.view"
    FLOWS_MANAGE = "flows.manage"
    POLICIES_MANAGE = "policies.manage"
    ADMIN = "admin"

    @property
    def label(self) -> str:
        return PERM_LABELS[self]


PERM_LABELS: dict[Perm, str] = {
    Perm.VIEW: "view",
    Perm.CONTENT_EDIT: "create and edit content",
    Perm.CONTENT_APPROVE: "approve content",
    Perm.SOP_RUN: "work on SOP checklists",
    Perm.SOP_MANAGE: "manage SOP templates",
    Perm.INBOX_WORK: "work the community inbox",
    Perm.CRISIS_MANAGE: "run the crisis room",
    Perm.KPI_EDIT: "edit KPI targets and the metrics dictionary",
    Perm.STRATEGY_EDIT: "edit objectives, segments, pillars and campaigns",
    Perm.REPORTS_MANAGE: "manage reports",
    Perm.COMPETITORS_EDIT: "edit competitor benchmarks",
    Perm.CONNECTIONS_VIEW: "see jobs and connections",
    Perm.CONNECTIONS_MANAGE: "manage connections",
    Perm.PUBLISHING_PAUSE: "pause publishing",
    Perm.FLOWS_MANAGE: "set up approval flows",
    Perm.POLICIES_MANAGE: "set response-time policies and the severity matrix",
    Perm.AUDIT_VIEW: "read the audit log",
    Perm.ADMIN: "administer users, brands, markets and channels",
}

_MANAGER = frozenset(Perm) - {Perm.ADMIN, Perm.CONNECTIONS_MANAGE}

ROLE_PERMISSIONS: dict[Role, frozenset[Perm]] = {
    Role.VIEWER: frozenset({Perm.VIEW}),
    Role.EDITOR: frozenset({Perm.VIEW, Perm.CONTENT_EDIT, Perm.SOP_RUN}),
    Role.APPROVER: frozenset({Perm.VIEW, Perm.CONTENT_APPROVE, Perm.SOP_RUN}),
    Role.COMMUNITY_MANAGER: frozenset({Perm.VIEW, Perm.INBOX_WORK, Perm.CRISIS_MANAGE, Perm.SOP_RUN}),
    Role.MANAGER: _MANAGER,
    Role.ADMIN: frozenset(Perm),
}

ROLE_DESCRIPTIONS: dict[Role, str] = {
    Role.VIEWER: "Reads dashboards, calendar and reports.",
    Role.EDITOR: "Plans and writes posts, briefs and assets; works SOP checklists.",
    Role.APPROVER: "Approves or rejects content at the approval stages of their brands.",
    Role.COMMUNITY_MANAGER: "Works the inbox and runs the crisis room.",
    Role.MANAGER: (
        "Everything but administration: strategy, approvals, targets, reports, SOP templates, pausing, "
        "response-time policies and the severity matrix."
    ),
    Role.ADMIN: "Everything, including users, brands, markets, channels and connections.",
}


@dataclass(frozen=True, eq=False)
class Actor:
    """The person (or the CLI, or a job) on whose behalf a service acts."""

    email: str
    name: str = ""
    user_id: int | None = None
    workspace_role: Role | None = None
    brand_roles: Mapping[int, Role] = field(default_factory=dict)
    # "user" for people; "system" for the command line and jobs (they act as admins and say so in the log).
    kind: str = "user"
    # In local mode (no sign-in) the local admin may act as another person (`org.users.act_as`): this is
    # then that person, with their roles, and `acted_by` is the admin's e-mail, which the audit log keeps.
    acted_by: str | None = None

    @classmethod
    def system(cls, who: str) -> Actor:
        return cls(email=who, name=who, workspace_role=Role.ADMIN, kind="system")

    @classmethod
    def cli(cls) -> Actor:
        try:
            user = getpass.getuser()
        except Exception:  # no login name in some containers
            user = "unknown"
        return cls.system(f"cli:{user}")

    @property
    def audit_label(self) -> str:
        """Who the audit log names: the e-mail, and who really acted when it was someone acting as them."""
        if self.acted_by:
            return f"{self.email} (acted by {self.acted_by})"
        return self.email

    def role_on(self, brand_id: int | None) -> Role | None:
        if brand_id is not None and brand_id in self.brand_roles:
            return self.brand_roles[brand_id]
        return self.workspace_role

    def can(self, perm: Perm, brand_id: int | None = None) -> bool:
        """On one brand when `brand_id` is given, otherwise on the workspace as a whole."""
        role = self.role_on(brand_id)
        return role is not None and perm in ROLE_PERMISSIONS[role]

    def can_anywhere(self, perm: Perm) -> bool:
        """True when some brand (or the workspace role) grants `perm`: decides which pages to list."""
        roles: Iterable[Role | None] = [self.workspace_role, *self.brand_roles.values()]
        return any(r is not None and perm in ROLE_PERMISSIONS[r] for r in roles)

    def sees_all_brands(self) -> bool:
        return self.workspace_role is not None

    def visible_brand_ids(self) -> frozenset[int] | None:
        """None means every brand of the workspace."""
        return None if self.sees_all_brands() else frozenset(self.brand_roles)

    def brands_with(self, perm: Perm, brand_ids: Iterable[int]) -> list[int]:
        """The subset of `brand_ids` on which this actor holds `perm`."""
        return [b for b in brand_ids if self.can(perm, b)]

    def describe_role(self, brand_id: int | None = None) -> str:
        role = self.role_on(brand_id)
        return role.label.lower() if role else "no role"


def require_brands(actor: Actor, perm: Perm, brand_ids: Iterable[int]) -> list[int]:
    """The requested brands the actor may `perm` on; PermissionDenied when that leaves none of them."""
    wanted = list(brand_ids)
    allowed = actor.brands_with(perm, wanted)
    if wanted and not allowed:
        raise PermissionDenied(f"{actor.email} may not {perm.label} on the selected brand(s)")
    return allowed


class _BrandRow(Protocol):
    brand_id: int


R = TypeVar("R", bound=_BrandRow)


def visible_row(
    session: Any, actor: Actor, model: type[R], row_id: int, what: str, perm: Perm | None = None
) -> R:
    """A brand's row by id, for someone who sees that brand: NotFound otherwise (not a hint that it
    exists), and PermissionDenied when they see it but lack `perm` there."""
    row = session.get(model, row_id)
    visible = actor.visible_brand_ids()
    if row is None or (visible is not None and row.brand_id not in visible):
        raise NotFound(f"no {what} {row_id}")
    if perm is not None:
        require_brands(actor, perm, [row.brand_id])
    return row


def require_anywhere(actor: Actor, perm: Perm) -> None:
    """Raise PermissionDenied unless `actor` may `perm` on some brand (a listing then keeps to those)."""
    if not actor.can_anywhere(perm):
        raise PermissionDenied(f"{actor.email} may not {perm.label}")


def require(actor: Actor, perm: Perm, brand_id: int | None = None, brand_label: str | None = None) -> None:
    """Raise PermissionDenied, with a message naming who, what and where, unless `actor` may."""
    if actor.can(perm, brand_id):
        return
    where = f" on brand {brand_label!r}" if brand_label else (" on this brand" if brand_id else "")
    raise PermissionDenied(f"{actor.email} ({actor.describe_role(brand_id)}{where}) may not {perm.label}")

"""Users, their workspace role and per-brand memberships, and turning a signed-in e-mail into an Actor."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from app.models import Brand, Membership, User
from app.models.enums import Role
from app.services.core import (
    Actor,
    NotFound,
    Perm,
    PermissionDenied,
    ValidationError,
    audit,
    require,
    validation,
)
from app.services.org.brands import get_brand
from app.services.org.workspace import current_workspace


@dataclass(frozen=True)
class UserInfo:
    email: str
    name: str
    role: str
    brand_roles: dict[str, str] = field(default_factory=dict)
    active: bool = True
    last_seen_at: datetime | None = None
    id: int = 0


def _info(u: User, slugs: dict[int, str]) -> UserInfo:
    return UserInfo(
        email=u.email,
        name=u.name,
        role=u.role.value if u.role else "",
        brand_roles={slugs.get(m.brand_id, str(m.brand_id)): m.role.value for m in u.memberships},
        active=u.active,
        last_seen_at=u.last_seen_at,
        id=u.id,
    )


def _brand_slugs(session: Session) -> dict[int, str]:
    return dict(session.execute(select(Brand.id, Brand.slug)).all())


def list_users(session: Session, actor: Actor, include_inactive: bool = True) -> list[UserInfo]:
    require(actor, Perm.ADMIN)
    ws = current_workspace(session)
    stmt = (
        select(User)
        .where(User.workspace_id == ws.id)
        .options(selectinload(User.memberships))
        .order_by(User.email)
    )
    if not include_inactive:
        stmt = stmt.where(User.active.is_(True))
    slugs = _brand_slugs(session)
    return [_info(u, slugs) for u in session.scalars(stmt)]


def _get_user(session: Session, email: str) -> User:
    user = session.scalars(
        select(User).where(User.email == email.strip().lower()).options(selectinload(User.memberships))
    ).first()
    if user is None:
        raise NotFound(f"no user {email!r} (see `python -m app users`)")
    return user


def add_user(
    session: Session, actor: Actor, *, email: str, role: str, brand: str | None = None, name: str = ""
) -> UserInfo:
    """Create a user with a workspace role, or (with `brand`) a membership on that brand only.
    For an existing user, `brand` adds or changes their role on that brand."""
    require(actor, Perm.ADMIN)
    ws = current_workspace(session)
    email = validation.email(email)
    role_ = validation.choice(Role, role, "role")
    existing = session.scalars(select(User).where(User.email == email)).first()
    if existing is not None and brand is None:
        raise ValidationError(
            f"user {email!r} already exists; change their role in Settings or add --brand for a brand role",
            field="email",
            value=email,
        )
    user = existing
    if user is None:
        user = User(workspace_id=ws.id, email=email, name=name.strip() or email.split("@")[0], role=None)
        if brand is None:
            user.role = role_
        session.add(user)
        session.flush()
        audit.record(session, actor, "create", "user", user.id, label=email, after=audit.snapshot(user))
    if brand is not None:
        set_brand_role(session, actor, email, brand, role_.value)
    session.refresh(user)
    return _info(_get_user(session, email), _brand_slugs(session))


def set_workspace_role(session: Session, actor: Actor, email: str, role: str | None) -> UserInfo:
    """Role on every brand; None leaves the user with their brand memberships only."""
    require(actor, Perm.ADMIN)
    user = _get_user(session, email)
    new_role = validation.choice(Role, role, "role") if role else None
    if user.role == Role.ADMIN and new_role != Role.ADMIN:
        _keep_an_admin(session, user)
    audit.update(session, actor, user, {"role": new_role}, object_type="user", label=lambda u: u.email)
    return _info(user, _brand_slugs(session))


def set_brand_role(session: Session, actor: Actor, email: str, brand: str, role: str | None) -> UserInfo:
    """Give the user `role` on one brand (overriding their workspace role there); None removes it."""
    require(actor, Perm.ADMIN)
    user = _get_user(session, email)
    b = get_brand(session, actor, brand)
    membership = next((m for m in user.memberships if m.brand_id == b.id), None)
    label = f"{user.email} on {b.slug}"
    if role is None:
        if membership is not None:
            before = {"role": membership.role.value}
            user.memberships.remove(membership)
            session.flush()
            audit.record(
                session,
                actor,
                "delete",
                "membership",
                membership.id,
                label=label,
                brand_id=b.id,
                before=before,
            )
    else:
        role_ = validation.choice(Role, role, "role")
        if membership is None:
            membership = Membership(user_id=user.id, brand_id=b.id, role=role_)
            user.memberships.append(membership)
            session.flush()
            audit.record(
                session,
                actor,
                "create",
                "membership",
                membership.id,
                label=label,
                brand_id=b.id,
                after={"user": user.email, "brand": b.slug, "role": role_.value},
            )
        else:
            audit.update(
                session,
                actor,
                membership,
                {"role": role_},
                object_type="membership",
                label=lambda _: label,
                brand_id=b.id,
            )
    return _info(user, _brand_slugs(session))


def set_active(session: Session, actor: Actor, email: str, active: bool) -> UserInfo:
    require(actor, Perm.ADMIN)
    user = _get_user(session, email)
    if not active and actor.user_id == user.id:
        raise ValidationError("you cannot deactivate yourself", field="active")
    if not active and user.role == Role.ADMIN:
        _keep_an_admin(session, user)
    audit.update(session, actor, user, {"active": bool(active)}, object_type="user", label=lambda u: u.email)
    return _info(user, _brand_slugs(session))


def _keep_an_admin(session: Session, leaving: User) -> None:
    others = session.scalars(
        select(User.id).where(User.role == Role.ADMIN, User.active.is_(True), User.id != leaving.id)
    ).first()
    if others is None:
        raise ValidationError(
            f"{leaving.email} is the last active admin; make someone else admin first", field="role"
        )


def load_actor(session: Session, email: str) -> Actor | None:
    """The Actor for a signed-in e-mail, or None if no active user has it."""
    user = session.scalars(
        select(User)
        .where(User.email == (email or "").strip().lower(), User.active.is_(True))
        .options(selectinload(User.memberships))
    ).first()
    if user is None:
        return None
    return Actor(
        email=user.email,
        name=user.name,
        user_id=user.id,
        workspace_role=user.role,
        brand_roles={m.brand_id: m.role for m in user.memberships},
    )


def _may_act_as(real_actor: Actor, *, local_mode: bool) -> None:
    """Acting as someone else is a local trial's tool: refused once sign-in is configured, to anyone but
    a signed-in admin in person, and to someone already acting as another."""
    if not local_mode:
        raise PermissionDenied("acting as another person is only possible when no sign-in is configured")
    if real_actor.kind != "user" or real_actor.acted_by or real_actor.workspace_role != Role.ADMIN:
        raise PermissionDenied(f"{real_actor.email} may not act as another person: only the local admin may")


def people_to_act_as(session: Session, real_actor: Actor, *, local_mode: bool) -> list[UserInfo]:
    """The active people of the workspace the local admin may act as (themselves left out), by name."""
    _may_act_as(real_actor, local_mode=local_mode)
    people = [
        u
        for u in list_users(session, real_actor, include_inactive=False)
        if u.id != real_actor.user_id and (u.role or u.brand_roles)  # someone with no role sees no page
    ]
    return sorted(people, key=lambda u: (u.name.lower(), u.email))


def act_as(session: Session, real_actor: Actor, person_id: int, *, local_mode: bool) -> Actor:
    """The Actor for `person_id` with `acted_by` set to the real actor's e-mail: every service then checks
    that person's permissions, and the audit log names both. Refused (PermissionDenied) unless
    `local_mode` and `real_actor` is the local admin; NotFound for anyone not an active person here."""
    _may_act_as(real_actor, local_mode=local_mode)
    ws = current_workspace(session)
    user = session.get(User, person_id) if isinstance(person_id, int) else None
    if user is None or not user.active or user.workspace_id != ws.id:
        raise NotFound(f"no active person {person_id!r} to act as")
    actor = load_actor(session, user.email)
    assert actor is not None
    return replace(actor, acted_by=real_actor.email)


def record_acting(session: Session, real_actor: Actor, person_id: int | None, *, local_mode: bool) -> None:
    """Log the start (a person) or the end (None) of acting as someone, under the local admin's name."""
    _may_act_as(real_actor, local_mode=local_mode)
    if person_id is None:
        audit.record(session, real_actor, "act_as.stop", "user", real_actor.user_id, label=real_actor.email)
        return
    person = act_as(session, real_actor, person_id, local_mode=local_mode)
    audit.record(
        session,
        real_actor,
        "act_as.start",
        "user",
        person.user_id,
        label=person.email,
        after={
            "acting_as": person.email,
            "role": person.workspace_role.value if person.workspace_role else "",
        },
    )


def ensure_local_admin(session: Session, email: str) -> Actor:
    """With no sign-in configured the app runs as one local admin; create that user on first use."""
    actor = load_actor(session, email)
    if actor is not None and actor.workspace_role == Role.ADMIN:
        return actor
    ws = current_workspace(session)
    user = session.scalars(select(User).where(User.email == email)).first()
    system = Actor.system("system:local-mode")
    if user is None:
        user = User(workspace_id=ws.id, email=email, name="Local admin", role=Role.ADMIN)
        session.add(user)
        session.flush()
        audit.record(session, system, "create", "user", user.id, label=email, after=audit.snapshot(user))
    else:
        audit.update(
            session,
            system,
            user,
            {"role": Role.ADMIN, "active": True},
            object_type="user",
            label=lambda u: u.email,
        )
    loaded = load_actor(session, email)
    assert loaded is not None
    return loaded

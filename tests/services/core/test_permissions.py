"""Roles grant permissions per brand; services refuse whatever the UI shows."""

from __future__ import annotations

import pytest

from app.models.enums import Role
from app.services.core import ROLE_PERMISSIONS, Actor, Perm, PermissionDenied, require, require_brands

A, B = 1, 2


def test_every_role_can_view_and_only_admin_administers() -> None:
    for role, perms in ROLE_PERMISSIONS.items():
        assert Perm.VIEW in perms
        assert (Perm.ADMIN in perms) == (role == Role.ADMIN)


def test_viewer_may_not_write_anything() -> None:
    viewer = Actor(email="v@x.test", workspace_role=Role.VIEWER)
    for perm in Perm:
        if perm is not Perm.VIEW:
            with pytest.raises(PermissionDenied, match=r"v@x\.test"):
                require(viewer, perm, A)


def test_membership_overrides_workspace_role_on_its_brand_only() -> None:
    actor = Actor(email="e@x.test", workspace_role=Role.VIEWER, brand_roles={A: Role.EDITOR})
    assert actor.can(Perm.CONTENT_EDIT, A)
    assert not actor.can(Perm.CONTENT_EDIT, B)
    assert actor.can(Perm.VIEW, B)


def test_approver_on_brand_a_cannot_approve_on_brand_b() -> None:
    approver = Actor(email="ap@x.test", brand_roles={A: Role.APPROVER})
    require(approver, Perm.CONTENT_APPROVE, A)
    with pytest.raises(PermissionDenied, match="may not approve content"):
        require(approver, Perm.CONTENT_APPROVE, B, brand_label="brand-b")
    assert approver.visible_brand_ids() == {A}
    assert require_brands(approver, Perm.CONTENT_APPROVE, [A, B]) == [A]
    with pytest.raises(PermissionDenied):
        require_brands(approver, Perm.CONTENT_APPROVE, [B])


def test_user_without_workspace_role_sees_only_member_brands() -> None:
    client = Actor(email="c@x.test", brand_roles={B: Role.VIEWER})
    assert not client.sees_all_brands()
    assert client.can_anywhere(Perm.VIEW)
    assert not client.can(Perm.VIEW, A)


def test_system_actors_act_as_admin_and_say_who_they_are() -> None:
    cli = Actor.cli()
    assert cli.email.startswith("cli:")
    assert cli.can(Perm.ADMIN)
    assert cli.kind == "system"


def test_refusal_message_names_user_role_and_action() -> None:
    editor = Actor(email="ed@x.test", workspace_role=Role.EDITOR)
    with pytest.raises(PermissionDenied) as err:
        require(editor, Perm.ADMIN)
    assert str(err.value) == "ed@x.test (editor) may not administer users, brands, markets and channels"

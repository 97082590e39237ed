"""The Ready to post queue: the publish job queues a manual channel's due variant without calling anyone,
a person records the permalink (validated) or why it could not be posted, and only once."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine

from app.db import read_session, write_session
from app.models.enums import ConnectorKind, Platform, PostStatus, Role
from app.services.core import Actor, PermissionDenied, ValidationError
from app.services.publishing import publish_due
from app.services.publishing.manual import could_not_post, permalink_url, ready_to_post, record_manual_post
from app.services.publishing.pause import set_brand_pause
from tests.services.publishing.publishkit import (
    add_channel,
    add_due_posts,
    make_world,
    post_status,
    variants_of,
)

JOB = Actor.system("job:publish_due")


def _never_called(account, channel):  # type: ignore[no-untyped-def]
    raise AssertionError("a manual channel must not reach a connector")


@pytest.mark.parametrize(
    "typed", ["", "instagram.com/p/x", "javascript:alert(1)", "ftp://host/x", "https://", "https://a b.com/x"]
)
def test_a_permalink_must_be_an_http_address(typed: str) -> None:
    with pytest.raises(ValidationError) as err:
        permalink_url(typed)
    assert err.value.field == "permalink"


def test_manual_channels_queue_for_a_person_who_records_the_link(empty_db: Engine) -> None:
    world = make_world(empty_db)
    ig = add_channel(empty_db, world.brand_ids[0], platform=Platform.INSTAGRAM, kind=ConnectorKind.MANUAL)
    unset = add_channel(empty_db, world.brand_ids[0], platform=Platform.TIKTOK, kind=None)
    [post] = add_due_posts(empty_db, world, [ig, unset])

    assert publish_due(empty_db, JOB, connector_for=_never_called).manual_queued == 2
    assert publish_due(empty_db, JOB, connector_for=_never_called).manual_queued == 0  # queued once
    with read_session(empty_db) as s:
        queue = ready_to_post(s, world.editor, world.brand_ids)
    assert [q.channel for q in queue] == [f"ch-{0}-instagram", f"ch-{1}-tiktok"]
    assert queue[0].text.endswith(f"on channel {ig}") and not queue[0].paused
    assert post_status(empty_db, post) == PostStatus.PUBLISHING

    viewer = Actor(email="v@pub.example", user_id=None, workspace_role=Role.VIEWER)
    with pytest.raises(PermissionDenied), write_session(empty_db) as s:
        record_manual_post(s, viewer, queue[0].variant_id, "https://instagram.com/p/1")
    with write_session(empty_db) as s:
        record_manual_post(s, world.editor, queue[0].variant_id, "https://instagram.com/p/1", "1")
    with pytest.raises(ValidationError, match="no longer waiting"), write_session(empty_db) as s:
        record_manual_post(s, world.editor, queue[0].variant_id, "https://instagram.com/p/2")
    with write_session(empty_db) as s:
        could_not_post(s, world.editor, queue[1].variant_id, "TikTok account locked")

    ig_v, tt_v = variants_of(empty_db, [post])
    assert (ig_v.status, ig_v.permalink, ig_v.external_id) == (
        PostStatus.PUBLISHED,
        "https://instagram.com/p/1",
        "1",
    )
    assert (tt_v.status, tt_v.last_error) == (PostStatus.FAILED, "TikTok account locked")
    assert post_status(empty_db, post) == PostStatus.FAILED
    with read_session(empty_db) as s:
        assert ready_to_post(s, world.editor, world.brand_ids) == []


def test_a_queued_post_is_flagged_when_its_brand_is_paused(empty_db: Engine) -> None:
    world = make_world(empty_db)
    ig = add_channel(empty_db, world.brand_ids[0], platform=Platform.INSTAGRAM, kind=ConnectorKind.MANUAL)
    add_due_posts(empty_db, world, [ig])
    publish_due(empty_db, JOB, connector_for=_never_called)
    with write_session(empty_db) as s:
        set_brand_pause(s, world.manager, world.brand_ids[0], True, "recall")
    with read_session(empty_db) as s:
        [item] = ready_to_post(s, world.editor, world.brand_ids)
    assert item.paused

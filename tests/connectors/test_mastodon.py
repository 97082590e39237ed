"""The Mastodon connector against a real local Mastodon API (mastodon-mock): what reaches the server,
what comes back, and how failures are told apart."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from PIL import Image

from app.connectors.base import InboxKind, MediaFile, Outgoing, PermanentError, TransientError
from app.connectors.mastodon import MastodonConnector


def connect(server, account, **settings) -> MastodonConnector:
    return MastodonConnector(
        base_url=server.base_url,
        credential=account.access_token,
        handle=f"@{account.username}",
        settings=settings,
    )


@pytest.fixture
def image(tmp_path: Path) -> Path:
    path = tmp_path / "square.png"
    Image.new("RGB", (16, 16), (200, 30, 30)).save(path)
    return path


def test_publish_sends_text_link_media_with_alt_text_and_reply_target(
    mastodon_server, mastodon_account, image
):
    conn = connect(mastodon_server, mastodon_account)
    first = conn.publish(Outgoing(text="Kopi launch day", idempotency_key="v1-a"))
    out = Outgoing(
        text="Our new blend is here",
        idempotency_key="v2-a",
        media=(MediaFile(image, "image/png", "A red square on a plate"),),
        link="https://example.org/blend",
        reply_to=first.external_id,
    )
    published = conn.publish(out)

    on_server = {s["id"]: s for s in mastodon_server.statuses_of(mastodon_account)}
    status = on_server[published.external_id]
    assert "Our new blend is here" in status["content"] and "https://example.org/blend" in status["content"]
    assert [m["description"] for m in status["media_attachments"]] == ["A red square on a plate"]
    assert status["in_reply_to_id"] == first.external_id
    assert published.permalink == status["url"]
    assert published.published_at is not None and published.published_at.tzinfo is not None


def test_the_same_idempotency_key_publishes_once(mastodon_server, mastodon_account):
    conn = connect(mastodon_server, mastodon_account)
    out = Outgoing(text="Only once, please", idempotency_key="variant-7-attempt")
    assert conn.publish(out).external_id == conn.publish(out).external_id
    assert len(mastodon_server.statuses_of(mastodon_account)) == 1


def test_find_published_matches_text_and_target_since_the_attempt(mastodon_server, mastodon_account, image):
    conn = connect(mastodon_server, mastodon_account)
    before = datetime.now(UTC)
    sent = Outgoing(
        text="Line one\n\nLine two & more",
        idempotency_key="k-find",
        link="https://example.org/a?b=1",
        media=(MediaFile(image, "image/png", "alt"),),
    )
    published = conn.publish(sent)
    # Other posts on the account, enough to need more than one page of the listing.
    for i in range(45):
        mastodon_server.post_as(mastodon_account, f"unrelated post {i}")

    found = conn.find_published("k-find", before, post=sent)
    assert found is not None and found.external_id == published.external_id

    assert conn.find_published("k-other", before, post=Outgoing("Never sent", "k-other")) is None
    # Same text without the media, or as a reply: not the same post.
    assert conn.find_published("k-find", before, post=Outgoing(sent.text, "k-find", link=sent.link)) is None
    later = datetime.now(UTC) + timedelta(hours=1)
    assert conn.find_published("k-find", later, post=sent) is None
    with pytest.raises(PermanentError, match="pass the post"):
        conn.find_published("k-find", before)


def test_post_and_channel_metrics_come_from_the_server(mastodon_server, mastodon_account):
    conn = connect(mastodon_server, mastodon_account)
    fan = mastodon_server.create_account()
    post = conn.publish(Outgoing(text="Count me", idempotency_key="m1"))
    gone = conn.publish(Outgoing(text="Deleted later", idempotency_key="m2"))
    mastodon_server.request("POST", f"/api/v1/statuses/{post.external_id}/favourite", token=fan.access_token)
    mastodon_server.request("POST", f"/api/v1/statuses/{post.external_id}/reblog", token=fan.access_token)
    mastodon_server.post_as(fan, "great", in_reply_to_id=post.external_id)
    mastodon_server.request("POST", f"/api/v1/accounts/{mastodon_account.id}/follow", token=fan.access_token)
    mastodon_server.request(
        "DELETE", f"/api/v1/statuses/{gone.external_id}", token=mastodon_account.access_token
    )

    metrics = conn.fetch_post_metrics([post.external_id, gone.external_id])
    assert [(m.external_id, m.values) for m in metrics] == [
        (post.external_id, {"likes": 1, "shares": 1, "comments": 1})
    ]
    [channel] = conn.fetch_channel_metrics(datetime.now(UTC).date() - timedelta(days=30))
    assert channel.values["followers"] == 1 and channel.day == datetime.now(UTC).date()


def test_inbox_sorts_mentions_comments_and_direct_messages_and_resumes_from_its_cursor(
    mastodon_server, mastodon_account
):
    conn = connect(mastodon_server, mastodon_account)
    fan = mastodon_server.create_account()
    me = f"@{mastodon_account.username}"
    ours = conn.publish(Outgoing(text="Tell us what you think", idempotency_key="i1"))
    mention = mastodon_server.post_as(fan, f"Has anyone tried {me}?")
    reply = mastodon_server.post_as(fan, f"{me} love it", in_reply_to_id=ours.external_id)
    quiet_reply = mastodon_server.post_as(fan, "no mention here", in_reply_to_id=ours.external_id)
    dm = mastodon_server.post_as(fan, f"{me} is my order late?", visibility="direct")

    page = conn.fetch_inbox(None)
    kinds = {i.external_id: i.kind for i in page.items}
    assert kinds == {
        mention["id"]: InboxKind.MENTION,
        reply["id"]: InboxKind.COMMENT,
        quiet_reply["id"]: InboxKind.COMMENT,
        dm["id"]: InboxKind.DIRECT_MESSAGE,
    }
    item = next(i for i in page.items if i.external_id == reply["id"])
    assert item.author_handle == f"@{fan.username}" and item.text == f"{me} love it"
    assert item.in_reply_to == ours.external_id and item.permalink
    assert [i.created_at for i in page.items] == sorted(i.created_at for i in page.items)

    again = conn.fetch_inbox(page.cursor)
    assert again.items == [] and again.cursor == page.cursor
    newer = mastodon_server.post_as(fan, "one more", in_reply_to_id=ours.external_id)
    newer_mention = mastodon_server.post_as(fan, f"and {me} again")
    page3 = conn.fetch_inbox(page.cursor)
    assert sorted(i.external_id for i in page3.items) == sorted([newer["id"], newer_mention["id"]])
    assert conn.fetch_inbox(page3.cursor).items == []


def test_send_reply_addresses_the_author_and_keeps_direct_messages_direct(mastodon_server, mastodon_account):
    conn = connect(mastodon_server, mastodon_account)
    fan = mastodon_server.create_account()
    dm = mastodon_server.post_as(
        fan, f"@{mastodon_account.username} where is my parcel?", visibility="direct"
    )
    comment = mastodon_server.post_as(fan, f"@{mastodon_account.username} nice")

    answer = conn.send_reply(dm["id"], "It ships today.", "reply-1")
    thanks = conn.send_reply(comment["id"], "Thank you!", "reply-2")
    by_id = {s["id"]: s for s in mastodon_server.statuses_of(mastodon_account)}
    assert by_id[answer.external_id]["visibility"] == "direct"
    assert by_id[answer.external_id]["in_reply_to_id"] == dm["id"]
    assert f"@{fan.username}" in by_id[answer.external_id]["content"]
    assert by_id[thanks.external_id]["visibility"] == "public"
    assert conn.send_reply(comment["id"], "Thank you!", "reply-2").external_id == thanks.external_id


def test_health_names_the_account_and_the_rate_limit_headroom(mastodon_server, mastodon_account):
    health = connect(mastodon_server, mastodon_account).check_health()
    assert health.ok and health.account.startswith(f"@{mastodon_account.username}@")
    assert health.rate_limit_remaining is not None and health.rate_limit_remaining > 0
    assert health.rate_limit_reset_at is not None and health.rate_limit_reset_at > datetime.now(UTC)
    assert health.token_expires_at is None

    wrong = MastodonConnector(
        base_url=mastodon_server.base_url,
        credential=mastodon_account.access_token,
        handle="@someone_else",
        settings={},
    ).check_health()
    assert not wrong.ok and "someone_else" in wrong.message


def test_refusals_are_permanent_with_the_servers_message_and_no_token(mastodon_server, mastodon_account):
    bad = MastodonConnector(
        base_url=mastodon_server.base_url, credential="not-a-real-token-123", handle="@x", settings={}
    )
    with pytest.raises(PermanentError) as refused:
        bad.check_health()
    assert refused.value.status == 401 and "not-a-real-token-123" not in str(refused.value)

    conn = connect(mastodon_server, mastodon_account)
    with pytest.raises(PermanentError) as invalid:
        conn.publish(Outgoing(text="x" * 600, idempotency_key="too-long"))
    assert invalid.value.status == 422 and invalid.value.platform_message
    assert mastodon_account.access_token not in str(invalid.value)
    mastodon_server.add_fault(
        status=403, path="/api/v1/statuses", methods=["POST"], body={"error": "Suspended"}
    )
    with pytest.raises(PermanentError, match="Suspended"):
        conn.publish(Outgoing(text="hello", idempotency_key="f403"))


@pytest.mark.parametrize("status", [500, 502, 503])
def test_server_errors_are_transient(mastodon_server, mastodon_account, status):
    conn = connect(mastodon_server, mastodon_account)
    mastodon_server.add_fault(status=status, path="/api/v1/statuses", methods=["POST"])
    with pytest.raises(TransientError) as failed:
        conn.publish(Outgoing(text="try again", idempotency_key=f"t{status}"))
    assert failed.value.status == status
    assert conn.publish(Outgoing(text="try again", idempotency_key=f"t{status}")).external_id
    assert len(mastodon_server.statuses_of(mastodon_account)) == 1


def test_rate_limit_is_transient_with_the_servers_retry_time(mastodon_server, mastodon_account):
    conn = connect(mastodon_server, mastodon_account)
    mastodon_server.add_fault(effect="ratelimit", status=429, path="/api/v1/statuses", methods=["POST"])
    with pytest.raises(TransientError) as limited:
        conn.publish(Outgoing(text="slow down", idempotency_key="rl"))
    assert limited.value.status == 429
    assert limited.value.retry_after is not None and 250 <= limited.value.retry_after <= 300


def test_unreachable_slow_or_garbled_servers_are_transient(mastodon_server, mastodon_account):
    from tests.servers.mastodon_server import free_port

    gone = MastodonConnector(
        base_url=f"http://127.0.0.1:{free_port()}", credential="tok", handle="@x", settings={}
    )
    with pytest.raises(TransientError):
        gone.check_health()
    conn = connect(mastodon_server, mastodon_account, timeout_s=1)
    mastodon_server.add_fault(effect="latency", delay_ms=3000, path="/api/v1/accounts/verify_credentials")
    with pytest.raises(TransientError):
        conn.check_health()
    mastodon_server.add_fault(effect="malformed", path="/api/v1/statuses", methods=["POST"])
    with pytest.raises(TransientError):
        conn.publish(Outgoing(text="garbled", idempotency_key="mal"))


def test_inbox_walks_forward_page_by_page_without_gaps(mastodon_server, mastodon_account, monkeypatch):
    import app.connectors.mastodon.inbox as inbox

    conn = connect(mastodon_server, mastodon_account)
    start = conn.fetch_inbox(None)
    assert start.items == [] and start.cursor  # even an empty first look leaves a place to resume from
    fan = mastodon_server.create_account()
    sent = [
        mastodon_server.post_as(fan, f"@{mastodon_account.username} number {i}")["id"] for i in range(100)
    ]
    monkeypatch.setattr(inbox, "NOTIFICATION_PAGES", 1)  # one page (the server's size, at most 80) a fetch
    got, cursor, fetches = [], start.cursor, 0
    while fetches < 10:
        page = conn.fetch_inbox(cursor)
        fetches += 1
        if not page.items:
            break
        got.append([i.external_id for i in page.items])
        cursor = page.cursor
    assert len(got) >= 2 and all(len(ids) <= 80 for ids in got)
    assert [i for ids in got for i in ids] == sent  # oldest first, no gap, nothing twice


def test_find_published_looks_back_past_many_newer_posts(mastodon_server, mastodon_account):
    conn = connect(mastodon_server, mastodon_account, reconcile_pages=3)
    since = datetime.now(UTC)
    early = Outgoing(text="The first of the batch", idempotency_key="batch-0")
    published = conn.publish(early)
    for i in range(90):
        mastodon_server.post_as(mastodon_account, f"batch post {i}")
    assert conn.find_published("batch-0", since, post=early).external_id == published.external_id
    for i in range(40):
        mastodon_server.post_as(mastodon_account, f"more {i}")
    # Past the configured look-back (3 pages of 40) it cannot tell; the retry's key is the safeguard.
    assert conn.find_published("batch-0", since, post=early) is None
    assert conn.publish(early).external_id == published.external_id


def test_a_missing_media_file_is_permanent_and_nothing_is_posted(mastodon_server, mastodon_account, tmp_path):
    conn = connect(mastodon_server, mastodon_account)
    gone = MediaFile(tmp_path / "deleted.png", "image/png", "alt")
    with pytest.raises(PermanentError, match=r"deleted\.png"):
        conn.publish(Outgoing(text="with a picture", idempotency_key="nofile", media=(gone,)))
    assert mastodon_server.statuses_of(mastodon_account) == []

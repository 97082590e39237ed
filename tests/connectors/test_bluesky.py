"""The Bluesky connector against a real local PDS (tests/servers/bluesky_fixture.py): what it publishes is
what the PDS holds (facets, images with alt text, reply threads), a retried key never makes a second
post, the inbox finds replies and mentions from other accounts and pages with its cursor, and sign-in
failures say what the server said without ever showing the password."""

from __future__ import annotations

import re
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import select

import app.connectors.bluesky.connector as bluesky_mod
import app.connectors.bluesky.repos as bluesky_repos
from app.cli import main
from app.connectors.base import (
    Connector,
    InboxKind,
    MediaFile,
    Outgoing,
    PermanentError,
    Published,
    TransientError,
)
from app.connectors.bluesky import BlueskyConnector, record_key, split_credential
from app.db import read_session, write_session
from app.models import AuditLog, Channel, ConnectorAccount
from app.models.enums import ConnectorKind, HealthStatus, Platform, PostStatus
from app.services.core import Actor
from app.services.publishing import publish_due
from tests.servers.bluesky_fixture import BlueskyPds, PdsAccount, free_port
from tests.services.publishing.publishkit import add_channel, add_due_posts, make_world, variants_of


@pytest.fixture(scope="module")
def me(bluesky_pds: BlueskyPds) -> tuple[PdsAccount, str]:
    """Our brand's account and an app password for it (what a person pastes into the app)."""
    account = bluesky_pds.create_account()
    return account, bluesky_pds.app_password(account)


def connect(pds: BlueskyPds, handle: str, credential: str, **settings: object) -> BlueskyConnector:
    return BlueskyConnector(base_url=pds.base_url, credential=credential, handle=handle, settings=settings)


@pytest.fixture
def bsky(bluesky_pds: BlueskyPds, me: tuple[PdsAccount, str]) -> BlueskyConnector:
    return connect(bluesky_pds, me[0].handle, me[1])


def _key(name: str) -> str:
    return f"soh-test-{name}-{datetime.now(UTC).timestamp()}"


def _record(pds: BlueskyPds, uri: str) -> dict:
    did, collection, rkey = uri.removeprefix("at://").split("/")
    return pds.xrpc(
        "com.atproto.repo.getRecord", params={"repo": did, "collection": collection, "rkey": rkey}
    )


def _slice(text: str, facet: dict) -> str:
    raw = text.encode()
    return raw[facet["index"]["byteStart"] : facet["index"]["byteEnd"]].decode()


def test_the_connector_meets_the_contract(bsky: BlueskyConnector) -> None:
    assert isinstance(bsky, Connector)


def test_record_keys_are_valid_tids_that_depend_only_on_the_key() -> None:
    keys = [record_key(f"soh-v{i}-abc") for i in range(500)]
    assert len(set(keys)) == 500 and keys == [record_key(f"soh-v{i}-abc") for i in range(500)]
    alphabet = set("234567abcdefghijklmnopqrstuvwxyz")
    assert all(len(k) == 13 and k[0] in "234567abcdefghij" and set(k) <= alphabet for k in keys)


def test_a_credential_can_carry_the_handle_it_signs_in_as() -> None:
    assert split_credential("abcd-efgh-ijkl-mnop", "brand.test") == ("brand.test", "abcd-efgh-ijkl-mnop")
    assert split_credential("brand.test:abcd-efgh", "") == ("brand.test", "abcd-efgh")
    assert split_credential("did:plc:abc123:abcd-efgh", "") == ("did:plc:abc123", "abcd-efgh")
    # A password with a colon in it is not mistaken for an identifier.
    assert split_credential("pa ss:word", "brand.test") == ("brand.test", "pa ss:word")


def test_publish_text_with_a_link_and_a_mention(bluesky_pds: BlueskyPds, me, bsky) -> None:
    friend = bluesky_pds.create_account()
    text = f"Thé new blend is here, ask @{friend.handle} ✨"
    out = bsky.publish(Outgoing(text=text, idempotency_key=_key("text"), link="https://example.com/tea?x=1"))

    did, collection, rkey = out.external_id.removeprefix("at://").split("/")
    assert (did, collection) == (me[0].did, "app.bsky.feed.post")
    assert out.permalink == f"https://bsky.app/profile/{me[0].handle}/post/{rkey}"
    assert out.published_at and abs(out.published_at - datetime.now(UTC)) < timedelta(minutes=1)

    value = _record(bluesky_pds, out.external_id)["value"]
    assert value["text"] == f"{text}\n\nhttps://example.com/tea?x=1"
    facets = {f["features"][0]["$type"]: f for f in value["facets"]}
    mention = facets["app.bsky.richtext.facet#mention"]
    link = facets["app.bsky.richtext.facet#link"]
    # Byte offsets, not character offsets: the text has multi-byte characters before both.
    assert _slice(value["text"], mention) == f"@{friend.handle}"
    assert mention["features"][0]["did"] == friend.did
    assert _slice(value["text"], link) == "https://example.com/tea?x=1"
    assert link["features"][0]["uri"] == "https://example.com/tea?x=1"
    assert value["embed"]["external"]["uri"] == "https://example.com/tea?x=1"


def test_publish_images_with_alt_text(bluesky_pds: BlueskyPds, me, bsky, tmp_path: Path) -> None:
    paths = []
    for i, size in enumerate([(64, 48), (30, 90)]):
        path = tmp_path / f"img{i}.png"
        Image.new("RGB", size, (200, 40 * i, 90)).save(path)
        paths.append(path)
    media = (
        MediaFile(paths[0], "image/png", "A cup of green tea on a wooden table"),
        MediaFile(paths[1], "image/png", ""),
    )
    out = bsky.publish(Outgoing(text="Two pictures", idempotency_key=_key("img"), media=media))

    embed = _record(bluesky_pds, out.external_id)["value"]["embed"]
    assert embed["$type"] == "app.bsky.embed.images"
    assert [i["alt"] for i in embed["images"]] == ["A cup of green tea on a wooden table", ""]
    assert [(i["aspectRatio"]["width"], i["aspectRatio"]["height"]) for i in embed["images"]] == [
        (64, 48),
        (30, 90),
    ]
    first = embed["images"][0]["image"]
    assert first["mimeType"] == "image/png"
    assert bluesky_pds.blob(me[0].did, first["ref"]["$link"]) == paths[0].read_bytes()


def test_media_bluesky_cannot_take_is_refused_before_anything_is_posted(
    bluesky_pds: BlueskyPds, me, bsky, tmp_path: Path
) -> None:
    clip = tmp_path / "clip.mp4"
    clip.write_bytes(b"\x00" * 100)
    before = len(bluesky_pds.records(me[0].did))
    with pytest.raises(PermanentError, match=re.escape("images only; clip.mp4 is video/mp4")):
        bsky.publish(
            Outgoing(text="a clip", idempotency_key=_key("vid"), media=(MediaFile(clip, "video/mp4"),))
        )
    assert len(bluesky_pds.records(me[0].did)) == before


def test_replies_point_at_their_parent_and_the_thread_root(bluesky_pds: BlueskyPds, bsky) -> None:
    root = bsky.publish(Outgoing(text="Thread start", idempotency_key=_key("root")))
    first = bsky.publish(Outgoing(text="Reply 1", idempotency_key=_key("r1"), reply_to=root.external_id))
    second = bsky.send_reply(first.external_id, "Reply 2", _key("r2"))

    def refs(uri: str) -> dict:
        reply = _record(bluesky_pds, uri)["value"]["reply"]
        return {k: {"uri": reply[k]["uri"], "cid": reply[k]["cid"]} for k in ("root", "parent")}

    root_cid = _record(bluesky_pds, root.external_id)["cid"]
    first_cid = _record(bluesky_pds, first.external_id)["cid"]
    assert refs(first.external_id) == {
        "root": {"uri": root.external_id, "cid": root_cid},
        "parent": {"uri": root.external_id, "cid": root_cid},
    }
    assert refs(second.external_id) == {
        "root": {"uri": root.external_id, "cid": root_cid},
        "parent": {"uri": first.external_id, "cid": first_cid},
    }


def test_a_reply_to_a_missing_post_or_a_bad_id_is_permanent(me, bsky) -> None:
    gone = f"at://{me[0].did}/app.bsky.feed.post/{record_key('never-posted')}"
    with pytest.raises(PermanentError, match="no longer exists"):
        bsky.publish(Outgoing(text="hello?", idempotency_key=_key("orphan"), reply_to=gone))
    with pytest.raises(PermanentError, match=r"not a Bluesky post id.*'12345'"):
        bsky.publish(Outgoing(text="hello?", idempotency_key=_key("badid"), reply_to="12345"))


def test_text_the_server_refuses_fails_permanently_with_its_message(bsky) -> None:
    with pytest.raises(PermanentError) as refused:
        bsky.publish(Outgoing(text="x" * 400, idempotency_key=_key("long")))
    assert refused.value.status == 400
    assert "maximum 300" in refused.value.platform_message and "record.text" in refused.value.platform_message


def test_a_retried_key_makes_exactly_one_post(bluesky_pds: BlueskyPds, me, bsky) -> None:
    key = _key("retry")
    before = len(bluesky_pds.records(me[0].did))
    first = bsky.publish(Outgoing(text="Exactly once", idempotency_key=key))
    # The retry comes from a fresh connector (another runner, after a crash) and even with other text.
    again = connect(bluesky_pds, me[0].handle, me[1]).publish(
        Outgoing(text="Exactly once!", idempotency_key=key)
    )
    assert again.external_id == first.external_id and again.permalink == first.permalink
    posts = bluesky_pds.records(me[0].did)
    assert len(posts) == before + 1
    assert [p["value"]["text"] for p in posts if p["uri"] == first.external_id] == ["Exactly once"]


def test_two_runners_racing_on_one_key_make_one_post(bluesky_pds: BlueskyPds, me) -> None:
    key = _key("race")
    before = len(bluesky_pds.records(me[0].did))
    runners = [connect(bluesky_pds, me[0].handle, me[1]) for _ in range(4)]
    for r in runners:
        r.login()  # signed in before the start line, so the creates really overlap
    results: list[object] = [None] * len(runners)
    start = threading.Barrier(len(runners))

    def run(i: int) -> None:
        start.wait()
        try:
            results[i] = runners[i].publish(Outgoing(text="Raced", idempotency_key=key)).external_id
        except Exception as exc:  # reported below
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(runners))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert len(set(results)) == 1 and str(results[0]).startswith("at://"), results
    assert len(bluesky_pds.records(me[0].did)) == before + 1


def test_find_published_sees_only_what_reached_the_server(bsky) -> None:
    key = _key("find")
    since = datetime.now(UTC) - timedelta(minutes=1)
    assert bsky.find_published(key, since) is None
    out = bsky.publish(Outgoing(text="Find me", idempotency_key=key))
    assert bsky.find_published(key, since) == out
    assert bsky.find_published(_key("other"), since) is None


def test_inbox_finds_replies_and_mentions_and_the_cursor_returns_only_newer(bluesky_pds: BlueskyPds) -> None:
    brand = bluesky_pds.create_account()
    me = (brand, bluesky_pds.app_password(brand))
    bsky = connect(bluesky_pds, brand.handle, me[1])
    fan = bluesky_pds.create_account()
    bluesky_pds.create_record(fan, "app.bsky.actor.profile", {"displayName": "Tea Fan"}, rkey="self")
    ours = bsky.publish(Outgoing(text="What is your favourite tea?", idempotency_key=_key("ask")))
    ours_cid = _record(bluesky_pds, ours.external_id)["cid"]
    start = bsky.fetch_inbox(None)
    assert start.items == [] and start.cursor is None  # nothing yet, and nothing from other tests

    reply = bluesky_pds.post_as(fan, "Jasmine, always", reply_to=(ours.external_id, ours_cid))
    mention = bluesky_pds.post_as(fan, f"Loving the tea from @{me[0].handle}", mention=me[0])
    bluesky_pds.post_as(fan, "Just talking to myself")  # neither: not in the inbox
    other_post = bluesky_pds.post_as(fan, "A thread of my own")
    bluesky_pds.post_as(fan, "replying to myself", reply_to=(other_post["uri"], other_post["cid"]))

    page = bsky.fetch_inbox(start.cursor)
    got = {i.external_id: i for i in page.items}
    assert set(got) == {reply["uri"], mention["uri"]}
    r, m = got[reply["uri"]], got[mention["uri"]]
    assert (r.kind, r.text, r.in_reply_to) == (InboxKind.COMMENT, "Jasmine, always", ours.external_id)
    assert (m.kind, m.in_reply_to) == (InboxKind.MENTION, None)
    assert r.author_handle == fan.handle and r.author_name == "Tea Fan"
    assert r.permalink == f"https://bsky.app/profile/{fan.handle}/post/{reply['uri'].rsplit('/', 1)[1]}"
    assert [i.external_id for i in page.items] == [reply["uri"], mention["uri"]]  # oldest first

    assert bsky.fetch_inbox(page.cursor).items == []
    later = bluesky_pds.post_as(fan, "and oolong", reply_to=(ours.external_id, ours_cid))
    newer = bsky.fetch_inbox(page.cursor)
    assert [i.external_id for i in newer.items] == [later["uri"]]
    assert newer.cursor and newer.cursor != page.cursor


def test_post_metrics_count_likes_reposts_and_replies(bluesky_pds: BlueskyPds, bsky) -> None:
    a, b = bluesky_pds.create_account(), bluesky_pds.create_account()
    post = bsky.publish(Outgoing(text="Count me", idempotency_key=_key("metrics")))
    quiet = bsky.publish(Outgoing(text="Nobody sees me", idempotency_key=_key("quiet")))
    cid = _record(bluesky_pds, post.external_id)["cid"]
    bluesky_pds.like(a, post.external_id, cid)
    bluesky_pds.like(b, post.external_id, cid)
    now = datetime.now(UTC).isoformat().replace("+00:00", "Z")
    bluesky_pds.create_record(
        a, "app.bsky.feed.repost", {"subject": {"uri": post.external_id, "cid": cid}, "createdAt": now}
    )
    bluesky_pds.post_as(b, "Counted", reply_to=(post.external_id, cid))

    metrics = bsky.fetch_post_metrics([post.external_id, quiet.external_id])
    assert [(m.external_id, m.values) for m in metrics] == [
        (post.external_id, {"likes": 2, "shares": 1, "comments": 1}),
        (quiet.external_id, {"likes": 0, "shares": 0, "comments": 0}),
    ]


def test_channel_metrics_count_followers(bluesky_pds: BlueskyPds, me) -> None:
    account = bluesky_pds.create_account()
    bsky = connect(bluesky_pds, account.handle, bluesky_pds.app_password(account))
    now = datetime.now(UTC).isoformat().replace("+00:00", "Z")
    for _ in range(2):
        fan = bluesky_pds.create_account()
        bluesky_pds.create_record(fan, "app.bsky.graph.follow", {"subject": account.did, "createdAt": now})
    bsky.publish(Outgoing(text="hello followers", idempotency_key=_key("followers")))
    [today] = bsky.fetch_channel_metrics(datetime.now(UTC).date() - timedelta(days=7))
    assert today.day == datetime.now(UTC).date()
    assert today.values == {"followers": 2, "following": 0, "posts": 1}


def test_health_says_who_and_when_the_session_expires(me, bsky) -> None:
    health = bsky.check_health()
    assert health.ok and health.account == me[0].handle and health.message == f"signed in as {me[0].handle}"
    assert health.details["did"] == me[0].did
    assert health.token_expires_at and health.token_expires_at > datetime.now(UTC) + timedelta(hours=1)


def test_a_credential_carrying_the_handle_signs_in_without_one(bluesky_pds: BlueskyPds, me) -> None:
    health = connect(bluesky_pds, "", f"{me[0].handle}:{me[1]}").check_health()
    assert health.ok and health.account == me[0].handle


def test_a_credential_for_another_account_is_not_ok(bluesky_pds: BlueskyPds, me) -> None:
    health = connect(bluesky_pds, "someone-else.test", f"{me[0].handle}:{me[1]}").check_health()
    assert not health.ok and "signs in as" in health.message and "someone-else.test" in health.message


def test_a_wrong_password_is_permanent_and_never_shown(bluesky_pds: BlueskyPds, me) -> None:
    wrong = "wrong-pass-Zq81x"
    with pytest.raises(PermanentError) as refused:
        connect(bluesky_pds, me[0].handle, wrong).check_health()
    error = refused.value
    assert error.status == 401 and "Invalid identifier or password" in error.platform_message
    assert wrong not in str(error) and wrong not in error.platform_message
    with pytest.raises(PermanentError) as refused:
        connect(bluesky_pds, me[0].handle, wrong).publish(Outgoing(text="x", idempotency_key=_key("pw")))
    assert wrong not in str(refused.value)


def test_an_unreachable_server_is_transient() -> None:
    bsky = BlueskyConnector(
        base_url=f"http://127.0.0.1:{free_port()}", credential="abcd-efgh", handle="x.test", settings={}
    )
    with pytest.raises(TransientError, match=re.escape("127.0.0.1")) as failed:
        bsky.check_health()
    assert "abcd-efgh" not in str(failed.value)


@pytest.mark.parametrize(
    ("base_url", "credential", "handle", "needs"),
    [
        (None, "pw", "a.test", "base URL"),
        ("http://127.0.0.1:1", None, "a.test", "app password"),
        ("http://127.0.0.1:1", "pw", "", "account to sign in as"),
    ],
)
def test_missing_settings_are_named(base_url, credential, handle, needs) -> None:
    with pytest.raises(PermanentError, match=needs):
        BlueskyConnector(base_url=base_url, credential=credential, handle=handle, settings={})


@pytest.fixture
def cli(empty_db, use_db, capsys):  # type: ignore[no-untyped-def]
    use_db(empty_db)

    def run(*args: str) -> tuple[int, str, str]:
        code = main(list(args))
        out, err = capsys.readouterr()
        return code, out, err

    assert run("db", "reset", "--yes")[0] == 0
    market = ["--name", "Thailand", "--country", "TH", "--languages", "th,en", "--timezone", "Asia/Bangkok"]
    assert run("markets", "add", "th", *market, "--currency", "THB")[0] == 0
    assert run("brands", "add", "siam-tea", "--name", "Siam Tea", "--market", "th")[0] == 0
    return run


def test_channels_add_and_check_from_the_cli(cli, empty_db, bluesky_pds: BlueskyPds, monkeypatch) -> None:
    account = bluesky_pds.create_account()
    password = bluesky_pds.app_password(account)
    # HANDLE:APP-PASSWORD lets `channels add` learn the handle, as it does from a Mastodon token.
    monkeypatch.setenv("BSKY_SIAMTEA", f"{account.handle}:{password}")
    code, out, err = cli(
        "channels", "add", "--brand", "siam-tea", "--platform", "bluesky",
        "--base-url", bluesky_pds.base_url, "--token-env", "BSKY_SIAMTEA",
    )  # fmt: skip
    assert code == 0, err
    assert f"handle {account.handle} learned from" in err and f"bluesky {account.handle}" in out

    code, out, err = cli("channels", "check", "siam-tea-bluesky")
    assert code == 0, err
    assert out.startswith(f"siam-tea-bluesky  ok  signed in as {account.handle}")
    with read_session(empty_db) as s:
        stored = " ".join(
            str(vars(r)) for r in [*s.scalars(select(ConnectorAccount)), *s.scalars(select(AuditLog))]
        )
        acc = s.scalars(select(ConnectorAccount)).one()
    assert acc.status == HealthStatus.OK and acc.token_expires_at is not None
    assert password not in out + err + stored

    # The app password alone works once the channel knows its handle; a revoked one breaks the channel.
    monkeypatch.setenv("BSKY_SIAMTEA", password)
    assert cli("channels", "check", "siam-tea-bluesky")[0] == 0
    monkeypatch.setenv("BSKY_SIAMTEA", "revoked-app-pass")
    code, out, err = cli("channels", "check", "siam-tea-bluesky")
    assert code == 1 and "broken" in out and "Invalid identifier or password" in out
    assert "revoked-app-pass" not in out + err


def test_a_busy_inbox_comes_in_pages_that_the_cursor_walks(bluesky_pds: BlueskyPds, monkeypatch) -> None:
    monkeypatch.setattr(bluesky_repos, "INBOX_PAGE", 2)
    brand = bluesky_pds.create_account()
    bsky = connect(bluesky_pds, brand.handle, bluesky_pds.app_password(brand))
    ours = bsky.publish(Outgoing(text="Ask me anything", idempotency_key=_key("ama")))
    cid = _record(bluesky_pds, ours.external_id)["cid"]
    fans = [bluesky_pds.create_account() for _ in range(2)]
    sent = [
        bluesky_pds.post_as(fans[i % 2], f"question {i}", reply_to=(ours.external_id, cid))["uri"]
        for i in range(5)
    ]

    seen, cursor, pages = [], None, 0
    while pages < 10:
        page = bsky.fetch_inbox(cursor)
        if not page.items:
            break
        assert len(page.items) <= 2
        seen += [i.external_id for i in page.items]
        cursor, pages = page.cursor, pages + 1
    assert seen == sent and pages == 3


def test_publish_due_posts_once_even_when_the_answer_is_lost(
    empty_db, bluesky_pds: BlueskyPds, monkeypatch
) -> None:
    """The publish job through the registry: the first post's answer is lost after the PDS stored it (a
    timeout); the retry finds it by its key instead of posting again."""
    account = bluesky_pds.create_account()
    monkeypatch.setenv("PUBTEST_BSKY", bluesky_pds.app_password(account))
    world = make_world(empty_db)
    ch = add_channel(
        empty_db,
        world.brand_ids[0],
        platform=Platform.BLUESKY,
        kind=ConnectorKind.BLUESKY,
        base_url=bluesky_pds.base_url,
        credential_env="PUBTEST_BSKY",
        handle=account.handle,
    )
    with write_session(empty_db) as s:  # add_channel numbers handles; this one must be the account's
        s.get(Channel, ch).handle = account.handle
    due = add_due_posts(empty_db, world, [ch], count=2)
    real_publish = BlueskyConnector.publish
    lost: list[str] = []

    def publish_then_lose_the_answer(self: BlueskyConnector, post: Outgoing) -> Published:
        out = real_publish(self, post)
        if not lost:
            lost.append(out.external_id)
            raise TransientError("Bluesky: ReadTimeout")
        return out

    monkeypatch.setattr(BlueskyConnector, "publish", publish_then_lose_the_answer)
    job = Actor.system("job:publish_due")
    now = datetime.now(UTC)
    first = publish_due(empty_db, job, now=now)
    assert (first.published, first.retried) == (1, 1)
    second = publish_due(empty_db, job, now=now + timedelta(minutes=5))
    assert (second.reconciled, second.published) == (1, 0)  # found by its key, not posted again

    on_pds = {r["uri"]: r["value"]["text"] for r in bluesky_pds.records(account.did)}
    variants = variants_of(empty_db, due)
    assert len(on_pds) == 2 and {v.external_id for v in variants} == set(on_pds)
    assert lost[0] in on_pds
    for v in variants:
        assert v.status == PostStatus.PUBLISHED and on_pds[v.external_id] == v.copy
        assert (
            v.permalink == f"https://bsky.app/profile/{account.handle}/post/{v.external_id.rsplit('/', 1)[1]}"
        )


def test_connectors_for_one_account_share_a_sign_in_and_recover_when_it_is_revoked(
    bluesky_pds: BlueskyPds, monkeypatch
) -> None:
    """Sign-ins are rate limited per account (30 in 5 minutes on the big network): a job building a
    connector per channel run must not sign in every time, and must sign in again if the session dies."""
    from atproto import Client

    account = bluesky_pds.create_account()
    password = bluesky_pds.app_password(account)
    real = Client._get_and_set_session
    sign_ins: list[str] = []

    def counted(self, login, *args, **kwargs):  # type: ignore[no-untyped-def]
        sign_ins.append(login)
        return real(self, login, *args, **kwargs)

    monkeypatch.setattr(Client, "_get_and_set_session", counted)
    for _ in range(5):
        assert connect(bluesky_pds, account.handle, password).check_health().ok
    assert sign_ins == [account.handle]

    # The kept session dies (tokens the server no longer accepts): the next connector signs in again.
    [key] = [k for k in bluesky_mod._sessions if k[:2] == (bluesky_pds.base_url, account.handle)]
    handle, did, access, refresh, pds = bluesky_mod._sessions[key].split(":::")
    forged = [".".join([*token.split(".")[:2], "bm90LXRoZS1zaWduYXR1cmU"]) for token in (access, refresh)]
    bluesky_mod._sessions[key] = ":::".join([handle, did, *forged, pds])
    assert connect(bluesky_pds, account.handle, password).check_health().ok
    assert sign_ins == [account.handle, account.handle]

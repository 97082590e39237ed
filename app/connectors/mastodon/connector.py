"""Mastodon through Mastodon.py: publish (text, media with alt text, link, replies) with an
Idempotency-Key, post and follower counts, mentions/replies/direct messages since a cursor, replies and a
health check. Platform errors become TransientError (retry) or PermanentError (do not).

Finding an earlier attempt (`find_published`): Mastodon honours `Idempotency-Key` on create (a repeat with
the same key within the server's window, an hour on stock Mastodon, returns the first post instead of a
second one) but never shows the key on a post again. So an attempt is found by listing the account's own
posts since the attempt began and matching the exact text we send (read back through the status source
endpoint, which returns what was typed rather than rendered HTML), the reply target and the number of
media files. The oldest match wins. Two variants with the same text and target in the same window are
indistinguishable; the key on the retried request still keeps the retry from posting twice.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any, TypeVar

import requests
from mastodon import (
    Mastodon,
    MastodonAPIError,
    MastodonError,
    MastodonIllegalArgumentError,
    MastodonIOError,
    MastodonNetworkError,
    MastodonNotFoundError,
    MastodonRatelimitError,
    MastodonServerError,
)

from app.connectors.base import (
    ChannelMetrics,
    ConnectorError,
    Health,
    InboxPage,
    Outgoing,
    PermanentError,
    PostMetrics,
    Published,
    TransientError,
)
from app.connectors.mastodon.inbox import read_inbox
from app.connectors.mastodon.text import plain_text
from app.models.enums import ConnectorKind

T = TypeVar("T")
CLOCK_SKEW = timedelta(minutes=5)  # our clock and the server's may disagree this much
# find_published reads the account's own posts back to the attempt's start, 40 a page, at most this many
# pages (1,000 posts); past that it says "not found" and the retry's Idempotency-Key is the safeguard.
RECONCILE_PAGES = 25


def compose_text(post: Outgoing) -> str:
    """The status text we send: the variant's text, with its link appended unless already in it."""
    text = post.text.rstrip()
    if post.link and post.link not in text:
        text = f"{text}\n\n{post.link}" if text else post.link
    return text


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _acct(handle: str) -> str:
    """'@Name@host' / 'name' -> 'name' (the local part, lower-case) for comparing handles."""
    return handle.strip().lstrip("@").split("@", 1)[0].lower()


class MastodonConnector:
    kind = ConnectorKind.MASTODON

    def __init__(self, *, base_url: str | None, credential: str | None, handle: str, settings: dict) -> None:
        if not base_url:
            raise PermanentError(
                "a Mastodon channel needs a base URL: the server, e.g. https://mastodon.social"
            )
        if not credential:
            raise PermanentError("a Mastodon channel needs an access token: set --token-env to its variable")
        self.base_url = base_url.rstrip("/")
        self.handle = handle
        self.settings = settings
        self._secret = credential
        self._last: requests.Response | None = None
        session = requests.Session()
        session.hooks["response"].append(self._remember)
        self._api = Mastodon(
            access_token=credential,
            api_base_url=self.base_url,
            # Never sleep inside a job or a page waiting for the limit to reset: raise, and let the
            # caller retry at the time the server gave.
            ratelimit_method="throw",
            request_timeout=float(settings.get("timeout_s", 30)),
            version_check_mode="none",
            session=session,
            user_agent="SocialOpsHub",
        )
        self._me: Any = None

    # -- plumbing -----------------------------------------------------------------------------------

    def _remember(self, response: requests.Response, *args: Any, **kwargs: Any) -> None:
        self._last = response

    def _scrub(self, text: str) -> str:
        return text.replace(self._secret, "***") if self._secret else text

    def _retry_after(self) -> float | None:
        r = self._last
        if r is None:
            return None
        value = r.headers.get("Retry-After")
        if value:
            try:
                return max(0.0, float(value))
            except ValueError:
                try:
                    return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
                except (TypeError, ValueError):
                    pass
        reset = self._api.ratelimit_reset
        if r.status_code == 429 and reset and reset > time.time():
            return reset - time.time()
        return None

    def _translate(self, exc: MastodonError, what: str) -> ConnectorError:
        where = f"Mastodon ({self.base_url}) {what}"
        if isinstance(exc, MastodonRatelimitError):
            return TransientError(
                f"{where}: rate limited", platform_message="Too many requests", status=429,
                retry_after=self._retry_after(),
            )  # fmt: skip
        if isinstance(exc, MastodonNetworkError):
            return TransientError(self._scrub(f"{where}: {exc}"), platform_message=self._scrub(str(exc)))
        if isinstance(exc, MastodonIOError | MastodonIllegalArgumentError):  # e.g. an unreadable media file
            return PermanentError(self._scrub(f"{where}: {exc}"))
        if isinstance(exc, MastodonAPIError) and len(exc.args) >= 4 and isinstance(exc.args[1], int):
            status, reason, said = exc.args[1], exc.args[2], exc.args[3]
            message = self._scrub(str(said or reason or "error"))
            text = f"{where}: {status} {message}"
            if isinstance(exc, MastodonServerError) or status in (408, 425, 429) or status >= 500:
                return TransientError(
                    text, platform_message=message, status=status, retry_after=self._retry_after()
                )
            return PermanentError(text, platform_message=message, status=status)
        # An answer we could not read (cut off, not JSON): the request may or may not have worked, so
        # it is worth another try after reconciling.
        return TransientError(self._scrub(f"{where}: unreadable answer ({exc})"))

    def _call(self, what: str, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        try:
            return fn(*args, **kwargs)
        except MastodonError as exc:
            raise self._translate(exc, what) from None
        except requests.RequestException as exc:  # raised outside Mastodon.py's own wrapper
            raise TransientError(self._scrub(f"Mastodon ({self.base_url}) {what}: {exc}")) from None

    def _account(self) -> Any:
        if self._me is None:
            self._me = self._call("sign-in check", self._api.account_verify_credentials)
        return self._me

    @staticmethod
    def _published(status: Any) -> Published:
        return Published(
            external_id=str(status.id), permalink=status.url or status.uri, published_at=status.created_at
        )

    # -- publishing ---------------------------------------------------------------------------------

    def publish(self, post: Outgoing) -> Published:
        media_ids = []
        for media in post.media:
            uploaded = self._call(
                f"media upload of {media.path.name}",
                self._api.media_post,
                str(media.path),
                mime_type=media.mime_type,
                description=media.alt_text or None,
                synchronous=True,  # video is processed after upload; posting before it is done fails
            )
            media_ids.append(uploaded.id)
        status = self._call(
            "publish",
            self._api.status_post,
            compose_text(post),
            in_reply_to_id=post.reply_to,
            media_ids=media_ids or None,
            visibility=self.settings.get("visibility"),
            language=self.settings.get("language"),
            idempotency_key=post.idempotency_key,
        )
        return self._published(status)

    def find_published(
        self, idempotency_key: str, since: datetime, *, post: Outgoing | None = None
    ) -> Published | None:
        if post is None:
            raise PermanentError(
                "Mastodon does not keep the idempotency key on posts: pass the post that was sent so it "
                "can be matched on its text"
            )
        if since.tzinfo is None:  # the hub keeps UTC; a naive time is taken as UTC, not local time
            since = since.replace(tzinfo=UTC)
        wanted = compose_text(post)
        reply_to = str(post.reply_to) if post.reply_to else None
        floor = since - CLOCK_SKEW
        me = self._account()
        matches: list[Any] = []
        page = self._call(
            "listing recent posts", self._api.account_statuses, me.id, limit=40, exclude_reblogs=True
        )
        for _ in range(int(self.settings.get("reconcile_pages", RECONCILE_PAGES))):
            if not page:
                break
            for status in page:
                if status.created_at < floor:
                    page = None
                    break
                same_target = (str(status.in_reply_to_id) if status.in_reply_to_id else None) == reply_to
                if (
                    same_target
                    and len(status.media_attachments or []) == len(post.media)
                    and _squash(plain_text(status.content)) == _squash(wanted)
                    and self._source_matches(status, wanted)
                ):
                    matches.append(status)
            if not page:
                break
            page = self._call("listing recent posts", self._api.fetch_next, page)
        if not matches:
            return None
        return self._published(min(matches, key=lambda s: (s.created_at, int(s.id))))

    def _source_matches(self, status: Any, wanted: str) -> bool:
        """The exact typed text, where the server offers it (rendered HTML loses some whitespace)."""
        try:
            source = self._api.status_source(status.id)
        except MastodonNotFoundError:  # older servers: the rendered text matched, that will do
            return True
        except MastodonError as exc:
            raise self._translate(exc, "reading a post's source") from None
        return (source.text or "").replace("\r\n", "\n").strip() == wanted.replace("\r\n", "\n").strip()

    # -- metrics ------------------------------------------------------------------------------------

    def fetch_post_metrics(self, external_ids: Sequence[str]) -> list[PostMetrics]:
        """Counts of each post still on the server (a deleted post is left out, not an error)."""
        out = []
        for external_id in external_ids:
            try:
                status = self._api.status(external_id)
            except MastodonNotFoundError:
                continue
            except MastodonError as exc:
                raise self._translate(exc, f"reading post {external_id}") from None
            out.append(
                PostMetrics(
                    external_id=str(status.id),
                    values={
                        "likes": int(status.favourites_count or 0),
                        "shares": int(status.reblogs_count or 0),
                        "comments": int(status.replies_count or 0),
                    },
                )
            )
        return out

    def fetch_channel_metrics(self, since: date) -> list[ChannelMetrics]:
        """Mastodon has no history of follower counts: only today's figure, whatever `since` asks."""
        self._me = None
        me = self._account()
        return [
            # The platform's day on the real clock: connectors sit below the product clock in the layers.
            ChannelMetrics(day=datetime.now(UTC).date(), values={"followers": int(me.followers_count or 0)})
        ]

    # -- inbox and replies --------------------------------------------------------------------------

    def fetch_inbox(self, cursor: str | None) -> InboxPage:
        return read_inbox(self._api, self._account(), self._call, cursor)

    def send_reply(self, in_reply_to: str, text: str, idempotency_key: str) -> Published:
        parent = self._call(f"reading post {in_reply_to}", self._api.status, in_reply_to)
        author = parent.account.acct
        body = text.strip()
        # Address the author as Mastodon clients do, so they are notified; a direct message is answered
        # directly, never in public.
        if f"@{author}".lower() not in body.lower() and author.lower() != _acct(self.handle):
            body = f"@{author} {body}"
        visibility = "direct" if parent.visibility == "direct" else self.settings.get("visibility")
        status = self._call(
            "reply",
            self._api.status_post,
            body,
            in_reply_to_id=in_reply_to,
            visibility=visibility,
            idempotency_key=idempotency_key,
        )
        return self._published(status)

    # -- health -------------------------------------------------------------------------------------

    def check_health(self) -> Health:
        """Signs in; raises TransientError/PermanentError when that fails, else says who and how much
        rate-limit headroom is left (ok=False when the token belongs to another account)."""
        self._me = None
        # Someone may be waiting on a button: a check gives up sooner than a publish does.
        timeout, self._api.request_timeout = self._api.request_timeout, min(self._api.request_timeout, 10.0)
        try:
            me = self._account()
        finally:
            self._api.request_timeout = timeout
        headers = self._last.headers if self._last is not None else {}
        remaining = headers.get("X-RateLimit-Remaining")
        reset = self._api.ratelimit_reset if "X-RateLimit-Reset" in headers else None
        host = self.base_url.split("://", 1)[-1]
        account = f"@{me.acct}@{host}" if "@" not in me.acct else f"@{me.acct}"
        details = {"server": self.base_url, "followers": str(me.followers_count or 0)}
        if headers.get("X-RateLimit-Limit"):
            details["rate_limit"] = str(headers["X-RateLimit-Limit"])
        ok, message = True, f"signed in as {account}"
        if self.handle and _acct(self.handle) != _acct(me.acct):
            ok, message = False, f"the token signs in as {account}, but this channel is {self.handle}"
        return Health(
            ok=ok,
            message=message,
            account=account,
            token_expires_at=None,  # Mastodon access tokens do not expire; they are revoked
            rate_limit_remaining=int(remaining) if remaining and remaining.isdigit() else None,
            rate_limit_reset_at=datetime.fromtimestamp(reset, UTC) if reset else None,
            details=details,
        )

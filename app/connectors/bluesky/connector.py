"""Bluesky through the `atproto` package: publish with createRecord (link and mention facets, images with alt
text, a link card, replies), find an earlier attempt by its record key, read replies and mentions and count
likes, reposts and replies from the PDS's repositories (no AppView needed), reply, and check health.

Publishing exactly once: a post's record key (rkey) is a valid TID derived from the variant's idempotency
key, so a repeat createRecord for the same key collides with the first record instead of making a second
post, and `find_published` is a getRecord on that rkey. The TID's time part therefore comes from the key (a
fixed 2023 window), not the clock; the apps order posts by `createdAt`, which is the real time.

Reading without the AppView (a bare PDS answers 502 for notifications and counts): the inbox and the
metrics walk the repositories the PDS hosts; see repos.py beside this module.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import threading
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
from atproto import Client
from atproto.exceptions import AtProtocolError, RateLimitExceededError, RequestErrorBase
from atproto_client.request import Request
from PIL import Image

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
from app.connectors.bluesky.records import POST, as_dict, parse_time, split_uri
from app.connectors.bluesky.repos import read_channel_metrics, read_inbox, read_post_metrics
from app.models.enums import ConnectorKind

MAX_IMAGES = 4  # app.bsky.embed.images
IMAGE_MAX_BYTES = 1_000_000  # the lexicon's limit for one image blob
DEFAULT_WEB_BASE = "https://bsky.app"

_IDENTIFIER = re.compile(r"^@?([a-zA-Z0-9-]+\.)+[a-zA-Z0-9-]+$|^did:[a-z]+:[a-zA-Z0-9._:%-]+$")
_TID_ALPHABET = "234567abcdefghijklmnopqrstuvwxyz"
_TID_EPOCH_US = 1_672_531_200_000_000  # 2023-01-01T00:00:00Z
_TID_SPAN_US = 365 * 86_400 * 1_000_000

# Signing in is rate limited per account (30 per 5 minutes on the big network): a process reuses a session
# for the same server, account and credential instead of signing in for every connector it builds.
_sessions: dict[tuple[str, str, str], str] = {}
_sessions_lock = threading.Lock()


def record_key(idempotency_key: str) -> str:
    """A valid TID (13 characters, sortable base32) that depends only on `idempotency_key`."""
    digest = hashlib.sha256(b"socialops-bluesky-rkey\0" + idempotency_key.encode()).digest()
    micros = _TID_EPOCH_US + int.from_bytes(digest[:8], "big") % _TID_SPAN_US
    clock_id = int.from_bytes(digest[8:10], "big") % 1024
    n = (micros << 10) | clock_id  # top bit stays 0
    chars = []
    for _ in range(13):
        chars.append(_TID_ALPHABET[n & 31])
        n >>= 5
    return "".join(reversed(chars))


def compose_text(post: Outgoing) -> str:
    """The post text we send: the variant's text, with its link appended unless already in it."""
    text = post.text.rstrip()
    if post.link and post.link not in text:
        text = f"{text}\n\n{post.link}" if text else post.link
    return text


def split_credential(credential: str, handle: str) -> tuple[str, str]:
    """(identifier to sign in as, password). The credential is an app password, or "HANDLE:APP-PASSWORD"
    (or "DID:APP-PASSWORD"), which lets `channels add` learn the handle from it. App passwords hold no
    colon; a password that does is taken whole unless what precedes its last colon looks like a handle."""
    credential = credential.strip()
    who, sep, password = credential.rpartition(":")
    if sep and password and _IDENTIFIER.match(who):
        return who.lstrip("@"), password
    return handle, credential


def _jwt_exp(token: str | None) -> datetime | None:
    """The `exp` claim of a JWT, read without verifying it (it is our own session's token)."""
    try:
        payload = (token or "").split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        return datetime.fromtimestamp(int(claims["exp"]), UTC)
    except (IndexError, KeyError, TypeError, ValueError):
        return None


class BlueskyConnector:
    kind = ConnectorKind.BLUESKY

    def __init__(self, *, base_url: str | None, credential: str | None, handle: str, settings: dict) -> None:
        if not base_url:
            raise PermanentError("a Bluesky channel needs a base URL: its PDS, e.g. https://bsky.social")
        if not credential:
            raise PermanentError("a Bluesky channel needs an app password: set --token-env to its variable")
        self.handle = (handle or "").strip().lstrip("@")
        self._identifier, credential = split_credential(credential, self.handle)
        if not self._identifier:
            raise PermanentError(
                "a Bluesky channel needs the account to sign in as: give the channel's handle, or store "
                "the credential as HANDLE:APP-PASSWORD"
            )
        self.base_url = base_url.rstrip("/")
        self.settings = settings or {}
        self.web_base = str(self.settings.get("web_base") or DEFAULT_WEB_BASE).rstrip("/")
        self.max_repos = int(self.settings.get("max_repos", 1000))
        self.max_pages = int(self.settings.get("max_pages", 20))
        self.inbox_lookback = timedelta(days=int(self.settings.get("inbox_lookback_days", 14)))
        self._secret = credential
        self._rate: dict[str, str] = {}
        request = Request(
            timeout=float(self.settings.get("timeout_s", 30)), event_hooks={"response": [self._remember]}
        )
        self.client = Client(self.base_url, request=request)
        self._did: str | None = None
        self._my_handle: str | None = None
        self.handles: dict[str, tuple[str, str]] = {}

    # -- plumbing -----------------------------------------------------------------------------------

    def _remember(self, response: httpx.Response) -> None:
        limits = {k: v for k, v in response.headers.items() if k.lower().startswith("ratelimit-")}
        if limits:
            self._rate = {k.lower(): v for k, v in limits.items()}

    def _scrub(self, text: str) -> str:
        return text.replace(self._secret, "***") if self._secret else text

    def _translate(self, exc: Exception, what: str) -> ConnectorError:
        where = f"Bluesky ({self.base_url}) {what}"
        response = exc.response if isinstance(exc, RequestErrorBase) else None
        if response is None:  # no answer: connection refused, reset, timed out
            detail = exc.__cause__ or exc
            return TransientError(self._scrub(f"{where}: {type(detail).__name__}: {detail}"))
        status = response.status_code
        content = response.content
        error = getattr(content, "error", None) or ""
        message = getattr(content, "message", None) or error or str(status)
        said = self._scrub(f"{error}: {message}" if error and message != error else message)
        text = f"{where}: {status} {said}"
        if isinstance(exc, RateLimitExceededError) or status == 429:
            retry = exc.retry_after if isinstance(exc, RateLimitExceededError) else None
            return TransientError(text, platform_message=said, status=status, retry_after=retry)
        if status >= 500 or status in (408, 425):
            return TransientError(text, platform_message=said, status=status)
        return PermanentError(text, platform_message=said, status=status)

    def call(self, what: str, fn: Any, *args: Any, **kwargs: Any) -> Any:
        """fn(*args, **kwargs), its platform errors turned into TransientError/PermanentError naming `what`."""
        try:
            return fn(*args, **kwargs)
        except ConnectorError:
            raise
        except (AtProtocolError, httpx.HTTPError) as exc:
            raise self._translate(exc, what) from None

    def login(self) -> str:
        """Our DID, signing in once per process (a kept session is refreshed by the client as needed)."""
        if self._did:
            return self._did
        key = (self.base_url, self._identifier, hashlib.sha256(self._secret.encode()).hexdigest())
        with _sessions_lock:
            kept = _sessions.get(key)
        if kept:
            try:
                self.client.login(session_string=kept, fetch_bsky_profile=False)
                self.client.com.atproto.server.get_session()
            except (AtProtocolError, httpx.HTTPError):
                kept = None  # revoked or expired: sign in again below
        if not kept:
            self.call("sign-in", self.client.login, self._identifier, self._secret, fetch_bsky_profile=False)
            with _sessions_lock:
                _sessions[key] = self.client.export_session_string()

        def keep(event: object, session: Any) -> None:  # refreshed tokens replace the kept ones
            with _sessions_lock:
                _sessions[key] = session.export()

        self.client.on_session_change(keep)
        session = self.client._session
        assert session is not None
        self._did, self._my_handle = session.did, session.handle
        return self._did

    def permalink(self, uri: str, handle: str | None = None) -> str:
        """The post's address in the web app (by the author's handle when known, else its DID)."""
        did, _, rkey = split_uri(uri)
        return f"{self.web_base}/profile/{handle or did}/post/{rkey}"

    def _published(self, uri: str, created_at: str | None) -> Published:
        link = self.permalink(uri, self._my_handle or self.handle)
        return Published(external_id=uri, permalink=link, published_at=parse_time(created_at))

    def get_record(self, uri: str) -> tuple[str, dict[str, Any]] | None:
        """(cid, record) of a record, None when it does not exist."""
        did, collection, rkey = split_uri(uri)
        try:
            out = self.client.com.atproto.repo.get_record(
                {"repo": did, "collection": collection, "rkey": rkey}
            )
        except (AtProtocolError, httpx.HTTPError) as exc:
            response = getattr(exc, "response", None)
            error = getattr(getattr(response, "content", None), "error", None)
            if response is not None and response.status_code in (400, 404) and error == "RecordNotFound":
                return None
            raise self._translate(exc, f"reading {uri}") from None
        return str(out.cid), as_dict(out.value)

    # -- publishing ---------------------------------------------------------------------------------

    def _reply_ref(self, parent_uri: str) -> dict[str, Any]:
        found = self.get_record(parent_uri)
        if found is None:
            raise PermanentError(f"the post this replies to no longer exists: {parent_uri}")
        cid, record = found
        parent = {"uri": parent_uri, "cid": cid}
        root = (record.get("reply") or {}).get("root") or parent
        return {"root": {"uri": root["uri"], "cid": root["cid"]}, "parent": parent}

    def _images(self, post: Outgoing) -> dict[str, Any] | None:
        if not post.media:
            return None
        if len(post.media) > MAX_IMAGES:
            raise PermanentError(
                f"Bluesky takes at most {MAX_IMAGES} images per post, this one has {len(post.media)}"
            )
        images = []
        for media in post.media:
            if not media.mime_type.startswith("image/"):
                raise PermanentError(
                    f"the Bluesky connector posts images only; {media.path.name} is {media.mime_type}"
                )
            data = media.path.read_bytes()
            if len(data) > IMAGE_MAX_BYTES:
                raise PermanentError(
                    f"{media.path.name} is {len(data):,} bytes; Bluesky takes images up to {IMAGE_MAX_BYTES:,}"
                )
            blob = self.call(
                f"uploading {media.path.name}",
                self.client.com.atproto.repo.upload_blob,
                data,
                headers={"Content-Type": media.mime_type},
            ).blob
            image: dict[str, Any] = {"alt": media.alt_text or "", "image": as_dict(blob)}
            size = _image_size(media.path)
            if size:
                image["aspectRatio"] = {"width": size[0], "height": size[1]}
            images.append(image)
        return {"$type": "app.bsky.embed.images", "images": images}

    def _record(self, post: Outgoing) -> dict[str, Any]:
        text = compose_text(post)
        record: dict[str, Any] = {
            "$type": POST,
            "text": text,
            # Real time, not the product clock: the apps order posts by it (see the module docstring).
            "createdAt": datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        }
        if post.reply_to:  # first: a bad or vanished parent fails before any upload
            record["reply"] = self._reply_ref(post.reply_to)
        facets = self.call("detecting links and mentions", self.client.detect_facets, text)
        if facets:
            record["facets"] = [as_dict(f) for f in facets]
        embed = self._images(post)
        if embed is None and post.link:
            embed = {
                "$type": "app.bsky.embed.external",
                "external": {"uri": post.link, "title": post.link, "description": ""},
            }
        if embed:
            record["embed"] = embed
        return record

    def publish(self, post: Outgoing) -> Published:
        did = self.login()
        rkey = record_key(post.idempotency_key)
        uri = f"at://{did}/{POST}/{rkey}"
        # A retry of a post that went out: answer with it before uploading any media again.
        existing = self.get_record(uri)
        if existing is not None:
            return self._published(uri, existing[1].get("createdAt"))
        record = self._record(post)
        data = {"repo": did, "collection": POST, "rkey": rkey, "record": record, "validate": True}
        try:
            out = self.client.com.atproto.repo.create_record(data)
        except (AtProtocolError, httpx.HTTPError) as exc:
            error = self._translate(exc, "publishing")
            # The server refused: if a record already holds this key, an earlier attempt went out, and
            # that post is the answer (no second post). With no answer at all, reconciling is the caller's.
            if error.status is not None:
                existing = self.get_record(uri)
                if existing is not None:
                    return self._published(uri, existing[1].get("createdAt"))
            raise error from None
        return self._published(str(out.uri), record["createdAt"])

    def find_published(self, idempotency_key: str, since: datetime) -> Published | None:
        did = self.login()
        uri = f"at://{did}/{POST}/{record_key(idempotency_key)}"
        found = self.get_record(uri)
        return self._published(uri, found[1].get("createdAt")) if found else None

    def send_reply(self, in_reply_to: str, text: str, idempotency_key: str) -> Published:
        return self.publish(Outgoing(text=text, idempotency_key=idempotency_key, reply_to=in_reply_to))

    # -- reading (repos.py walks the PDS's repositories) ---------------------------------------------

    def fetch_inbox(self, cursor: str | None) -> InboxPage:
        return read_inbox(self, cursor)

    def fetch_post_metrics(self, external_ids: Sequence[str]) -> list[PostMetrics]:
        return read_post_metrics(self, external_ids)

    def fetch_channel_metrics(self, since: date) -> list[ChannelMetrics]:
        return read_channel_metrics(self, since)

    # -- health -------------------------------------------------------------------------------------

    def check_health(self) -> Health:
        """Signs in (or checks the kept session); raises TransientError/PermanentError when that fails,
        else says who, when the session's tokens expire and the rate-limit headroom the PDS reported."""
        self.login()
        out = self.call("checking the session", self.client.com.atproto.server.get_session)
        session = self.client._session
        access_exp = _jwt_exp(session.access_jwt if session else None)
        refresh_exp = _jwt_exp(session.refresh_jwt if session else None)
        details = {"did": str(out.did), "pds": self.client._base_url.removesuffix("/xrpc")}
        if access_exp:
            details["access_token_expires_at"] = access_exp.isoformat()
        remaining = _int(self._rate.get("ratelimit-remaining"))
        reset = _int(self._rate.get("ratelimit-reset"))
        if self.handle and self.handle not in (out.handle, out.did):
            return Health(
                ok=False,
                message=f"the credential signs in as {out.handle}, but this channel is {self.handle}",
                account=str(out.handle),
                details=details,
            )
        if out.active is False:
            return Health(
                ok=False,
                message=f"the account {out.handle} is not active on its PDS ({out.status or 'deactivated'})",
                account=str(out.handle),
                details=details,
            )
        return Health(
            ok=True,
            message=f"signed in as {out.handle}",
            account=str(out.handle),
            # The refresh token bounds the session; the connector signs in again with the app password
            # after it, so this is when a revoked password would start to show.
            token_expires_at=refresh_exp,
            rate_limit_remaining=remaining,
            rate_limit_reset_at=datetime.fromtimestamp(reset, UTC) if reset else None,
            details=details,
        )


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


def _image_size(path: Any) -> tuple[int, int] | None:
    """Width and height for the app's layout; None when Pillow cannot read the file."""
    try:
        with Image.open(path) as img:
            return int(img.width), int(img.height)
    except Exception:
        return None

"""Tracked links with governed UTM naming: the house defaults, each brand's conventions over them
(Brand.utm_conventions), building a link that keeps its own query and stores a TrackedLink row, and
finding links in copy that lack the tags attribution needs."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from string import Formatter
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from sqlalchemy.orm import Session

from app.models import Brand, Campaign, Post, PostVariant, TrackedLink
from app.models.enums import Platform
from app.services.core import Actor, Perm, ValidationError, audit, require, slugify
from app.services.org import find_brand

REQUIRED = ("utm_source", "utm_medium", "utm_campaign")
# The governed character set of every value: what analytics tools group reliably (no case or spaces).
VALUE_RE = re.compile(r"^[a-z0-9_-]+$")
PLACEHOLDERS = frozenset({"post_id", "platform", "campaign"})
_URL_RE = re.compile(r"https?://[^\s<>\"']+", re.IGNORECASE)
_TRAILING = ".,;:!?)]}"


@dataclass(frozen=True)
class Conventions:
    """The effective rules for a brand: the house defaults with the brand's own values over them."""

    source: dict[str, str] = field(default_factory=dict)  # platform → utm_source (default: its name)
    medium: str = "social"
    campaign_pattern: str = r"^[a-z0-9][a-z0-9_-]*$"
    content: str = "{post_id}-{platform}"
    # utm_campaign of a link with no campaign (evergreen content).
    default_campaign: str = "always-on"

    def source_for(self, platform: Platform | str) -> str:
        p = Platform(platform)
        return self.source.get(p.value, p.value)

    def as_dict(self) -> dict[str, Any]:
        return {
            "source": dict(self.source),
            "medium": self.medium,
            "campaign_pattern": self.campaign_pattern,
            "content": self.content,
            "default_campaign": self.default_campaign,
        }


HOUSE = Conventions()


@dataclass(frozen=True)
class TrackedLinkInfo:
    id: int
    brand_id: int
    base_url: str
    full_url: str
    utm_source: str
    utm_medium: str
    utm_campaign: str
    utm_content: str | None
    campaign_id: int | None
    variant_id: int | None


def _value(value: str, what: str) -> str:
    value = (value or "").strip()
    if not VALUE_RE.match(value) or len(value) > 120:
        raise ValidationError(
            f"{what} {value!r} must be lowercase letters, digits, '-' or '_' (at most 120)",
            field=what,
            value=value,
        )
    return value


def _template(template: str) -> str:
    try:
        names = {name for _, name, _, _ in Formatter().parse(template) if name is not None}
    except ValueError:
        raise ValidationError(f"content template {template!r} is malformed", field="content") from None
    unknown = names - PLACEHOLDERS
    if unknown:
        raise ValidationError(
            f"content template {template!r} uses {', '.join(sorted(unknown))}; "
            f"allowed: {', '.join('{' + p + '}' for p in sorted(PLACEHOLDERS))}",
            field="content",
        )
    sample = template.format(post_id="123", platform="instagram", campaign="spring-sale")
    _value(sample, "content template")
    return template


def validate_conventions(raw: Mapping[str, Any]) -> Conventions:
    """Checked conventions (unknown keys, bad values, a pattern that does not compile are refused)."""
    if not isinstance(raw, Mapping):
        raise ValidationError("UTM conventions must be a mapping", field="utm_conventions")
    unknown = set(raw) - set(HOUSE.as_dict())
    if unknown:
        raise ValidationError(
            f"unknown UTM convention(s) {', '.join(sorted(unknown))}; known: {', '.join(HOUSE.as_dict())}",
            field="utm_conventions",
        )
    source_raw = raw.get("source") or {}
    if not isinstance(source_raw, Mapping):
        raise ValidationError("source must map platforms to values", field="source")
    source: dict[str, str] = {}
    for platform, value in source_raw.items():
        try:
            key = Platform(str(platform).strip().lower()).value
        except ValueError:
            raise ValidationError(f"source for unknown platform {platform!r}", field="source") from None
        source[key] = _value(str(value), f"source for {key}")
    pattern = str(raw.get("campaign_pattern") or HOUSE.campaign_pattern)
    if len(pattern) > 200:
        raise ValidationError("campaign pattern is longer than 200 characters", field="campaign_pattern")
    try:
        re.compile(pattern)
    except re.error as exc:
        raise ValidationError(
            f"campaign pattern {pattern!r} is not a valid regular expression: {exc}", field="campaign_pattern"
        ) from None
    default_campaign = _value(str(raw.get("default_campaign") or HOUSE.default_campaign), "default campaign")
    if not re.search(pattern, default_campaign):
        raise ValidationError(
            f"default campaign {default_campaign!r} breaks the campaign pattern {pattern}",
            field="default_campaign",
        )
    return Conventions(
        source=source,
        medium=_value(str(raw.get("medium") or HOUSE.medium), "medium"),
        campaign_pattern=pattern,
        content=_template(str(raw.get("content") or HOUSE.content)),
        default_campaign=default_campaign,
    )


def sources_from_text(text: str) -> dict[str, str]:
    """'instagram=ig' lines (as typed in a form) → {"instagram": "ig"}; blank lines are skipped and the
    values are checked when the conventions are saved."""
    out: dict[str, str] = {}
    for n, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip():
            continue
        platform, sep, value = line.partition("=")
        if not sep or not platform.strip() or not value.strip():
            raise ValidationError(f"line {n} {line.strip()!r} must look like instagram=ig", field="source")
        out[platform.strip().lower()] = value.strip()
    return out


def effective(stored: Mapping[str, Any] | None) -> Conventions:
    """The house defaults overlaid with what a brand stored (stored values were validated on save)."""
    if not stored:
        return HOUSE
    try:
        return validate_conventions(stored)
    except ValidationError:
        # A row edited outside the app must not break link building: fall back to the house rules.
        return HOUSE


def get_conventions(session: Session, actor: Actor, brand: Brand | str | int) -> Conventions:
    b = find_brand(session, actor, brand)
    require(actor, Perm.VIEW, b.id, brand_label=b.slug)
    return effective(b.utm_conventions)


def set_conventions(
    session: Session, actor: Actor, brand: Brand | str | int, conventions: Mapping[str, Any]
) -> Conventions:
    """Store a brand's UTM conventions. Governance is a manager's call: this needs Perm.SOP_MANAGE (held
    by managers and admins only), the same right that governs the brand's SOP templates. Values equal
    to the house defaults are kept anyway, so a later change of the defaults does not move them."""
    b = find_brand(session, actor, brand)
    require(actor, Perm.SOP_MANAGE, b.id, brand_label=b.slug)
    checked = validate_conventions(conventions)
    before = dict(b.utm_conventions or {})
    after = checked.as_dict()
    if before != after:
        b.utm_conventions = after  # a new dict: JSON columns do not track in-place changes
        session.flush()
        audit.record(
            session,
            actor,
            "update",
            "brand_utm_conventions",
            b.id,
            label=b.name,
            brand_id=b.id,
            before=before,
            after=after,
        )
    return checked


def _with_utm(url: str, utm: Mapping[str, str]) -> tuple[str, str]:
    """(base URL without utm_*, full URL): the link's other query parameters and fragment are kept."""
    parts = urlsplit(url)
    kept = [
        (k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not k.lower().startswith("utm_")
    ]
    base = urlunsplit(parts._replace(query=urlencode(kept)))
    full = urlunsplit(parts._replace(query=urlencode(kept + [(k, v) for k, v in utm.items() if v])))
    return base, full


def build_link(
    session: Session,
    actor: Actor,
    *,
    brand_id: int,
    url: str,
    platform: Platform | str,
    campaign_id: int | None = None,
    post_id: int | None = None,
    content: str | None = None,
    medium: str | None = None,
    variant_id: int | None = None,
) -> TrackedLinkInfo:
    """A tracked link following the brand's conventions, stored as a TrackedLink and audited.

    utm_source is the brand's value for the platform (default: the platform's name), utm_medium the
    given medium or the brand's, utm_campaign the campaign's governed value (or a slug of its name; the
    post's campaign when only a post is given; the brand's default campaign otherwise), utm_content the
    given value or the brand's template (paid posts pass medium="paid_social"). `variant_id` ties the
    link to the variant that carries it, for attribution. Any utm_* already on the URL is replaced; other parameters
    stay. A value that breaks the rules is refused, never silently rewritten.
    """
    b = find_brand(session, actor, brand_id)
    require(actor, Perm.CONTENT_EDIT, b.id, brand_label=b.slug)
    conv = effective(b.utm_conventions)
    url = (url or "").strip()
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc or len(url) > 1900:
        raise ValidationError(f"link {url!r} must be an http:// or https:// address", field="url", value=url)
    try:
        plat = Platform(str(platform).strip().lower())
    except ValueError:
        raise ValidationError(f"unknown platform {platform!r}", field="platform") from None
    post = None
    if post_id is not None:
        post = session.get(Post, post_id)
        if post is None or post.brand_id != b.id:
            raise ValidationError(f"post {post_id} is not one of {b.name}'s", field="post_id")
    if variant_id is not None:
        variant = session.get(PostVariant, variant_id)
        if (
            variant is None
            or variant.brand_id != b.id
            or (post_id is not None and variant.post_id != post_id)
        ):
            raise ValidationError(f"post variant {variant_id} is not one of this post's", field="variant_id")
    if campaign_id is None and post is not None:
        campaign_id = post.campaign_id
    campaign = None
    if campaign_id is not None:
        campaign = session.get(Campaign, campaign_id)
        if campaign is None or campaign.brand_id != b.id:
            raise ValidationError(f"campaign {campaign_id} is not one of {b.name}'s", field="campaign_id")
    utm_campaign = (campaign.utm_campaign or slugify(campaign.name)) if campaign else conv.default_campaign
    if not re.search(conv.campaign_pattern, utm_campaign):
        raise ValidationError(
            f"utm_campaign {utm_campaign!r} breaks {b.name}'s naming rule {conv.campaign_pattern}: "
            "fix the campaign's UTM value (or the brand's pattern) first",
            field="utm_campaign",
            value=utm_campaign,
        )
    source = _value(conv.source_for(plat), "utm_source")
    utm_medium = _value(medium if medium is not None else conv.medium, "utm_medium")
    if content is not None and content.strip():
        utm_content: str | None = _value(content, "utm_content")
    elif post_id is None and "{post_id}" in conv.content:
        utm_content = None  # the template needs a post; a link made before the post has none yet
    else:
        utm_content = _value(
            conv.content.format(post_id=post_id, platform=plat.value, campaign=utm_campaign), "utm_content"
        )
    utm = {"utm_source": source, "utm_medium": utm_medium, "utm_campaign": utm_campaign}
    utm["utm_content"] = utm_content or ""
    base, full = _with_utm(url, utm)
    link = TrackedLink(
        brand_id=b.id,
        campaign_id=campaign.id if campaign else None,
        variant_id=variant_id,
        base_url=base,
        utm_source=source,
        utm_medium=utm_medium,
        utm_campaign=utm_campaign,
        utm_content=utm_content,
        full_url=full,
    )
    session.add(link)
    session.flush()
    audit.record(
        session,
        actor,
        "create",
        "tracked_link",
        link.id,
        label=full[:300],
        brand_id=b.id,
        after={
            **utm,
            "base_url": base,
            "post_id": post_id,
            "variant_id": variant_id,
            "campaign_id": link.campaign_id,
        },
    )
    return TrackedLinkInfo(
        id=link.id,
        brand_id=b.id,
        base_url=base,
        full_url=full,
        utm_source=source,
        utm_medium=utm_medium,
        utm_campaign=utm_campaign,
        utm_content=utm_content,
        campaign_id=link.campaign_id,
        variant_id=variant_id,
    )


def links_in(text: str) -> list[str]:
    """The http(s) links in a text (or the text itself when it is one link), in order, without repeats."""
    return list(dict.fromkeys(m.rstrip(_TRAILING) for m in _URL_RE.findall(text or "")))


def missing_utm(text_or_url: str) -> list[str]:
    """The links in `text_or_url` that lack a non-empty utm_source, utm_medium or utm_campaign."""
    out = []
    for link in links_in(text_or_url):
        query = {k.lower(): v for k, v in parse_qsl(urlsplit(link).query, keep_blank_values=True)}
        if any(not query.get(p, "").strip() for p in REQUIRED):
            out.append(link)
    return out

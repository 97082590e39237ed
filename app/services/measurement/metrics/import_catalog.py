"""The analytics exports the metric importer recognises: for each, the headers that identify it and the
header aliases of each column's role or metric (normalised: lower case, single spaces). Data only;
reading files is app.services.metric_export_formats."""

from __future__ import annotations

from dataclasses import dataclass

from app.models.enums import Platform


@dataclass(frozen=True)
class ExportFormat:
    name: str
    label: str
    platform: Platform | None  # None: conversions (GA4, CRM)
    kind: str  # "daily" (channel days), "post" (post snapshots) or "conversion"
    signatures: tuple[frozenset[str], ...]  # the file is this format when one set of headers is all there
    columns: dict[str, tuple[str, ...]]  # role or metric key -> header aliases (normalised), first wins
    source: str = ""  # conversions: the Conversion.source written
    # The date order the platform writes whatever the market ("mdy" for Meta and LinkedIn downloads);
    # None: the market's. A file whose own dates settle the order overrides both.
    date_order: str | None = None

    def aliases(self) -> dict[str, str]:
        out: dict[str, str] = {}
        for role, names in self.columns.items():
            for n in names:
                out.setdefault(n, role)
        return out


def _sig(*sets: tuple[str, ...]) -> tuple[frozenset[str], ...]:
    return tuple(frozenset(s) for s in sets)


_META_POST = {
    "post_id": ("post id",),
    "permalink": ("permalink",),
    "published": ("publish time",),
    "title": ("title", "description"),
    "as_of": ("date",),
    "impressions": ("views", "impressions"),
    "reach": ("reach", "post reach"),
    "engagements": ("reactions, comments and shares",),
    "comments": ("comments",),
    "shares": ("shares",),
    "saves": ("saves",),
    "clicks": ("total clicks", "link clicks"),
    "video_views": ("3-second video views", "video views"),
}

FORMATS: tuple[ExportFormat, ...] = (
    ExportFormat(
        "facebook_posts",
        "Meta Business Suite posts (Facebook)",
        Platform.FACEBOOK,
        "post",
        _sig(("page id", "permalink"), ("page name", "post id")),
        {**_META_POST, "likes": ("reactions", "likes")},
        date_order="mdy",
    ),
    ExportFormat(
        "instagram_posts",
        "Meta Business Suite posts (Instagram)",
        Platform.INSTAGRAM,
        "post",
        _sig(("account username", "permalink"), ("account id", "permalink")),
        {**_META_POST, "likes": ("likes",)},
        date_order="mdy",
    ),
    ExportFormat(
        "facebook_daily",
        "Meta Business Suite page overview (Facebook)",
        Platform.FACEBOOK,
        "daily",
        _sig(("date", "page followers"), ("date", "facebook page reach"), ("date", "facebook views")),
        {
            "date": ("date",),
            "impressions": ("views", "facebook views", "impressions", "page impressions"),
            "reach": ("facebook page reach", "reach", "page reach"),
            "followers": ("page followers", "facebook page followers", "followers"),
            "follower_growth": ("new follows", "net follows", "page follows"),
            "engagements": ("content interactions", "page post engagements", "engagements"),
            "clicks": ("link clicks", "total clicks"),
            "video_views": ("3-second video views", "video views"),
        },
    ),
    ExportFormat(
        "instagram_daily",
        "Meta Business Suite account overview (Instagram)",
        Platform.INSTAGRAM,
        "daily",
        _sig(("date", "instagram reach"), ("date", "accounts reached"), ("date", "instagram views")),
        {
            "date": ("date",),
            "impressions": ("views", "instagram views", "impressions", "instagram impressions"),
            "reach": ("instagram reach", "accounts reached", "reach"),
            "followers": ("instagram followers", "followers"),
            "follower_growth": ("follows", "new follows", "instagram follows"),
            "engagements": ("content interactions", "interactions"),
            "clicks": ("link clicks", "external link taps", "website clicks"),
        },
    ),
    ExportFormat(
        "linkedin_posts",
        "LinkedIn page content",
        Platform.LINKEDIN,
        "post",
        _sig(("post link", "reposts"), ("post title", "post link"), ("update link",)),
        {
            "permalink": ("post link", "update link"),
            "title": ("post title", "update title"),
            "published": ("created date", "date"),
            "impressions": ("impressions",),
            "video_views": ("views (excluding off-site video views)", "video views"),
            "clicks": ("clicks",),
            "likes": ("likes", "reactions"),
            "comments": ("comments",),
            "shares": ("reposts", "shares"),
        },
        date_order="mdy",
    ),
    ExportFormat(
        "linkedin_daily",
        "LinkedIn page metrics",
        Platform.LINKEDIN,
        "daily",
        _sig(("date", "impressions (total)"), ("date", "impressions (organic)"), ("date", "total followers")),
        {
            "date": ("date",),
            "impressions": ("impressions (total)", "impressions (organic)"),
            "reach": ("unique impressions (organic)",),
            "clicks": ("clicks (total)", "clicks (organic)"),
            "likes": ("reactions (total)", "reactions (organic)"),
            "comments": ("comments (total)", "comments (organic)"),
            "shares": ("reposts (total)", "reposts (organic)"),
            "followers": ("total followers",),
            "follower_growth": ("total followers gained", "organic followers"),
        },
        date_order="mdy",
    ),
    ExportFormat(
        "x_posts",
        "X analytics (post activity)",
        Platform.X,
        "post",
        _sig(("tweet id",), ("tweet permalink",), ("post id", "post link")),
        {
            "post_id": ("tweet id", "post id"),
            "permalink": ("tweet permalink", "post link"),
            "title": ("tweet text", "post text"),
            "published": ("time", "date"),
            "impressions": ("impressions",),
            "engagements": ("engagements",),
            "likes": ("likes",),
            "comments": ("replies",),
            "shares": ("retweets", "reposts"),
            "saves": ("bookmarks",),
            "clicks": ("url clicks", "link clicks"),
            "video_views": ("media views", "video views"),
        },
    ),
    ExportFormat(
        "x_daily",
        "X analytics (account overview)",
        Platform.X,
        "daily",
        _sig(("date", "impressions", "new follows"), ("date", "create post")),
        {
            "date": ("date",),
            "impressions": ("impressions",),
            "engagements": ("engagements",),
            "likes": ("likes",),
            "comments": ("replies",),
            "shares": ("reposts", "retweets"),
            "saves": ("bookmarks",),
            "follower_growth": ("new follows",),
            "posts_published": ("create post",),
            "video_views": ("video views",),
        },
    ),
    ExportFormat(
        "tiktok_daily",
        "TikTok overview",
        Platform.TIKTOK,
        "daily",
        _sig(("date", "video views", "profile views"), ("date", "difference in followers from previous day")),
        {
            "date": ("date",),
            "video_views": ("video views",),
            "likes": ("likes",),
            "comments": ("comments",),
            "shares": ("shares",),
            "followers": ("followers",),
            "follower_growth": ("difference in followers from previous day",),
        },
    ),
    ExportFormat(
        "tiktok_posts",
        "TikTok content",
        Platform.TIKTOK,
        "post",
        _sig(("video link", "total views"), ("video title", "post time", "total likes")),
        {
            "permalink": ("video link",),
            "title": ("video title",),
            "published": ("post time",),
            "video_views": ("total views", "video views"),
            "likes": ("total likes", "likes"),
            "comments": ("total comments", "comments"),
            "shares": ("total shares", "shares"),
            "reach": ("reached audience",),
        },
    ),
    ExportFormat(
        "youtube_videos",
        "YouTube Studio table data (per video)",
        Platform.YOUTUBE,
        "post",
        _sig(("content", "video title"), ("content", "video publish time")),
        {
            "post_id": ("content",),
            "title": ("video title",),
            "published": ("video publish time",),
            "video_views": ("views",),
            "impressions": ("impressions",),
            "likes": ("likes",),
            "comments": ("comments added",),
            "shares": ("shares",),
        },
    ),
    ExportFormat(
        "youtube_daily",
        "YouTube Studio table data (per day)",
        Platform.YOUTUBE,
        "daily",
        _sig(("date", "watch time (hours)"), ("date", "subscribers", "views")),
        {
            "date": ("date",),
            "video_views": ("views",),
            "impressions": ("impressions",),
            "follower_growth": ("subscribers",),
            "likes": ("likes",),
            "comments": ("comments added",),
            "shares": ("shares",),
        },
    ),
    ExportFormat(
        "ga4_conversions",
        "Google Analytics 4 conversions",
        None,
        "conversion",
        _sig(("transaction id",), ("event id", "event name", "session source")),
        {
            "external_id": ("transaction id", "event id"),
            "occurred": ("date + hour (yyyymmddhh)", "date", "event date"),
            "kind": ("event name", "key event", "conversion event"),
            "value": ("purchase revenue", "event value", "revenue", "total revenue"),
            "currency": ("currency", "currency code"),
            "utm_source": ("session source", "first user source", "source"),
            "utm_medium": ("session medium", "first user medium", "medium"),
            "utm_campaign": ("session campaign", "session campaign name", "first user campaign", "campaign"),
            "utm_content": ("session manual ad content", "manual ad content"),
        },
        source="ga4",
    ),
    ExportFormat(
        "crm_conversions",
        "CRM conversions",
        None,
        "conversion",
        _sig(*[(i, u) for i in ("deal id", "lead id", "order id", "opportunity id", "record id") for u in ("utm source", "utm campaign")]),
        {
            "external_id": ("deal id", "order id", "opportunity id", "lead id", "record id"),
            "occurred": ("close date", "closed date", "order date", "created date", "create date", "date"),
            "kind": ("stage", "deal stage", "lifecycle stage", "type", "event"),
            "value": ("amount", "deal value", "order total", "value", "revenue"),
            "currency": ("currency", "currency code"),
            "utm_source": ("utm source",),
            "utm_medium": ("utm medium",),
            "utm_campaign": ("utm campaign",),
            "utm_content": ("utm content",),
        },
        source="crm",
    ),
)  # fmt: skip

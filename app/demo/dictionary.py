"""The metrics dictionary (base and derived metrics), the platform export fields that feed each
metric, and the crisis severity levels: reference data both demo data sets load as they are."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from app.models.enums import Aggregation, Indicator, MetricUnit, ObjectiveKind, Platform
from app.models.metrics import CHANNEL_BASE_METRICS


@dataclass(frozen=True)
class MetricSpec:
    key: str
    name: str
    description: str
    unit: MetricUnit = MetricUnit.COUNT
    formula: str | None = None
    objective: ObjectiveKind | None = None
    indicator: Indicator = Indicator.LEADING
    aggregation: Aggregation = Aggregation.SUM
    higher_is_better: bool = True


_A, _E, _C, _R = (
    ObjectiveKind.AWARENESS,
    ObjectiveKind.ENGAGEMENT,
    ObjectiveKind.CONVERSION,
    ObjectiveKind.RETENTION,
)
_LEAD, _LAG = Indicator.LEADING, Indicator.LAGGING
_PCT, _SEC = MetricUnit.PERCENT, MetricUnit.SECONDS
_AVG, _LAST = Aggregation.AVERAGE, Aggregation.LAST

METRICS: tuple[MetricSpec, ...] = (
    # Base metrics: one column each in channel_daily_metrics, no formula.
    MetricSpec(
        "followers",
        "Followers",
        "Audience size at the end of the day (page likes, subscribers).",
        objective=_A,
        indicator=_LAG,
        aggregation=_LAST,
    ),
    MetricSpec(
        "follower_growth",
        "Net new followers",
        "Follows minus unfollows in the period.",
        objective=_A,
        indicator=_LEAD,
    ),
    MetricSpec(
        "impressions",
        "Impressions",
        "Times content was shown (Meta and Instagram now call it Views).",
        objective=_A,
    ),
    MetricSpec(
        "reach",
        "Reach",
        "Unique accounts that saw content (summed per day, so not de-duplicated).",
        objective=_A,
    ),
    MetricSpec(
        "engagements", "Engagements", "Likes, comments, shares, saves and other interactions.", objective=_E
    ),
    MetricSpec("likes", "Likes / reactions", "Likes, reactions, hearts and favourites.", objective=_E),
    MetricSpec("comments", "Comments", "Comments and replies.", objective=_E),
    MetricSpec("shares", "Shares", "Shares, reposts, retweets and boosts.", objective=_E),
    MetricSpec("saves", "Saves", "Saves and bookmarks (where the platform reports them).", objective=_E),
    MetricSpec("clicks", "Link clicks", "Clicks on links in posts and profile links.", objective=_C),
    MetricSpec(
        "video_views",
        "Video views",
        "Video plays as the platform counts them (thresholds differ).",
        objective=_A,
    ),
    MetricSpec(
        "posts_published",
        "Posts published",
        "Posts that went out on the channel that day.",
        objective=None,
        indicator=_LEAD,
    ),
    MetricSpec(
        "mentions",
        "Mentions",
        "Posts by others that name the brand (the brand's side of share of voice).",
        objective=_A,
        indicator=_LEAD,
    ),
    # Derived metrics: formulas over base keys, computed on the aggregated period.
    MetricSpec(
        "engagement_rate",
        "Engagement rate",
        "Engagements per impression.",
        _PCT,
        "engagements / impressions",
        _E,
        _LEAD,
        _AVG,
    ),
    MetricSpec(
        "click_through_rate",
        "Click-through rate",
        "Link clicks per impression.",
        _PCT,
        "clicks / impressions",
        _C,
        _LEAD,
        _AVG,
    ),
    MetricSpec(
        "amplification_rate",
        "Amplification rate",
        "Shares per follower: how far fans carry content.",
        _PCT,
        "shares / followers",
        _E,
        _LEAD,
        _AVG,
    ),
    MetricSpec(
        "reach_rate",
        "Reach rate",
        "Reach as a share of followers.",
        _PCT,
        "reach / followers",
        _A,
        _LEAD,
        _AVG,
    ),
    MetricSpec(
        "video_view_rate",
        "Video view rate",
        "Video views per impression.",
        _PCT,
        "video_views / impressions",
        _A,
        _LEAD,
        _AVG,
    ),
    MetricSpec(
        "follower_growth_rate",
        "Follower growth rate",
        "Net new followers relative to the audience.",
        _PCT,
        "follower_growth / followers",
        _A,
        _LAG,
        _AVG,
    ),
    # Community and market metrics: computed from the inbox and competitor benchmarks, not from a
    # channel-day column, hence no formula here.
    MetricSpec(
        "first_response_seconds",
        "Average first response time",
        "Time from an inbound message to the team's first reply (inbox, business hours ignored).",
        _SEC,
        None,
        _R,
        _LEAD,
        _AVG,
        higher_is_better=False,
    ),
    MetricSpec(
        "negative_share",
        "Negative share",
        "Share of inbound messages with negative sentiment (inbox).",
        _PCT,
        None,
        _R,
        _LEAD,
        _AVG,
        higher_is_better=False,
    ),
    MetricSpec(
        "share_of_voice",
        "Share of voice",
        "Brand mentions / (brand + competitor mentions) in the period (competitor benchmarks).",
        _PCT,
        None,
        _A,
        _LAG,
        _AVG,
    ),
)

assert {m.key for m in METRICS} >= set(CHANNEL_BASE_METRICS), "every base metric needs a dictionary entry"

# Graph API v22 (21 April 2025) removed Instagram `impressions`; `views` replaced it.
IG_VIEWS_SWITCH = date(2025, 4, 21)
IG_NOTE = "Instagram Graph API v22 (21 Apr 2025) removed impressions; exports after that date carry views."
META_VIEWS_NOTE = (
    "Meta Business Suite exports renamed Impressions to Views; older files still say Impressions."
)

# (metric key, platform, source field as it appears in exports or API payloads, valid_from, valid_to,
#  deprecated, note)
SourceRow = tuple[str, Platform, str, date | None, date | None, bool, str]
_FB, _IG, _TT, _LI, _X, _YT, _TH, _MA, _BS = (
    Platform.FACEBOOK,
    Platform.INSTAGRAM,
    Platform.TIKTOK,
    Platform.LINKEDIN,
    Platform.X,
    Platform.YOUTUBE,
    Platform.THREADS,
    Platform.MASTODON,
    Platform.BLUESKY,
)


def _m(key: str, platform: Platform, field: str, note: str = "") -> SourceRow:
    return (key, platform, field, None, None, False, note)


SOURCE_MAPPINGS: tuple[SourceRow, ...] = (
    # Meta Business Suite (Facebook pages)
    ("impressions", _FB, "Impressions", None, date(2024, 11, 1), True, META_VIEWS_NOTE),
    ("impressions", _FB, "Views", date(2024, 11, 1), None, False, META_VIEWS_NOTE),
    _m("reach", _FB, "Reach"),
    _m("reach", _FB, "Post reach", "Older page exports."),
    _m("engagements", _FB, "Reactions, Comments and Shares"),
    _m("likes", _FB, "Reactions"),
    _m("comments", _FB, "Comments"),
    _m("shares", _FB, "Shares"),
    _m("clicks", _FB, "Total clicks"),
    _m("followers", _FB, "Page followers"),
    # Instagram (account insights and exports)
    ("impressions", _IG, "impressions", None, IG_VIEWS_SWITCH, True, IG_NOTE),
    ("impressions", _IG, "views", IG_VIEWS_SWITCH, None, False, IG_NOTE),
    _m("reach", _IG, "Reach"),
    _m("likes", _IG, "Likes"),
    _m("comments", _IG, "Comments"),
    _m("shares", _IG, "Shares"),
    _m("saves", _IG, "Saves"),
    _m("follower_growth", _IG, "Follows"),
    _m("followers", _IG, "followers_count"),
    # TikTok Overview.csv
    _m("video_views", _TT, "Video Views"),
    _m("likes", _TT, "Likes"),
    _m("comments", _TT, "Comments"),
    _m("shares", _TT, "Shares"),
    _m("followers", _TT, "Followers"),
    # LinkedIn page content export (header under a description row)
    _m("impressions", _LI, "Impressions"),
    _m("clicks", _LI, "Clicks"),
    _m("likes", _LI, "Likes"),
    _m("comments", _LI, "Comments"),
    _m("shares", _LI, "Reposts"),
    _m("follower_growth", _LI, "Follows"),
    # X classic tweet activity
    _m("impressions", _X, "impressions"),
    _m("engagements", _X, "engagements"),
    _m("clicks", _X, "url clicks"),
    _m("likes", _X, "likes"),
    _m("comments", _X, "replies"),
    _m("shares", _X, "retweets"),
    # YouTube Studio "Table data.csv"
    _m("video_views", _YT, "Views"),
    _m("impressions", _YT, "Impressions", "Thumbnail impressions, not video plays."),
    _m("follower_growth", _YT, "Subscribers", "Net subscribers gained in the row's period."),
    # Threads insights API
    _m("impressions", _TH, "views"),
    _m("likes", _TH, "likes"),
    _m("comments", _TH, "replies"),
    _m("shares", _TH, "reposts"),
    # Open protocols: counters on the status / post record
    _m("likes", _MA, "favourites_count"),
    _m("comments", _MA, "replies_count"),
    _m("shares", _MA, "reblogs_count"),
    _m("followers", _MA, "followers_count"),
    _m("likes", _BS, "likeCount"),
    _m("comments", _BS, "replyCount"),
    _m("shares", _BS, "repostCount"),
    _m("followers", _BS, "followersCount"),
)


@dataclass(frozen=True)
class SeveritySpec:
    level: int
    name: str
    description: str
    criteria: str
    response_minutes: int
    pause_publishing: bool


SEVERITY_LEVELS: tuple[SeveritySpec, ...] = (
    SeveritySpec(
        1,
        "Low",
        "Isolated negative comments that are not spreading.",
        "Fewer than 10 related negative messages an hour; no influencer, media or safety angle.",
        240,
        False,
    ),
    SeveritySpec(
        2,
        "Moderate",
        "A complaint gaining traction.",
        "10-50 related negative messages an hour, or an influencer (>10k followers) involved.",
        60,
        False,
    ),
    SeveritySpec(
        3,
        "High",
        "A safety, health or discrimination issue, or trending in one market.",
        "Health or safety claim, local media asking questions, or a top-10 trend in one market. "
        "Pause scheduled posts of the brand.",
        30,
        True,
    ),
    SeveritySpec(
        4,
        "Critical",
        "Harm to people, regulator, legal action or national media.",
        "Regulator or police involved, national media coverage, several markets affected. "
        "Pause all publishing; leadership on the call.",
        15,
        True,
    ),
)

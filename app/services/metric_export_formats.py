"""The analytics export files people download (Meta Business Suite for Facebook and Instagram, LinkedIn
page analytics, X analytics, TikTok, YouTube Studio, Google Analytics 4 and CRM conversion exports): which
file is which, told from its header row, and which column means what, matched by alias.

Nothing here touches the database. Reading the bytes (BOMs, UTF-16, `sep=` lines, XLSX) is shared with
the post importer (app.services.import_formats); description rows above the header are skipped by
looking for the first row that names a known format.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from app.models.enums import Platform
from app.services.errors import ValidationError
from app.services.import_formats import _csv_records, _decode, _xlsx_records

# Roles that are not metrics: where a row belongs and what it says about itself.
ROW_ROLES = ("date", "post_id", "permalink", "published", "title", "as_of")
CONVERSION_ROLES = (
    "external_id", "occurred", "kind", "value", "currency", "utm_source", "utm_medium", "utm_campaign", "utm_content",
)  # fmt: skip
CONVERSION_SOURCES = ("ga4", "crm")
HEADER_SEARCH_ROWS = 30  # description rows above the header: LinkedIn has one, GA4 a dozen
TOTAL_WORDS = frozenset({"total", "totals", "grand total", "summary", "sum", "all"})


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
FORMAT_BY_NAME = {f.name: f for f in FORMATS}
PLATFORM_CHOICES: tuple[str, ...] = (
    "facebook",
    "instagram",
    "linkedin",
    "x",
    "tiktok",
    "youtube",
    "ga4",
    "crm",
)
# Columns every user of an export sees but that are ratios of base metrics: not stored, recomputed.
DERIVED_HINT = re.compile(r"rate|ctr|%|average|avg|per |duration|watch time", re.IGNORECASE)


def norm(header: str) -> str:
    text = header.replace("\ufeff", "").replace("\u00a0", " ").strip().strip('"').lower()
    return re.sub(r"\s+", " ", text.replace("_", " ")).strip()


@dataclass
class ExportRow:
    row: int  # as the spreadsheet shows it
    cells: dict[str, str]  # role or metric key -> cell text (stripped)


@dataclass
class ParsedExport:
    format: ExportFormat
    filename: str
    encoding: str
    header_row: int
    column_names: dict[str, str]  # role or metric key -> the header as written
    rows: list[ExportRow]
    notes: list[str] = field(default_factory=list)
    totals_rows: list[int] = field(default_factory=list)

    def column(self, role: str) -> str:
        return self.column_names.get(role, role)


def _records(data: bytes, filename: str) -> tuple[list[tuple[int, list[str]]], str]:
    if not data:
        raise ValidationError("the file is empty", field="file")
    name = (filename or "").lower()
    if name.endswith(".xls") or data.startswith(b"\xd0\xcf\x11\xe0"):
        raise ValidationError("old .xls workbooks are not read: save as .xlsx or .csv", field="file")
    if data.startswith(b"PK\x03\x04") or name.endswith(".xlsx"):
        return _xlsx_records(data), "xlsx"
    try:
        text, encoding = _decode(data)
    except UnicodeDecodeError as exc:
        raise ValidationError(
            f"{filename}: cannot read it as text (byte {exc.start} is not valid {exc.encoding}); "
            "save it as CSV UTF-8 or XLSX",
            field="file",
        ) from None
    if "\x00" in text:
        raise ValidationError(f"{filename}: holds NUL characters, so it is not a text export", field="file")
    # GA4's "# ..." description lines become blank lines: still counted as rows, but they no longer
    # outvote the header when the delimiter is guessed.
    text = re.sub(r"(?m)^[ \t]*#[^\r\n]*", "", text)
    try:
        records, _, _ = _csv_records(text)
    except Exception as exc:  # csv.Error on broken quoting
        raise ValidationError(f"{filename}: not a readable CSV ({exc})", field="file") from None
    return records, encoding


def _match(headers: list[str], candidates: tuple[ExportFormat, ...]) -> ExportFormat | None:
    names = {norm(h) for h in headers if h.strip()}
    best: tuple[int, ExportFormat] | None = None
    for fmt in candidates:
        if any(sig <= names for sig in fmt.signatures):
            score = len(names & set(fmt.aliases()))
            if best is None or score > best[0]:
                best = (score, fmt)
    return best[1] if best else None


def _is_totals(cells: list[str]) -> bool:
    for c in cells:
        if c.strip():
            return c.strip().lower() in TOTAL_WORDS
    return False


def read_export(
    data: bytes,
    filename: str,
    platform: str = "auto",
    extra_aliases: dict[Platform, dict[str, str]] | None = None,
) -> ParsedExport:
    """Find the header row and the format, and map each column to its role or metric. `extra_aliases`
    are the dictionary's platform fields (normalised name -> metric key) on top of the built-in ones.
    Raises ValidationError naming what was expected when no known export is recognised."""
    if platform not in ("auto", *PLATFORM_CHOICES):
        raise ValidationError(
            f"platform {platform!r} is not one of: auto, {', '.join(PLATFORM_CHOICES)}", field="platform"
        )
    records, encoding = _records(data, filename)
    candidates = tuple(
        f
        for f in FORMATS
        if platform == "auto"
        or (f.platform is not None and f.platform.value == platform)
        or f.source == platform
    )
    fmt, start = None, None
    seen = 0
    for i, (_, cells) in enumerate(records):
        if not any(c.strip() for c in cells) or cells[0].lstrip().startswith("#"):
            continue  # blank lines and GA4's "# ..." description lines
        fmt = _match(cells, candidates)
        if fmt is not None:
            start = i
            break
        seen += 1
        if seen >= HEADER_SEARCH_ROWS:
            break
    if fmt is None or start is None:
        first = next((c for _, c in records if any(x.strip() for x in c)), [])
        shown = ", ".join(repr(c.strip()) for c in first if c.strip())[:300] or "nothing"
        which = "a known analytics export" if platform == "auto" else f"a {platform} export"
        raise ValidationError(
            f"{filename}: not recognised as {which} (first row: {shown}). Read: Meta Business Suite "
            "(Facebook, Instagram), LinkedIn, X, TikTok, YouTube Studio, GA4 and CRM conversion exports",
            field="format",
        )
    header_row, headers = records[start]
    aliases = dict(fmt.aliases())
    if fmt.platform is not None and extra_aliases:
        for name, key in extra_aliases.get(fmt.platform, {}).items():
            aliases.setdefault(name, key)
    index: dict[str, int] = {}
    names: dict[str, str] = {}
    ignored: list[str] = []
    # Earlier aliases of a role win: walk the roles' alias lists in order, not the header order.
    by_norm = {}
    for i, h in enumerate(headers):
        by_norm.setdefault(norm(h), i)
    for role, role_aliases in fmt.columns.items():
        for a in role_aliases:
            if a in by_norm and role not in index and by_norm[a] not in index.values():
                index[role] = by_norm[a]
                break
    for n, i in by_norm.items():
        key = aliases.get(n)
        if key and key not in index and i not in index.values():
            index[key] = i
    for role, i in index.items():
        names[role] = headers[i].strip().lstrip("\ufeff")
    for i, h in enumerate(headers):
        if h.strip() and i not in index.values():
            ignored.append(h.strip())
    notes: list[str] = []
    derived = [h for h in ignored if DERIVED_HINT.search(h)]
    other = [h for h in ignored if h not in derived]
    if derived:
        notes.append(
            f"ratios not stored (the dictionary recomputes them from the counts): {', '.join(derived)}"
        )
    if other:
        notes.append(f"columns not used: {', '.join(other)}")
    rows: list[ExportRow] = []
    totals: list[int] = []
    for n, cells in records[start + 1 :]:
        if not any(c.strip() for c in cells):
            continue
        if _is_totals(cells):
            totals.append(n)
            continue
        rows.append(ExportRow(n, {k: (cells[i].strip() if i < len(cells) else "") for k, i in index.items()}))
    if totals:
        notes.append(f"totals row(s) {', '.join(map(str, totals))} skipped (totals are summed from the rows)")
    if start > 0:
        notes.append(f"header found on row {header_row}; the rows above it describe the export")
    return ParsedExport(fmt, filename, encoding, header_row, names, rows, notes, totals)

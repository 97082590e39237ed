"""Every closed set of values the data model uses, as StrEnums stored by value."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    VIEWER = "viewer"
    EDITOR = "editor"
    APPROVER = "approver"
    COMMUNITY_MANAGER = "community_manager"
    MANAGER = "manager"
    ADMIN = "admin"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


class Platform(StrEnum):
    FACEBOOK = "facebook"
    INSTAGRAM = "instagram"
    LINKEDIN = "linkedin"
    X = "x"
    TIKTOK = "tiktok"
    YOUTUBE = "youtube"
    THREADS = "threads"
    PINTEREST = "pinterest"
    MASTODON = "mastodon"
    BLUESKY = "bluesky"

    @property
    def label(self) -> str:
        return PLATFORM_LABELS[self]


PLATFORM_LABELS: dict[Platform, str] = {
    Platform.FACEBOOK: "Facebook",
    Platform.INSTAGRAM: "Instagram",
    Platform.LINKEDIN: "LinkedIn",
    Platform.X: "X",
    Platform.TIKTOK: "TikTok",
    Platform.YOUTUBE: "YouTube",
    Platform.THREADS: "Threads",
    Platform.PINTEREST: "Pinterest",
    Platform.MASTODON: "Mastodon",
    Platform.BLUESKY: "Bluesky",
}


class ConnectorKind(StrEnum):
    """How the hub talks to a channel: an open-protocol client, a webhook, a person, or export files."""

    MASTODON = "mastodon"
    BLUESKY = "bluesky"
    WEBHOOK = "webhook"
    MANUAL = "manual"
    EXPORT = "export"


class HealthStatus(StrEnum):
    UNKNOWN = "unknown"
    OK = "ok"
    DEGRADED = "degraded"
    BROKEN = "broken"


class PostStatus(StrEnum):
    IDEA = "idea"
    DRAFT = "draft"
    IN_REVIEW = "in_review"
    APPROVED = "approved"
    SCHEDULED = "scheduled"
    PUBLISHING = "publishing"
    PUBLISHED = "published"
    FAILED = "failed"
    ARCHIVED = "archived"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


class PostType(StrEnum):
    TEXT = "text"
    IMAGE = "image"
    CAROUSEL = "carousel"
    VIDEO = "video"
    REEL = "reel"
    STORY = "story"
    LINK = "link"


class BriefStatus(StrEnum):
    DRAFT = "draft"
    ACTIVE = "active"
    DONE = "done"
    CANCELLED = "cancelled"


class CampaignStatus(StrEnum):
    PLANNED = "planned"
    ACTIVE = "active"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


class ObjectiveKind(StrEnum):
    AWARENESS = "awareness"
    ENGAGEMENT = "engagement"
    CONVERSION = "conversion"
    RETENTION = "retention"


class ApprovalRule(StrEnum):
    ANY = "any"
    ALL = "all"


class ApprovalRequestStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    EXPIRED = "expired"
    CANCELLED = "cancelled"


class Decision(StrEnum):
    APPROVE = "approve"
    REJECT = "reject"


class AssetKind(StrEnum):
    IMAGE = "image"
    VIDEO = "video"
    DOCUMENT = "document"
    AUDIO = "audio"


class TagScope(StrEnum):
    ASSET = "asset"
    INBOX = "inbox"
    POST = "post"


class SopObjectType(StrEnum):
    POST = "post"
    CAMPAIGN = "campaign"
    REPORT = "report"
    INCIDENT = "incident"
    BRIEF = "brief"
    BRAND = "brand"


class SopRunStatus(StrEnum):
    OPEN = "open"
    COMPLETE = "complete"
    CANCELLED = "cancelled"


class StepStatus(StrEnum):
    PENDING = "pending"
    DONE = "done"
    FAILED = "failed"
    SKIPPED = "skipped"


class MessageKind(StrEnum):
    COMMENT = "comment"
    MENTION = "mention"
    DIRECT = "direct_message"
    REVIEW = "review"


class Direction(StrEnum):
    INBOUND = "inbound"
    OUTBOUND = "outbound"


class Sentiment(StrEnum):
    POSITIVE = "positive"
    NEUTRAL = "neutral"
    NEGATIVE = "negative"


class Priority(StrEnum):
    LOW = "low"
    NORMAL = "normal"
    HIGH = "high"
    URGENT = "urgent"


class InboxStatus(StrEnum):
    NEW = "new"
    OPEN = "open"
    WAITING = "waiting"
    RESOLVED = "resolved"
    SPAM = "spam"


class IncidentStatus(StrEnum):
    OPEN = "open"
    MONITORING = "monitoring"
    RESOLVED = "resolved"


class TimelineKind(StrEnum):
    NOTE = "note"
    ACTION = "action"
    STATUS = "status"
    NOTIFICATION = "notification"
    STATEMENT = "statement"


class NotifyVia(StrEnum):
    EMAIL = "email"
    WEBHOOK = "webhook"
    PHONE = "phone"
    IN_APP = "in_app"


class MetricUnit(StrEnum):
    COUNT = "count"
    PERCENT = "percent"
    RATIO = "ratio"
    CURRENCY = "currency"
    SECONDS = "seconds"


class Indicator(StrEnum):
    LEADING = "leading"
    LAGGING = "lagging"


class Aggregation(StrEnum):
    SUM = "sum"
    AVERAGE = "avg"
    LAST = "last"
    MAX = "max"


class PeriodKind(StrEnum):
    WEEK = "week"
    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"


class TouchpointKind(StrEnum):
    IMPRESSION = "impression"
    CLICK = "click"
    VISIT = "visit"
    ENGAGEMENT = "engagement"


class ExperimentStatus(StrEnum):
    DRAFT = "draft"
    RUNNING = "running"
    CONCLUDED = "concluded"
    CANCELLED = "cancelled"


class JobStatus(StrEnum):
    RUNNING = "running"
    OK = "ok"
    FAILED = "failed"
    # Recorded as running, but its process died (killed, a power cut): it neither finished nor failed.
    INTERRUPTED = "interrupted"

"""The SOP checklists the demo ships, taken from agency practice: content approval (two versions),
crisis response, monthly reporting and community response."""

from __future__ import annotations

from dataclasses import dataclass

from app.models.enums import Role, SopObjectType


@dataclass(frozen=True)
class StepSpec:
    title: str
    instructions: str
    owner_role: Role | None
    due_offset_hours: int | None
    auto_check: str | None = None
    required: bool = True


@dataclass(frozen=True)
class SopSpec:
    slug: str
    name: str
    description: str
    applies_to: SopObjectType
    versions: tuple[tuple[str, tuple[StepSpec, ...]], ...]  # (version notes, steps), oldest first


_ED, _AP, _MG, _CM = Role.EDITOR, Role.APPROVER, Role.MANAGER, Role.COMMUNITY_MANAGER

_BRIEF = StepSpec(
    "Brief matched",
    "Compare copy and creative with the brief: audience, key message, call to "
    "action and format all match. Note any deviation agreed with the client.",
    _ED,
    24,
)
_UTM = StepSpec(
    "Links carry governed UTM tags",
    "Every link is the campaign's tracked link: utm_source = "
    "platform, utm_medium = social or paid_social, utm_campaign from the campaign.",
    _ED,
    24,
    "links_have_utm",
)
_ALT = StepSpec(
    "Alt text on every image",
    "Each image and video cover on every variant has alt text that "
    "describes it for screen-reader users (no 'image of...').",
    _ED,
    24,
    "variants_have_alt_text",
)
_LEGAL = StepSpec(
    "Legal stage approved (regulated brands)",
    "For regulated brands the legal stage of the "
    "approval flow is approved and claims match the approved claims list. Not applicable "
    "to other brands.",
    _MG,
    48,
    "legal_stage_approved",
    required=False,
)

CONTENT_APPROVAL_V1: tuple[StepSpec, ...] = (
    _BRIEF,
    StepSpec(
        "Copy proofread",
        "Proofread in the post's language: names, prices, dates, hashtags, mentions. Read it aloud once.",
        _ED,
        24,
    ),
    _UTM,
    _ALT,
    _LEGAL,
    StepSpec(
        "Scheduled in the brand's best window",
        "Schedule inside the brand's best posting window "
        "(Analytics, best times); avoid public holidays and sensitive dates.",
        _ED,
        48,
    ),
)

CONTENT_APPROVAL_V2: tuple[StepSpec, ...] = (
    _BRIEF,
    StepSpec(
        "Copy proofread by a second person",
        "Someone other than the writer proofreads in the post's "
        "language: names, prices, dates, hashtags, mentions.",
        _ED,
        24,
    ),
    StepSpec(
        "Claims checked against the approved claims list",
        "Every product claim appears on the brand's "
        "approved claims list, word for word. No medical claims (heals, cures, treats).",
        _AP,
        24,
    ),
    _UTM,
    _ALT,
    _LEGAL,
    StepSpec(
        "Scheduled in the best window, clear of sensitive dates",
        "Best posting window, and checked "
        "against the sensitive-dates calendar and current news in the market.",
        _ED,
        48,
    ),
)

SOPS: tuple[SopSpec, ...] = (
    SopSpec(
        "content-approval",
        "Content approval",
        "Everything a post needs before it may be scheduled.",
        SopObjectType.POST,
        (
            ("First version.", CONTENT_APPROVAL_V1),
            (
                "Second-person proofread and a claims check, from the Barrier Repair Cream incident post-mortem.",
                CONTENT_APPROVAL_V2,
            ),
        ),
    ),
    SopSpec(
        "crisis-response",
        "Crisis response",
        "The first hours and days of an incident, in order.",
        SopObjectType.INCIDENT,
        (
            (
                "First version.",
                (
                    StepSpec(
                        "Assess severity",
                        "Use the severity matrix (reach, harm to people, media interest, "
                        "regulatory exposure) and record the level on the incident.",
                        _CM,
                        1,
                    ),
                    StepSpec(
                        "Pause scheduled publishing",
                        "Severity 3-4: pause the brand's publishing in the crisis "
                        "room. Check boosted posts and ads too.",
                        _MG,
                        1,
                    ),
                    StepSpec(
                        "Holding statement within 60 minutes",
                        "Post the approved holding statement: acknowledge, "
                        "show care, say when the next update comes. No speculation on causes.",
                        _CM,
                        1,
                    ),
                    StepSpec(
                        "Notify the chain",
                        "Run the notification chain for the severity; confirm the client and "
                        "legal have acknowledged.",
                        _MG,
                        1,
                    ),
                    StepSpec(
                        "Monitor sentiment hourly",
                        "Log volume, negative share and top themes in the timeline "
                        "every hour until two quiet hours in a row.",
                        _CM,
                        24,
                    ),
                    StepSpec(
                        "Post-mortem within 5 days",
                        "What happened, timeline, what worked, what to change; file "
                        "the changes as SOP edits.",
                        _MG,
                        120,
                    ),
                ),
            ),
        ),
    ),
    SopSpec(
        "monthly-reporting",
        "Monthly reporting",
        "From platform exports to the client's inbox, by the 5th working day.",
        SopObjectType.REPORT,
        (
            (
                "First version.",
                (
                    StepSpec(
                        "Import platform exports",
                        "Download last month's exports for every channel (Meta, "
                        "TikTok, YouTube, LinkedIn, X) and import them; watch for renamed columns.",
                        _ED,
                        24,
                    ),
                    StepSpec(
                        "Check data completeness",
                        "Every channel has a row for every day; gaps are explained; "
                        "follower counts are continuous.",
                        _ED,
                        48,
                    ),
                    StepSpec(
                        "Write insights",
                        "Three insights, each with the number, why it happened and what we do "
                        "next; compare with the month's targets.",
                        _ED,
                        72,
                    ),
                    StepSpec(
                        "Manager review",
                        "Check numbers against the dashboard and the story against the client's objectives.",
                        _MG,
                        96,
                    ),
                    StepSpec(
                        "Send to client",
                        "Send the PDF and the dashboard link, log the date, book the review call.",
                        _MG,
                        120,
                    ),
                ),
            ),
        ),
    ),
    SopSpec(
        "community-response",
        "Community response",
        "How the inbox is worked for a brand, every day.",
        SopObjectType.BRAND,
        (
            (
                "First version.",
                (
                    StepSpec(
                        "Acknowledge within SLA",
                        "First reply within the SLA of the message's priority; a short "
                        "human acknowledgement counts.",
                        _CM,
                        1,
                    ),
                    StepSpec(
                        "Use approved reply templates",
                        "Start from the approved template in the customer's "
                        "language; personalise; never promise refunds in public.",
                        _CM,
                        2,
                    ),
                    StepSpec(
                        "Escalate complaints",
                        "Health, safety, legal threats or press: escalate to the manager at "
                        "once and move the conversation to DM.",
                        _CM,
                        1,
                    ),
                    StepSpec(
                        "Log resolution",
                        "Close the thread with the resolution and a tag; note follow-ups.",
                        _CM,
                        24,
                    ),
                ),
            ),
        ),
    ),
)

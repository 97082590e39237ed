"""Report templates as code: which sections each report has, in which order. The PDF, the XLSX and the
quarterly-review slides are all rendered from the same template and the same built report."""

from __future__ import annotations

from dataclasses import dataclass

from app.services.core import ValidationError

SECTION_TITLES: dict[str, str] = {
    "kpis": "Key figures",
    "targets": "Targets",
    "trend": "Trend",
    "platforms": "Platforms",
    "posts": "Top and bottom posts",
    "community": "Community response",
    "incidents": "Incidents",
    "competitors": "Competitors and share of voice",
    "insights": "Insights",
    "recommendations": "Recommendations",
}


@dataclass(frozen=True)
class Template:
    key: str
    title: str
    audience: str
    sections: tuple[str, ...]


TEMPLATES: dict[str, Template] = {
    t.key: t
    for t in (
        Template(
            "executive",
            "Executive summary",
            "leadership and clients",
            ("kpis", "targets", "trend", "insights", "recommendations"),
        ),
        Template(
            "performance",
            "Detailed performance",
            "the social team",
            ("kpis", "targets", "trend", "platforms", "posts", "competitors", "insights", "recommendations"),
        ),
        Template(
            "community",
            "Community and response",
            "community managers",
            ("community", "incidents", "insights", "recommendations"),
        ),
        Template(
            "quarterly",
            "Quarterly review",
            "everyone, on a shared screen",
            ("kpis", "trend", "posts", "community", "competitors", "insights", "recommendations"),
        ),
    )
}
DEFAULT_TEMPLATE = "executive"


def get_template(key: str | None) -> Template:
    """The template named `key` (the executive summary when None); a clear error for an unknown name."""
    name = (key or DEFAULT_TEMPLATE).strip().lower()
    if name not in TEMPLATES:
        raise ValidationError(
            f"unknown report template {key!r} (choose one of: {', '.join(TEMPLATES)})",
            field="template",
            value=key,
        )
    return TEMPLATES[name]

"""Strategy: what a brand's content is for. Objectives (goal, kind, the KPI that measures it and its
target), audience segments (markets and platforms), content pillars (target share of posts) and
campaigns (objective, pillars, dates, budget, markets, channels, utm_campaign): listing, creating,
editing and archiving them. Sits on org; KPI targets stay in measurement (they are measured there)."""

from __future__ import annotations

from app.services.strategy import campaigns, objectives, pillars, segments
from app.services.strategy.campaigns import CampaignInfo
from app.services.strategy.objectives import ObjectiveInfo
from app.services.strategy.pillars import PillarInfo
from app.services.strategy.segments import SegmentInfo

__all__ = [
    "CampaignInfo",
    "ObjectiveInfo",
    "PillarInfo",
    "SegmentInfo",
    "campaigns",
    "objectives",
    "pillars",
    "segments",
]

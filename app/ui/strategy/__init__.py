"""Strategy on screen: the Strategy page's tabs (objectives, audience segments, content pillars and
campaigns), each a table for people with create, edit and archive for those who may change the strategy."""

from __future__ import annotations

from app.ui.strategy.campaigns_tab import campaigns_tab
from app.ui.strategy.objectives_tab import objectives_tab
from app.ui.strategy.pillars_tab import pillars_tab
from app.ui.strategy.segments_tab import segments_tab

__all__ = ["campaigns_tab", "objectives_tab", "pillars_tab", "segments_tab"]

"""Dashboards: the Overview's headline figures, trend and what is coming up, the dashboards' tables
(views), what changed in words (insights), the pillar mix against its target shares (pillar_mix) and one
campaign's objective, budget and posts (campaign_panel)."""

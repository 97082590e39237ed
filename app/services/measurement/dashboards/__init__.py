"""Dashboards: the Overview's headline figures, trend and what is coming up, the dashboards' tables
(views), and what changed in words (insights)."""

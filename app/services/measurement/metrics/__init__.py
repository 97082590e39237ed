"""Metrics: the dictionary and its formulas, imports of the platforms' analytics exports, reading metrics
back from the platforms, daily series, post rankings and the weekly/monthly rollups."""

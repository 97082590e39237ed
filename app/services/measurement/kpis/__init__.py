"""KPIs: targets and the table and progress of them, forecasts of a KPI's series, unusual days and how
sensitive their detection is."""

"""The content calendar: the one join every view makes (variant_rows), the list and per-day counts
(listing), the grid's events (grid), one post opened from it (post) and the CSV/XLSX/ICS export
(export). Exported through app.services.content."""

"""Google Sheets as a two-way editing surface: sheets_schema/*.yaml declares each worksheet, and the sync
reads, validates (through the same services as the app), applies and writes back through that schema."""

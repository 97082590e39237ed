"""Bulk import of posts: reading this tool's template, Hootsuite and Sprout Social files (formats), times
as people type them (times), checking rows with the composer's rules (rows), and the all-or-nothing
import (imports). Exported through app.services.content."""

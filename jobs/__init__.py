"""Scheduled jobs: each module runs once with `python -m jobs.<name>` and records a job-run row."""

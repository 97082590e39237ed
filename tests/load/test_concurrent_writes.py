"""Several editors (separate processes, as app sessions are) and a job runner writing at once, for a
few seconds on the store under test: no "database is locked", no lost write, no unexpected error.
The full-size run (10 editors, 2 jobs, 60 s, with latency percentiles) is benchmarks/load_test.py."""

from __future__ import annotations

from benchmarks.load_test import run_load


def test_concurrent_editors_and_a_job_lose_nothing(databases, demo_template) -> None:  # type: ignore[no-untyped-def]
    url = databases.new(template=demo_template)
    result = run_load(url, editors=4, jobs=1, seconds=6)
    assert result.writes > 20, "the workers did write"
    assert result.locked == 0, f"{result.locked} writes failed with 'database is locked'"
    assert result.lost == 0, f"{result.lost} writes the workers saw committed are missing"
    assert result.other_errors == []
    databases.drop(url)

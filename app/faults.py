"""Deterministic crash points for the fault tests: `maybe_crash("import.mid_batch")` kills the process
on the spot when SOCIALOPS_FAULT names that point, and does nothing otherwise.

The process dies with `os._exit` (no cleanup, no `finally`, no commit, no flush), which is what a
SIGKILL or a power cut does to a job; the tests then check the store and run the job again.
"""

from __future__ import annotations

import os
import sys

from app.config import setting, setting_value

# The variable the tests set in a child process's environment (the setting is environment-only).
FAULT_ENV = str(setting("fault").env)
# The exit status of a process killed by SIGKILL as a shell reports it, so the tests can tell a
# planned crash from an ordinary failure.
CRASH_EXIT_CODE = 137


def maybe_crash(point: str) -> None:
    """Die at once if the environment names `point` (several points may be given, comma-separated).

    The setting is read on every call (not cached) so a test can set it in a child process only; it is
    environment-only, so unset this costs one dictionary lookup and never opens the secrets file.
    """
    if point in setting_value("fault"):
        # stderr is unbuffered enough for one line; stdout may hold unflushed output that a real
        # kill would lose too, so it is left alone.
        sys.stderr.write(f"fault injected at {point}\n")
        sys.stderr.flush()
        os._exit(CRASH_EXIT_CODE)

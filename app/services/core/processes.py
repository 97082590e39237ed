"""Whether a process on this host is still there: how a runner, a publishing claim or a job run left
"running" by a process that was killed is told from one that is only slow."""

from __future__ import annotations

import os


def process_alive(pid: int) -> bool:
    """True unless `pid` is gone (or a zombie its parent has not reaped); a process of another user counts
    as alive."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:  # a killed child its parent has not reaped yet still answers kill(0)
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return True

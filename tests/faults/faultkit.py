"""What the fault tests share: running a real entry point (`python -m app …`, `python -m jobs.…`) as a
child process against the test database, with or without a crash point (app.faults), and killing one
with SIGKILL at a chosen moment."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine

from app.faults import CRASH_EXIT_CODE, FAULT_ENV

REPO = Path(__file__).resolve().parents[2]
TIMEOUT = 180  # seconds a child may take before the test gives up on it (and kills it)


@dataclass(frozen=True)
class Finished:
    code: int
    out: str
    err: str

    @property
    def crashed(self) -> bool:
        """Died at the injected crash point (or by SIGKILL), not by an error of its own."""
        return self.code in (CRASH_EXIT_CODE, -signal.SIGKILL)


def child_env(engine: Engine, fault: str | None = None, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != FAULT_ENV}
    env["DATABASE_URL"] = engine.url.render_as_string(hide_password=False)
    env["PYTHONUNBUFFERED"] = "1"
    if fault:
        env[FAULT_ENV] = fault
    env.update(extra)
    return env


def run(engine: Engine, *args: str, fault: str | None = None, **extra: str) -> Finished:
    """`python -m ARGS` to the end (bounded by TIMEOUT)."""
    done = subprocess.run(
        [sys.executable, "-m", *args],
        cwd=REPO,
        env=child_env(engine, fault, **extra),
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
    )
    return Finished(done.returncode, done.stdout, done.stderr)


def kill_after(engine: Engine, seconds: float, *args: str, **extra: str) -> tuple[bool, Finished]:
    """Start `python -m ARGS`, SIGKILL it after `seconds` (if it is still running); returns whether the
    kill landed on a running process, and how it ended."""
    proc = subprocess.Popen(
        [sys.executable, "-m", *args],
        cwd=REPO,
        env=child_env(engine, **extra),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=seconds)
        landed = proc.poll() is None
        if landed:
            os.kill(proc.pid, signal.SIGKILL)
        out, err = proc.communicate(timeout=TIMEOUT)
    finally:
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait(timeout=30)
    return landed, Finished(proc.returncode, out, err)


def timed(engine: Engine, *args: str) -> tuple[float, Finished]:
    started = time.monotonic()
    done = run(engine, *args)
    return time.monotonic() - started, done


def kill_when(engine: Engine, marker: str, delay: float, *args: str, **extra: str) -> tuple[bool, Finished]:
    """Start `python -m ARGS`, and SIGKILL it `delay` seconds after a line of its stderr contains
    `marker` (e.g. a progress line saying the writes begin); as kill_after otherwise."""
    proc = subprocess.Popen(
        [sys.executable, "-m", *args],
        cwd=REPO,
        env=child_env(engine, **extra),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    seen: list[str] = []
    deadline = time.monotonic() + TIMEOUT
    try:
        assert proc.stderr is not None
        for line in proc.stderr:  # ends when the child closes stderr (it exited)
            seen.append(line)
            if marker in line or time.monotonic() > deadline:
                time.sleep(delay)
                break
        landed = proc.poll() is None
        if landed:
            os.kill(proc.pid, signal.SIGKILL)
        out, err = proc.communicate(timeout=TIMEOUT)
    finally:
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait(timeout=30)
    return landed, Finished(proc.returncode, out, "".join(seen) + err)

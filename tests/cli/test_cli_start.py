"""`python -m app start` for real: it prepares a new store, runs the app (answering its health endpoint)
and the jobs runner (recording job runs), one SIGINT stops both, and a child that dies takes the other
down with a one-line message naming it and a non-zero exit."""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

from app.db import get_engine, read_session
from app.models import JobRun
from tests.servers.mastodon_server import free_port

REPO = Path(__file__).resolve().parents[2]
STARTED = re.compile(r"started (the app|the jobs runner) .*, pid (\d+)")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A child that exited but is not reaped yet is a zombie: gone for our purposes.
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split(")")[-1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def _wait(what: str, check, timeout: float) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.25)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")


class Started:
    """The `start` process, its stderr file, and the children it reported."""

    def __init__(self, tmp_path: Path, database_url: str, *streamlit_args: str) -> None:
        self.err_path = tmp_path / "start.err"
        self.err = self.err_path.open("w")
        env = {**os.environ, "DATABASE_URL": database_url, "SOCIALOPS_DEMO": "0"}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "app", "start", "--", *streamlit_args],
            cwd=REPO,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=self.err,
        )

    @property
    def stderr(self) -> str:
        return self.err_path.read_text()

    def children(self) -> dict[str, int]:
        return {name: int(pid) for name, pid in STARTED.findall(self.stderr)}

    def kill_all(self) -> None:
        for pid in [*self.children().values(), self.process.pid]:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        try:
            self.process.wait(timeout=10)
        finally:
            self.err.close()


@pytest.fixture
def start(tmp_path: Path, databases) -> Iterator:  # type: ignore[no-untyped-def, type-arg]
    """Start `python -m app start` on a new, empty database of the store under test; whatever happens,
    every process it made is killed by its PID at the end."""
    made: list[tuple[Started, str]] = []

    def _start(*streamlit_args: str) -> tuple[Started, Engine]:
        url = databases.new()
        s = Started(tmp_path, url, *streamlit_args)
        made.append((s, url))
        return s, get_engine(url)

    yield _start
    for s, url in made:
        s.kill_all()
        databases.drop(url)


def _healthy(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2) as resp:
            return resp.status == 200
    except OSError:
        return False


def _job_runs(engine: Engine) -> int:
    try:
        with read_session(engine) as s:
            return (
                s.scalar(select(func.count()).select_from(JobRun).where(JobRun.finished_at.is_not(None))) or 0
            )
    except Exception:  # the store is still being prepared
        return 0


def test_start_runs_the_app_and_the_runner_and_one_sigint_stops_both(start) -> None:  # type: ignore[no-untyped-def]
    port = free_port()
    s, engine = start("--server.port", str(port), "--server.headless", "true")
    _wait("both children to start", lambda: len(s.children()) == 2 or s.process.poll() is not None, 120)
    assert s.process.poll() is None, s.stderr
    children = s.children()
    assert set(children) == {"the app", "the jobs runner"}
    _wait("the app's health endpoint", lambda: _healthy(port), 90)
    _wait("the runner to record a job run in the store", lambda: _job_runs(engine) > 0, 90)
    assert s.process.poll() is None and all(_alive(p) for p in children.values())

    s.process.send_signal(signal.SIGINT)
    assert s.process.wait(timeout=60) == 0, s.stderr
    _wait("both children to be gone", lambda: not any(_alive(p) for p in children.values()), 10)
    assert "stopped" in s.stderr.splitlines()[-1]
    assert not _healthy(port)


def test_a_child_that_dies_stops_the_other_and_the_exit_is_non_zero(start) -> None:  # type: ignore[no-untyped-def]
    # Streamlit refuses a port that is not a number and exits at once; the runner must not stay behind.
    s, _ = start("--server.port", "not-a-port", "--server.headless", "true")
    code = s.process.wait(timeout=120)
    children = s.children()
    assert code != 0 and set(children) == {"the app", "the jobs runner"}, s.stderr
    _wait("both children to be gone", lambda: not any(_alive(p) for p in children.values()), 10)
    last = s.stderr.strip().splitlines()[-1]
    assert last.startswith("error: the app (streamlit run streamlit_app.py) exited with code"), last
    assert "stopped the jobs runner" in last

"""What the browser tests share besides the fixtures: the demo people as the identity provider knows
them, where artifacts go, and starting, waiting for and stopping the helper processes (always within a
bound, always by PID)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from app.db import read_session, write_session
from app.models import Channel, JobRun
from app.models.enums import JobStatus
from app.services.core import Actor
from app.services.org import channels

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "tests" / ".artifacts" / "e2e"
JOB_TIMEOUT_S = 180


@dataclass(frozen=True)
class Person:
    """A demo user as the identity provider knows them (`sub` names their button on its page)."""

    sub: str
    email: str
    name: str
    email_verified: bool = True


# One demo person per role (app/services/demo/people.py); the provider knows them all.
VIEWER = Person("jon", "jon.lee@kopi.example", "Jonathan Lee")  # viewer, workspace-wide
EDITOR = Person("farah", "farah.aziz@kopi.example", "Farah Aziz")  # editor, workspace-wide
APPROVER = Person("rachel", "rachel.ng@kopi.example", "Rachel Ng")  # approver on warisan only
COMMUNITY_MANAGER = Person("weiling", "weiling.chua@kopi.example", "Wei Ling Chua")  # workspace-wide
MANAGER = Person("mei", "mei.lim@kopi.example", "Mei Lim")  # manager, workspace-wide
ADMIN = Person("daniel", "admin@kopi.example", "Daniel Tan")  # admin
# Someone whose provider has not verified the address they claim: the admin's. They must get no role.
UNVERIFIED = Person("unverified", ADMIN.email, "Not Daniel", email_verified=False)
PEOPLE = (VIEWER, EDITOR, APPROVER, COMMUNITY_MANAGER, MANAGER, ADMIN, UNVERIFIED)


@dataclass(frozen=True)
class RunningApp:
    url: str  # http://127.0.0.1:<port>, the spelling the auth cookie is set for
    database_url: str
    folder: Path  # the server's working folder (.streamlit/, data/, streamlit.log)
    log: Path


def free_port() -> int:
    """A port the OS has just handed out on 127.0.0.1 (free unless someone grabs it meanwhile)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def tail(path: Path, lines: int = 60) -> str:
    if not path.exists():
        return f"(no log at {path})"
    text = path.read_text(encoding="utf-8", errors="replace").splitlines()
    return f"--- last {min(lines, len(text))} lines of {path} ---\n" + "\n".join(text[-lines:])


def wait_for_http(url: str, timeout_s: float, proc: subprocess.Popen[bytes], log: Path) -> None:
    """Poll `url` until it answers 200; fail at once if the process died, and with its log on timeout."""
    deadline = time.monotonic() + timeout_s
    last: object = None
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"{proc.args!r} exited with {proc.returncode} before {url} answered\n{tail(log)}")
        try:
            with urllib.request.urlopen(url, timeout=2) as resp:
                if resp.status == 200:
                    return
                last = resp.status
        except (urllib.error.URLError, OSError) as exc:
            last = exc
        time.sleep(0.2)
    pytest.fail(f"{url} did not answer within {timeout_s:.0f} s (last: {last!r})\n{tail(log)}")


def stop(proc: subprocess.Popen[bytes], grace_s: float = 10) -> None:
    """Terminate the process by its PID, and kill it if it has not gone after `grace_s`."""
    if proc.poll() is not None:
        return
    os.kill(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=grace_s)
    except subprocess.TimeoutExpired:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=grace_s)


def run_job(engine: Engine, name: str, **env: str) -> JobRun:
    """`python -m jobs.<name>` as the runner starts it: a child process with the store's URL and `env`
    (a channel's token variable; the database keeps only its name). Returns the run it recorded, which
    must be ok."""
    done = subprocess.run(
        [sys.executable, "-m", f"jobs.{name}"],
        cwd=REPO,
        env={
            **os.environ,
            "DATABASE_URL": engine.url.render_as_string(hide_password=False),
            "PYTHONUNBUFFERED": "1",
            **env,
        },
        capture_output=True,
        text=True,
        timeout=JOB_TIMEOUT_S,
    )
    assert done.returncode == 0, f"{name} exited {done.returncode}\n{done.stdout}\n{done.stderr}"
    with read_session(engine) as s:
        run = s.scalars(select(JobRun).where(JobRun.job_name == name).order_by(JobRun.id.desc())).first()
    assert run is not None and run.status == JobStatus.OK, run
    return run


def mastodon_channel(engine: Engine, brand: str, base_url: str, username: str, token_env: str) -> int:
    """Arrangement: `brand`'s channel for @username on a local Mastodon server; returns its id. The
    database keeps only the name of the token's variable: the app server and the jobs get the token
    itself in their environment, as in production."""
    with write_session(engine) as s:
        info = channels.create_channel(
            s,
            Actor.system("test:setup"),
            brand=brand,
            platform="mastodon",
            handle=f"@{username}",
            base_url=base_url,
            credential_env=token_env,
        )
        return s.scalars(select(Channel.id).where(Channel.slug == info.slug)).one()

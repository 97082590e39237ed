"""`python -m app start [-- STREAMLIT ARGS]`: the whole product in one command for a trial or a laptop.
It prepares the store as the app's first start does (migrate; the demo workspace on first start unless
SOCIALOPS_DEMO=0), then runs the app (`streamlit run streamlit_app.py`) and the jobs runner
(`python -m jobs.runner`) as two child processes. One Ctrl-C (SIGINT or SIGTERM) stops both; if either
stops by itself the other is stopped too and the command exits non-zero naming which."""

from __future__ import annotations

import argparse
import contextlib
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType

from app.cli.common import CliError, Commands, database_engine, progress_printer
from app.config import get_settings, mask_url
from app.demo import seed_first_start
from app.services.org import prepare_database

REPO = Path(__file__).resolve().parents[2]
# How long a child may take to stop after it is asked (the runner finishes the job it is running).
STOP_GRACE_SECONDS = 30.0
POLL_SECONDS = 0.2


@dataclass
class Child:
    name: str  # what the one-line message calls it
    command: list[str]
    process: subprocess.Popen | None = None

    @property
    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None


def child_commands(streamlit_args: Sequence[str], python: str = sys.executable) -> list[Child]:
    """The app and the runner, each with this interpreter, so the venv that runs `start` runs both."""
    app = [python, "-m", "streamlit", "run", str(REPO / "streamlit_app.py"), *streamlit_args]
    return [
        Child("the app (streamlit run streamlit_app.py)", app),
        Child("the jobs runner (python -m jobs.runner)", [python, "-m", "jobs.runner"]),
    ]


@dataclass
class Supervisor:
    """Starts the children in their own process groups (so a terminal's Ctrl-C reaches only this
    process, which then asks each child once: the runner takes a second signal as "exit at once") and
    stops them all together."""

    children: list[Child]
    grace: float = STOP_GRACE_SECONDS
    say: Callable[[str], None] = field(default=lambda m: print(m, file=sys.stderr, flush=True))
    stopping: int = 0  # signals received

    def on_signal(self, signum: int, frame: FrameType | None) -> None:
        self.stopping += 1
        if self.stopping > 1:  # a second Ctrl-C: do not wait for running jobs
            self._signal_all(signal.SIGKILL)

    def start(self) -> None:
        for child in self.children:
            child.process = subprocess.Popen(child.command, cwd=REPO, process_group=0)
            self.say(f"started {child.name}, pid {child.process.pid}")

    def _signal_all(self, sig: int) -> None:
        for child in self.children:
            if child.alive:
                assert child.process is not None
                with contextlib.suppress(ProcessLookupError):
                    child.process.send_signal(sig)

    def stop_all(self) -> None:
        """SIGTERM to every child still running; SIGKILL to any still there after the grace period."""
        self._signal_all(signal.SIGTERM)
        deadline = time.monotonic() + self.grace
        while any(c.alive for c in self.children) and time.monotonic() < deadline:
            time.sleep(POLL_SECONDS)
        self._signal_all(signal.SIGKILL)
        for child in self.children:
            if child.process is not None:
                child.process.wait()

    def run(self) -> int:
        """Until a signal (exit 0) or a child stops on its own (exit 1, naming it)."""
        try:
            self.start()
            while not self.stopping:
                gone = next((c for c in self.children if not c.alive), None)
                if gone is not None:
                    assert gone.process is not None
                    code = gone.process.returncode
                    others = [c.name for c in self.children if c is not gone and c.alive]
                    self.stop_all()
                    also = f"; stopped {', '.join(others)}" if others else ""
                    self.say(f"error: {gone.name} exited with code {code}{also}")
                    return 1
                time.sleep(POLL_SECONDS)
            self.say("stopping the app and the jobs runner…")
            self.stop_all()
            self.say("stopped")
            return 0
        finally:
            if any(c.alive for c in self.children):  # an error here must not leave children behind
                self._signal_all(signal.SIGKILL)


def prepare_store() -> None:
    """Migrate, and fill a new store as the app's first start would (the demo, or an empty workspace)."""
    settings = get_settings()
    engine = database_engine()
    try:
        result = prepare_database(
            engine,
            seed_demo=seed_first_start if settings.demo_on_first_start else None,
            progress=progress_printer(),
        )
    except RuntimeError as exc:
        raise CliError(f"cannot use the database at {mask_url(settings.database_url)}: {exc}") from None
    if result.seeded_demo:
        print("demo workspace created (SOCIALOPS_DEMO=0 starts empty instead)", file=sys.stderr)
    elif result.created_empty:
        print("empty workspace created", file=sys.stderr)


def cmd_start(args: argparse.Namespace) -> None:
    prepare_store()
    supervisor = Supervisor(child_commands(args.streamlit_args))
    previous = {sig: signal.signal(sig, supervisor.on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        code = supervisor.run()
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    if code:
        raise SystemExit(code)


def add_start_command(sub: Commands) -> None:
    p = sub.add_parser(
        "start",
        help="prepare the store, then run the app and the jobs runner together (Ctrl-C stops both)",
        description=__doc__.split("\n\n")[0],
    )
    p.add_argument(
        "streamlit_args",
        nargs="*",
        metavar="-- STREAMLIT_ARG",
        help="passed to `streamlit run` after `--`, e.g. `-- --server.port 8600`",
    )
    p.set_defaults(func=cmd_start)

"""`python -m jobs.publish_due [--limit N] [--workers N]`: publish every approved, scheduled variant whose
time has come (app.services.publishing). Safe to run in several processes at once: each variant is
claimed atomically, and a run killed mid-publish is reconciled by the next one, never posted twice."""

from __future__ import annotations

import argparse
import sys
from functools import partial

from sqlalchemy.orm import Session

from app.db import get_engine
from app.services.core import Actor
from app.services.publishing import DEFAULT_WORKERS, publish_due
from jobs.recording import run_job


def work(session: Session, actor: Actor, limit: int = 1000, workers: int = DEFAULT_WORKERS) -> dict[str, int]:
    # The job's own session stays unused: every claim and every outcome commits on its own (a claim must
    # be committed before the platform is called), and touching this session would hold SQLite's write
    # lock while they wait for it.
    return publish_due(get_engine(), actor, limit=limit, workers=workers).as_dict()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m jobs.publish_due", description=__doc__.split("\n")[0])
    parser.add_argument("--limit", type=int, default=1000, help="at most this many variants per run")
    parser.add_argument(
        "--workers", type=int, default=DEFAULT_WORKERS, help="platform calls in flight at once (default 4)"
    )
    args = parser.parse_args(argv)
    if args.limit < 1 or args.workers < 1:
        parser.error("--limit and --workers must be at least 1")
    return run_job("publish_due", partial(work, limit=args.limit, workers=args.workers))


if __name__ == "__main__":
    sys.exit(main())

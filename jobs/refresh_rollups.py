"""`python -m jobs.refresh_rollups`: bring the weekly and monthly metric rollups up to date with the
channel-days changed since the last run (marked by database triggers; see app.services.rollups)."""

from __future__ import annotations

import argparse
import sys

from sqlalchemy.orm import Session

from app.services.core import Actor
from app.services.measurement import rollups
from jobs.recording import run_job


def work(session: Session, actor: Actor) -> dict[str, int]:
    return rollups.refresh(session, actor).counts()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m jobs.refresh_rollups", description=__doc__.split("\n")[0]
    )
    parser.parse_args(argv)
    return run_job("refresh_rollups", work)


if __name__ == "__main__":
    sys.exit(main())

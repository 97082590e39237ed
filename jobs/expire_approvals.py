"""`python -m jobs.expire_approvals`: approved or scheduled posts that did not go out by the last time
their approval covered go back to draft, with a note on the post."""

from __future__ import annotations

import sys

from sqlalchemy.orm import Session

from app.services.content import expire_approvals
from app.services.core import Actor
from jobs.recording import run_job


def work(session: Session, actor: Actor) -> dict[str, int]:
    return {"expired": len(expire_approvals(session, actor))}


if __name__ == "__main__":
    sys.exit(run_job("expire_approvals", work))

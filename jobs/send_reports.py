"""`python -m jobs.send_reports`: produce each active report schedule's last complete period (daily,
weekly, monthly, quarterly) and mail it or save it to its folder, at most once per schedule and period
(app.services.report_delivery)."""

from __future__ import annotations

import sys

from sqlalchemy.orm import Session

from app.db import get_engine
from app.services.core import Actor
from app.services.reports import send_due
from jobs.recording import run_job


def work(session: Session, actor: Actor) -> dict[str, int]:
    # The job's own session stays unused: each claim and each outcome commits on its own (a claim must
    # be committed before the mail goes out), and touching this session would hold SQLite's write lock.
    return send_due(get_engine(), actor)


def main(argv: list[str] | None = None) -> int:
    return run_job("send_reports", work)


if __name__ == "__main__":
    sys.exit(main())

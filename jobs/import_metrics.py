"""`python -m jobs.import_metrics [--brand SLUG]`: post metric snapshots of recently published variants and
the channels' daily numbers, from every connected channel whose platform offers them. A platform's error
is kept on that channel's connection (and counted as failed); the run itself fails only when storing did."""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from functools import partial

from sqlalchemy.orm import Session

from app.db import get_engine, read_session
from app.services.brands import get_brand
from app.services.errors import ServiceError
from app.services.metrics_sync import sync_metrics
from app.services.permissions import Actor
from jobs.recording import run_job


class MetricsImportFailed(ServiceError):
    pass


def work(session: Session, actor: Actor, brand: str | None = None) -> dict[str, int]:
    # Each channel commits on its own; the job's session stays unused (see jobs.sync_inbox).
    engine = get_engine()
    with read_session(engine) as s:
        brand_ids = [get_brand(s, actor, brand).id] if brand else None
    results = sync_metrics(engine, actor, brand_ids)
    counts: Counter[str] = Counter(channels=len(results))
    for r in results:
        counts["skipped" if r.skipped else "ok" if r.ok else "failed"] += 1
        counts["snapshots"] += r.snapshots
        counts["channel_days"] += r.days
    # A platform's refusal is kept on its connection (the health page and the admin banner show it) and
    # counted here; only a failure on our side (storing) fails the run, since the job itself is at fault.
    ours = [r for r in results if not r.ok and not r.on_connection]
    if ours:
        raise MetricsImportFailed(
            f"{len(ours)} of {len(results)} channel(s) could not be stored "
            f"({counts['snapshots']} snapshot(s) stored from the others): "
            + "; ".join(f"{r.channel}: {r.error}" for r in ours)
        )
    return dict(counts)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m jobs.import_metrics", description=__doc__.split("\n")[0])
    parser.add_argument("--brand", help="only this brand's channels (slug)")
    args = parser.parse_args(argv)
    return run_job("import_metrics", partial(work, brand=args.brand))


if __name__ == "__main__":
    sys.exit(main())

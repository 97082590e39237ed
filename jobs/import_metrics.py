"""`python -m jobs.import_metrics [--brand SLUG]`: post metric snapshots of recently published variants and
the channels' daily numbers, from every connected channel whose platform offers them. A platform's error
is kept on that channel's connection (and counted as failed); the run itself fails only when storing did."""

from __future__ import annotations

import sys

from sqlalchemy.orm import Session

from app.services.core import Actor, ServiceError
from app.services.measurement import ChannelMetricsSync, sync_metrics
from jobs.recording import per_channel_main, per_channel_work


class MetricsImportFailed(ServiceError):
    pass


def _tally(r: ChannelMetricsSync) -> dict[str, int]:
    return {"snapshots": r.snapshots, "channel_days": r.days}


def work(session: Session, actor: Actor, brand: str | None = None) -> dict[str, int]:
    return per_channel_work(
        actor, brand, sync_metrics, _tally, MetricsImportFailed, kept=("snapshots", "snapshot(s) stored")
    )


def main(argv: list[str] | None = None) -> int:
    return per_channel_main("import_metrics", __doc__, work, argv)


if __name__ == "__main__":
    sys.exit(main())

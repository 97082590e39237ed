"""`python -m jobs.sync_inbox [--brand SLUG]`: new comments, mentions and direct messages of every connected
channel into the inbox, each channel on its own. A platform's error is kept on that channel's connection
(and counted as failed); the run itself fails only when storing did."""

from __future__ import annotations

import sys

from sqlalchemy.orm import Session

from app.services.community import ChannelSync, sync_inbox
from app.services.core import Actor, ServiceError
from jobs.recording import per_channel_main, per_channel_work


class InboxSyncFailed(ServiceError):
    pass


def _tally(r: ChannelSync) -> dict[str, int]:
    return {"fetched": r.fetched, "added": r.added}


def work(session: Session, actor: Actor, brand: str | None = None) -> dict[str, int]:
    return per_channel_work(
        actor, brand, sync_inbox, _tally, InboxSyncFailed, kept=("added", "message(s) added")
    )


def main(argv: list[str] | None = None) -> int:
    return per_channel_main("sync_inbox", __doc__, work, argv)


if __name__ == "__main__":
    sys.exit(main())

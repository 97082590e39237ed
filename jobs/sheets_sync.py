"""`python -m jobs.sheets_sync [--brand SLUG]`: two-way sync of every connected Google Sheets worksheet
(pull, check through the services, apply, write back). The run is recorded; a worksheet that could not
sync fails the run with its error, so the health page shows it, after the others have synced."""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from functools import partial

from sqlalchemy.orm import Session

from app.db import get_engine, read_session
from app.services.core import Actor, ServiceError
from app.services.org import get_brand
from app.sheets.sync import sync_brands
from jobs.recording import run_job


class SheetsSyncFailed(ServiceError):
    pass


def work(session: Session, actor: Actor, brand: str | None = None) -> dict[str, int]:
    # Each worksheet commits on its own (see app.sheets.sync), so the job's own session stays unused:
    # touching it would hold SQLite's write lock while the worksheets wait for it.
    engine = get_engine()
    with read_session(engine) as s:
        brand_ids = [get_brand(s, actor, brand).id] if brand else None
    results = sync_brands(engine, actor, brand_ids)
    counts: Counter[str] = Counter(worksheets=len(results))
    for r in results:
        counts["ok" if r.ok else "failed"] += 1
        counts["requests"] += r.requests
        for key in ("applied", "created", "refused", "conflicts", "removed", "archived"):
            counts[key] += int(r.counts.get(key, 0))
    failed = [r for r in results if not r.ok]
    if failed:
        raise SheetsSyncFailed(
            f"{len(failed)} of {len(results)} worksheet(s) failed: "
            + "; ".join(f"{r.brand}/{r.worksheet}: {r.error}" for r in failed)
        )
    return dict(counts)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m jobs.sheets_sync", description=__doc__.split("\n")[0])
    parser.add_argument("--brand", help="only this brand's worksheets (slug)")
    args = parser.parse_args(argv)
    return run_job("sheets_sync", partial(work, brand=args.brand))


if __name__ == "__main__":
    sys.exit(main())

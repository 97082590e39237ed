"""`python -m app audit`: the audit log, newest first, filtered by actor, object type or action."""

from __future__ import annotations

import argparse

from app.cli.common import Commands, print_rows, require_ready
from app.db import read_session
from app.services.core import Actor, audit


def cmd_audit(args: argparse.Namespace) -> None:
    require_ready()
    flt = audit.AuditFilter(actor=args.actor, object_type=args.object_type, action=args.action)
    with read_session() as s:
        df = audit.list_entries(s, Actor.cli(), flt, limit=args.limit)
    rows = df.to_dict("records")
    print_rows(
        rows, ["at", "actor", "action", "object_type", "object_id", "object", "brand", "after"], args.json
    )


def add_audit_commands(sub: Commands) -> None:
    """Register `audit` on the main parser's sub-commands."""
    aud = sub.add_parser("audit", help="read the audit log (newest first)")
    aud.add_argument("--limit", type=int, default=50)
    aud.add_argument("--actor")
    aud.add_argument("--object-type")
    aud.add_argument("--action")
    aud.add_argument("--json", action="store_true")
    aud.set_defaults(func=cmd_audit)

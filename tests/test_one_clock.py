"""The product reads the time only through app.services.core.clock, so a test can put it on any day.

Scans the source of app/, jobs/, pages/ and streamlit_app.py for calls that read the system clock
(datetime.now/utcnow/today, date.today, time.time) and names each one found outside the allowed places
as file:line. Durations (time.monotonic, time.perf_counter) are not reads of "now" and stay allowed.
"""

from __future__ import annotations

import ast
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SCANNED = ["app", "jobs", "pages", "streamlit_app.py"]

# (module, receiver, method) of the calls that read the system clock.
CLOCK_READS = {
    ("datetime", "now"),
    ("datetime", "utcnow"),
    ("datetime", "today"),
    ("date", "today"),
    ("time", "time"),
}

# (file, function) pairs allowed to read the system clock, each with its reason.
ALLOWED: dict[tuple[str, str], str] = {
    ("app/services/core/clock.py", "now"): "the clock itself",
    ("app/models/base.py", "utcnow"): "the ORM's fallback default: models sit below the services",
    # Connectors sit below the services in the import contract and talk to platforms on the platforms'
    # real clock: signature timestamps, Retry-After, createdAt, a platform's "today".
    ("app/connectors/webhook.py", "verify"): "signature timestamp checked against the sender's clock",
    ("app/connectors/webhook.py", "_payload"): "sent_at on the wire",
    ("app/connectors/webhook.py", "_send"): "signature timestamp on the wire",
    ("app/connectors/webhook.py", "_published"): "the receiver's publish time",
    ("app/connectors/webhook.py", "check_health"): "ping key",
    ("app/connectors/webhook.py", "_retry_after"): "HTTP date from the server",
    ("app/connectors/mastodon/connector.py", "_retry_after"): "HTTP date and reset epoch from the server",
    (
        "app/connectors/mastodon/connector.py",
        "fetch_channel_metrics",
    ): "the platform's day for today's followers",
    ("app/connectors/bluesky/connector.py", "_record"): "createdAt, which the apps order posts by",
    ("app/connectors/bluesky/repos.py", "read_inbox"): "lookback floor on the platform's clock",
    ("app/connectors/bluesky/repos.py", "read_channel_metrics"): "the platform's day",
}


def _receiver(node: ast.expr) -> str | None:
    """'datetime' for datetime.now, dt.datetime.now or datetime.datetime.now; None otherwise."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None


class _Reads(ast.NodeVisitor):
    def __init__(self, path: str) -> None:
        self.path = path
        self.stack: list[str] = []
        self.found: list[tuple[str, int, str, str]] = []

    def _scope(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        self.stack.append(node.name)
        self.generic_visit(node)
        self.stack.pop()

    visit_FunctionDef = _scope
    visit_AsyncFunctionDef = _scope

    def visit_Call(self, node: ast.Call) -> None:
        func = node.func
        if isinstance(func, ast.Attribute) and (_receiver(func.value), func.attr) in CLOCK_READS:
            where = self.stack[-1] if self.stack else "<module>"
            self.found.append((self.path, node.lineno, where, ast.unparse(func)))
        self.generic_visit(node)


def _sources() -> list[Path]:
    out: list[Path] = []
    for name in SCANNED:
        p = REPO / name
        out += sorted(p.rglob("*.py")) if p.is_dir() else [p]
    return [p for p in out if "migrations" not in p.parts]


def clock_reads() -> list[tuple[str, int, str, str]]:
    found: list[tuple[str, int, str, str]] = []
    for path in _sources():
        rel = path.relative_to(REPO).as_posix()
        visitor = _Reads(rel)
        visitor.visit(ast.parse(path.read_text(encoding="utf-8"), filename=rel))
        found += visitor.found
    return found


def test_the_product_reads_the_time_only_through_the_clock() -> None:
    stray = [f"{path}:{line} {call}() in {where}" for path, line, where, call in clock_reads()
             if (path, where) not in ALLOWED]  # fmt: skip
    assert not stray, (
        "read the time with app.services.core.clock (clock.now() / clock.today(tz)), not the system "
        "clock, so tests can freeze it:\n  " + "\n  ".join(stray)
    )


def test_every_allowed_read_still_exists() -> None:
    """An allowance whose read has gone is removed too, so the list never outlives its reasons."""
    seen = {(path, where) for path, _, where, _ in clock_reads()}
    assert not set(ALLOWED) - seen


def test_the_scan_finds_a_read() -> None:
    """The scan itself works: it names the clock's own read and a planted one."""
    visitor = _Reads("x.py")
    visitor.visit(ast.parse("import datetime as dt\ndef f():\n    return dt.date.today()\n"))
    assert visitor.found == [("x.py", 3, "f", "dt.date.today")]
    assert any(p == "app/services/core/clock.py" for p, *_ in clock_reads())

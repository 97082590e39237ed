"""How the Google Sheets sync scales: requests and seconds to export a 5,000-row calendar worksheet and
to pull an edited one, against a naive per-row gspread loop in the same run.

    python -m benchmarks.sheets_sync [--rows 5000] [--edits 100]

Both sides talk real gspread over HTTP to the local Sheets-compatible server the tests use
(tests/sheets/fake_sheets.py on 127.0.0.1), so requests are counted at the server. The naive loop is
what a script written against gspread's row API does: `append_row` per row to export, `row_values` per
row to read back. Google allows 60 requests a minute per user, so the request count is the figure that
decides whether a sync finishes at all; the seconds here are loopback seconds, far below Google's.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from gspread.utils import rowcol_to_a1

from app.db import dispose_engine, get_engine, upgrade, write_session
from app.demo import seed_demo_workspace
from app.services.core import Actor
from app.sheets import bindings
from app.sheets.client import make_client
from app.sheets.settings import SheetsSettings
from app.sheets.sync import SyncResult, sync_bindings
from benchmarks.results import Figure, record

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "sheets"))
import fake_sheets  # test infrastructure, shared with the benchmark
from sheetkit import bulk_brand

SYSTEM = Actor.system("benchmark:sheets")
EDITOR = "farah.aziz@kopi.example"
KEY = "1BenchmarkSpreadsheetKey0123456789abcdef"
SA_EMAIL = "bench@test-project.iam.gserviceaccount.com"
QUOTA_PER_MINUTE = 60


def _settings(url: str, pem: str) -> SheetsSettings:
    account = fake_sheets.service_account_info(url, SA_EMAIL, pem)
    return SheetsSettings(api_url=url, service_account=account, timeout_seconds=30, deadline_seconds=600)


def _timed(fn):  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    value = fn()
    return value, time.perf_counter() - started


def _calls(fake: fake_sheets.FakeSheets) -> int:
    # The token exchange is not a Sheets API request; the quota counts API calls only.
    return sum(1 for c in fake.api_calls() if not c.path.startswith("/token"))


def run(rows: int, edits: int) -> list[Figure]:
    pem = (
        rsa.generate_private_key(public_exponent=65537, key_size=2048)
        .private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        .decode()
    )
    folder = Path(tempfile.mkdtemp(prefix="soh-sheets-bench-"))
    url = f"sqlite:///{folder / 'bench.sqlite'}"
    engine = get_engine(url)
    upgrade(engine)
    seed_demo_workspace(engine, actor=SYSTEM)
    # One row every 20 minutes keeps all of them inside the calendar worksheet's 90-day window.
    bulk_brand(engine, "bench", rows, every=timedelta(minutes=20))
    server, thread = fake_sheets.start()
    fake = server.state
    try:
        fake_sheets.register_key(fake, SA_EMAIL, pem)
        fake.create(KEY)
        settings = _settings(fake.url, pem)
        with write_session(engine) as s:
            binding = bindings.connect(
                s, SYSTEM, brand="bench", schema="content_calendar", spreadsheet=KEY, sync_as=EDITOR
            ).id

        def sync() -> SyncResult:
            (result,) = sync_bindings(engine, SYSTEM, [binding], client=make_client(settings))
            if not result.ok:
                raise RuntimeError(result.error)
            return result

        fake.reset_log()
        first, export_s = _timed(sync)
        export_requests = _calls(fake)
        assert first.counts["rows"] == rows, first.counts
        tab = first.worksheet
        records = fake.records(KEY, tab)
        for r in records[:edits]:
            fake.type(KEY, tab, r["_row"], "Title", r["Title"] + " (edited)")
        fake.reset_log()
        pulled, pull_s = _timed(sync)
        pull_requests = _calls(fake)
        assert pulled.counts["applied"] == edits, pulled.counts

        # The naive loop: the same rows, one request each, through gspread's row API.
        header = list(records[0].keys())[1:]  # without the "_row" helper key
        values = [[str(r[h]) for h in header] for r in records]
        client = make_client(settings)
        fake.reset_log()
        ws = client.open_by_key(KEY).add_worksheet("Naive", rows=1, cols=len(header))
        ws.update([header], f"A1:{rowcol_to_a1(1, len(header))}", value_input_option="RAW")

        def naive_export() -> None:
            for row in values:
                ws.append_row(row, value_input_option="RAW")

        _, naive_export_s = _timed(naive_export)
        naive_export_requests = _calls(fake)
        fake.reset_log()

        def naive_pull() -> int:
            return sum(1 for i in range(2, len(values) + 2) if ws.row_values(i))

        read, naive_pull_s = _timed(naive_pull)
        naive_pull_requests = _calls(fake)
        assert read == rows
    finally:
        fake_sheets.stop(server, thread)
        dispose_engine(url)

    name = "sheets sync"
    figures = [
        Figure(name, f"export {rows:,} rows: seconds", export_s * 1000, naive_export_s * 1000, "ms"),
        Figure(
            name, f"export {rows:,} rows: API requests", export_requests, naive_export_requests, "requests"
        ),
        Figure(
            name, f"pull {rows:,} rows, {edits} edited: seconds", pull_s * 1000, naive_pull_s * 1000, "ms"
        ),
        Figure(name, f"pull {rows:,} rows: API requests", pull_requests, naive_pull_requests, "requests"),
    ]
    for f in figures:
        record(f)
        print(f"  {f.case}: ours {f.ours:,.0f} {f.unit}, naive {f.baseline:,.0f} {f.unit} ({f.ratio:,.1f}×)")
    worst = max(naive_export_requests, naive_pull_requests)
    print(
        f"  at Google's {QUOTA_PER_MINUTE} requests/minute the naive loop needs ≥ {worst / QUOTA_PER_MINUTE:,.0f} "
        f"minutes per pass; the sync needs {max(export_requests, pull_requests)} requests"
    )
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.sheets_sync", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--rows", type=int, default=5000)
    parser.add_argument("--edits", type=int, default=100)
    args = parser.parse_args(argv)
    run(args.rows, args.edits)
    return 0


if __name__ == "__main__":
    sys.exit(main())

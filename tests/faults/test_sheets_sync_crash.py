"""The Sheets sync job (`python -m jobs.sheets_sync`, a real child process, against the local
Sheets-compatible server) killed at each step of a worksheet's sync: the database stays consistent,
and the next run finishes the work exactly once — the sheet's edit applied once, the row added in the
sheet created once, the edit made in the app meanwhile kept and shown, the refused edit listed once."""

from __future__ import annotations

import json
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from faultkit import run
from sqlalchemy import Engine, func, select

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "sheets"))

import fake_sheets
from sheetkit import CAL, local, make_post, open_problems, person, post_of, soon

from app.db import dispose_engine, read_session, write_session
from app.models import AuditLog, JobRun, Post, PostVariant, SheetBinding, SheetProblem, SheetRowState
from app.models.enums import JobStatus
from app.models.sheets import ProblemStatus, SyncStatus
from app.services.content import composer, drafts
from app.services.core import Actor
from app.sheets import bindings
from app.sheets.client import make_client
from app.sheets.settings import SheetsSettings
from app.sheets.sync import sync_bindings

pytestmark = pytest.mark.slow  # child processes: several seconds each

KEY = "1FaultsFaultsFaultsFaultsFaults0123456789"
EDITOR = "farah.aziz@kopi.example"
SA_EMAIL = "socialops-faults@test-project.iam.gserviceaccount.com"
SYSTEM = Actor.system("test:faults")
ADDED = "Added in the sheet"


@pytest.fixture(scope="module")
def private_key_pem() -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


@pytest.fixture
def fake(private_key_pem: str) -> Iterator[fake_sheets.FakeSheets]:
    server, thread = fake_sheets.start()
    fake_sheets.register_key(server.state, SA_EMAIL, private_key_pem)
    server.state.create(KEY)
    try:
        yield server.state
    finally:
        fake_sheets.stop(server, thread)


def account(fake: fake_sheets.FakeSheets, pem: str) -> dict[str, str]:
    return fake_sheets.service_account_info(fake.url, SA_EMAIL, pem)


@pytest.fixture
def secrets(fake: fake_sheets.FakeSheets, private_key_pem: str, tmp_path: Path) -> Path:
    """The secrets file the job reads: the service account, and short retries."""
    lines = ["[sheets]", "backoff_seconds = 0.01", "max_attempts = 3", "[sheets.service_account]"]
    lines += [f"{k} = {json.dumps(v)}" for k, v in account(fake, private_key_pem).items()]
    path = tmp_path / "secrets.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def sync_now(db: Engine, fake: fake_sheets.FakeSheets, pem: str, binding: int) -> dict[str, int]:
    """A sync in this process (as the Sync now button does), for the set-up and the final check."""
    settings = SheetsSettings(api_url=fake.url, service_account=account(fake, pem), backoff_seconds=0.01)
    (result,) = sync_bindings(db, SYSTEM, [binding], client=make_client(settings))
    assert result.ok, result.error
    return result.counts


def job(db: Engine, fake: fake_sheets.FakeSheets, secrets: Path, fault: str | None = None):  # type: ignore[no-untyped-def]
    return run(
        db,
        "jobs.sheets_sync",
        fault=fault,
        SOCIALOPS_SECRETS_FILE=str(secrets),
        GOOGLE_SHEETS_API_URL=fake.url,
    )


def consistent(db: Engine, fake: fake_sheets.FakeSheets, binding: int) -> None:
    """What must hold after any kill: one state per record and binding, each for a record that exists,
    no open problem twice, no record twice on the sheet or in the database."""
    dispose_engine(db.url.render_as_string(hide_password=False))
    with read_session(db) as s:
        keys = list(s.scalars(select(SheetRowState.record_key).where(SheetRowState.binding_id == binding)))
        assert len(keys) == len(set(keys)), "a record with two row states"
        existing = set(s.scalars(select(PostVariant.id).where(PostVariant.id.in_([int(k) for k in keys]))))
        assert {int(k) for k in keys} <= existing, "a row state for a record that does not exist"
        open_ids = list(
            s.scalars(
                select(SheetProblem.identity).where(
                    SheetProblem.binding_id == binding, SheetProblem.status == ProblemStatus.OPEN
                )
            )
        )
        assert len(open_ids) == len(set(open_ids)), f"an open problem listed twice: {open_ids}"
        assert s.scalar(select(func.count()).select_from(Post).where(Post.title == ADDED)) <= 1
    shown = Counter(r["ID"] for r in fake.records(KEY, CAL) if r["ID"] != "")
    assert not [k for k, n in shown.items() if n > 1], f"a record on two rows: {shown}"


POINTS = [
    "sheets.applied",  # edits applied in the transaction, not committed
    "sheets.settled",  # committed; the sheet not written back (the new row has no ID on the sheet)
    "sheets.written",  # the sheet written back; what it now shows not yet remembered
    "sheets.remembered",  # all done but the worksheet's and the job's status
]


@pytest.mark.parametrize("point", POINTS)
def test_a_sync_killed_at_each_step_is_finished_exactly_once_by_the_next_run(
    demo_db: Engine, fake: fake_sheets.FakeSheets, secrets: Path, private_key_pem: str, point: str
) -> None:
    db = demo_db
    edited, app_side, refused = (make_post(db, EDITOR, f"Fault {n}") for n in ("sheet", "app", "refused"))
    with write_session(db) as s:
        binding = bindings.connect(
            s, SYSTEM, brand="lumi", schema="content_calendar", spreadsheet=KEY, sync_as=EDITOR
        ).id
    sync_now(db, fake, private_key_pem, binding)
    row_of = {v: fake.row_of(KEY, CAL, "ID", v) for v in (edited, app_side, refused)}

    # A person edits the sheet: one good edit, one refused, one new row ...
    fake.type(KEY, CAL, row_of[edited], "Title", "Edited in the sheet")
    fake.type(KEY, CAL, row_of[refused], "Status", "postponed")
    when = local(soon(days=4))
    fake.add_row(
        KEY, CAL, {"Channel": "lumi-facebook", "Title": ADDED, "Copy": "Made on the sheet", "Scheduled": when}
    )
    # ... while another edits a different post in the app.
    post, variant = post_of(db, app_side)
    with write_session(db) as s:
        draft = drafts.PostDraft(
            title="Edited in the app",
            master_copy=post.master_copy,
            post_type="text",
            variants=(drafts.VariantDraft("lumi-facebook", variant.copy, variant.scheduled_at),),
        )
        composer.update_post(s, person(db, EDITOR), post.id, draft, expected_version=post.version)

    crashed = job(db, fake, secrets, fault=point)
    assert crashed.crashed and f"fault injected at {point}" in crashed.err, crashed
    consistent(db, fake, binding)
    with read_session(db) as s:
        landed = s.scalar(select(func.count()).select_from(Post).where(Post.title == ADDED))
    assert landed == (0 if point == "sheets.applied" else 1), "the kill undid or kept the transaction"

    finished = job(db, fake, secrets)
    assert finished.code == 0, (finished.out, finished.err[-2000:])
    consistent(db, fake, binding)

    # The sheet's edit landed once (one change in the audit log as the sheet's person), the app's edit
    # was kept and reached the sheet.
    assert post_of(db, edited)[0].title == "Edited in the sheet"
    with read_session(db) as s:
        changes = list(
            s.scalars(
                select(AuditLog.action).where(
                    AuditLog.object_type == "post",
                    AuditLog.object_id == str(post_of(db, edited)[0].id),
                    AuditLog.actor == f"sheets:{EDITOR}",
                )
            )
        )
    assert len(changes) == 1, changes
    assert post_of(db, app_side)[0].title == "Edited in the app"
    shown = {r["ID"]: r for r in fake.records(KEY, CAL)}
    assert shown[str(edited)]["Title"] == "Edited in the sheet" and shown[str(edited)]["Sync status"] == ""
    assert shown[str(app_side)]["Title"] == "Edited in the app"
    # The new row became one post, and the sheet shows its ID on that one row.
    with read_session(db) as s:
        (added,) = s.scalars(
            select(PostVariant.id).join(Post, Post.id == PostVariant.post_id).where(Post.title == ADDED)
        ).all()
    assert [r["ID"] for r in fake.records(KEY, CAL) if r["Title"] == ADDED] == [str(added)]
    # The refused edit stays on the sheet and is listed once.
    assert post_of(db, refused)[0].status.value == "draft"
    assert shown[str(refused)]["Status"] == "postponed"
    assert shown[str(refused)]["Sync status"].startswith("Refused: ")
    assert [p.record_key for p in open_problems(db)] == [str(refused)]

    with read_session(db) as s:
        runs = list(s.scalars(select(JobRun).where(JobRun.job_name == "sheets_sync").order_by(JobRun.id)))
        status = s.get(SheetBinding, binding).last_status
    # The killed run never finished its record; the next one did, and recorded it as interrupted.
    assert [r.status for r in runs] == [JobStatus.INTERRUPTED, JobStatus.OK] and status == SyncStatus.OK

    # Nothing is left over for a third sync.
    again = sync_now(db, fake, private_key_pem, binding)
    assert (again.get("applied", 0), again.get("created", 0), again.get("written_rows", 0)) == (0, 0, 0), (
        again
    )

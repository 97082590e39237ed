"""Arbitrary text thrown at the places people type or paste into (platform rules, the composer, the
importer, Markdown-bound labels): emoji, right-to-left, zero-width characters, 100 kB strings, HTML and
script tags, SQL-looking and formula-looking text. Expected: stored verbatim, shown inert, never
executed, never a traceback — only the service's own clear errors."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, select

from app.db import read_session, write_session
from app.models import Post
from app.models.enums import Platform
from app.services.content import PostDraft, VariantDraft, composer, import_posts
from app.services.content.bulk.formats import read_rows
from app.services.core import Actor, ServiceError, ValidationError
from app.services.platforms import check_variant, count_chars
from app.ui.widgets.text import WORD_JOINER, plain

NASTY = [
    "<script>alert('x')</script>",
    "<img src=x onerror=alert(1)>",
    "'; DROP TABLE posts; --",
    "Robert'); DELETE FROM brands WHERE ('1'='1",
    '=HYPERLINK("http://127.0.0.1:9/x","click")',
    "+SUM(A1:A9)",
    "-2+3",
    "@cmd",
    "‮gnp.exe",  # right-to-left override
    "zero​width‌joiner‍here",
    "👩🏽‍💻🇸🇬🇲🇾🇮🇩 kopi ☕",
    "مرحبا بالعالم",
    "你好，世界 #新加坡",
    "line one\nline two\r\nline three",
    "\x00nul",
]
text = st.one_of(st.sampled_from(NASTY), st.text(min_size=0, max_size=300))
EDITOR = "farah.aziz@kopi.example"
SOON = datetime.now(UTC).replace(microsecond=0) + timedelta(days=5)


@settings(max_examples=200, deadline=None)
@given(
    # Up to ~100 kB: a short random text repeated (hypothesis cannot draw strings that long itself).
    copy=st.one_of(text, st.text(min_size=1, max_size=20).map(lambda t: t * (100_000 // len(t)))),
    platform=st.sampled_from(list(Platform)),
)
def test_platform_rules_judge_any_text_without_raising(copy: str, platform: Platform) -> None:
    issues = check_variant(platform, copy)
    assert count_chars(platform, copy) >= 0
    assert all(i.message for i in issues)


@settings(max_examples=200, deadline=None)
@given(value=text)
def test_markdown_escaping_leaves_nothing_active(value: str) -> None:
    shown = plain(value)
    # Escapes and the word joiners that keep an address from becoming a link are all that is added.
    assert re.sub(r"\\(.)", r"\1", shown.replace("  \n", "\n")).replace(WORD_JOINER, "") == value.replace(
        WORD_JOINER, ""
    )
    for special in "*_[]()<>`!#:$":
        assert not re.search(rf"(?<!\\){re.escape(special)}", shown), (special, shown)


def _actor(engine: Engine) -> Actor:
    from app.services.org import load_actor

    with read_session(engine) as s:
        actor = load_actor(s, EDITOR)
    assert actor is not None
    return actor


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(title=text, copy=text)
def test_the_composer_stores_what_was_typed_verbatim(module_demo_db: Engine, title: str, copy: str) -> None:
    draft = PostDraft(
        title=title,
        master_copy=copy,
        post_type="text",
        variants=(VariantDraft(channel="warisan-facebook", copy=copy, scheduled_at=SOON),),
    )
    try:
        with write_session(module_demo_db) as s:
            result = composer.create_post(s, _actor(module_demo_db), "warisan", draft)
    except ValidationError as exc:
        assert str(exc)  # refused with a message (empty title, empty copy, NUL...), nothing else
        return
    with read_session(module_demo_db) as s:
        post = s.get(Post, result.post_id)
        assert post.title == title.strip() and post.master_copy == copy and post.variants[0].copy == copy


@settings(max_examples=100, deadline=None)
@given(data=st.binary(max_size=2000), name=st.sampled_from(["posts.csv", "posts.xlsx", "posts.txt", "x"]))
def test_the_importer_reads_any_bytes_or_says_why_not(data: bytes, name: str) -> None:
    try:
        read_rows(data, name)
    except ServiceError as exc:
        assert str(exc)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cells=st.lists(text, min_size=1, max_size=5))
def test_imported_cells_are_kept_verbatim_or_refused_by_row(module_demo_db: Engine, cells: list[str]) -> None:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["channel", "scheduled_at", "title", "copy"])
    for n, cell in enumerate(cells):
        writer.writerow(
            ["warisan-facebook", (SOON + timedelta(hours=n)).isoformat(), f"Row {n} {cell}"[:200], cell]
        )
    with write_session(module_demo_db) as s:
        report = import_posts(
            s, _actor(module_demo_db), "warisan", out.getvalue().encode("utf-8"), "nasty.csv", valid_only=True
        )
    refused = {p.row for p in report.problems}
    with read_session(module_demo_db) as s:
        stored = (
            list(s.scalars(select(Post).where(Post.import_batch == report.batch_id)))
            if report.batch_id
            else []
        )
        copies = sorted(v.copy for p in stored for v in p.variants)
    # Every row is either stored with exactly its text or named in the report by its row number.
    kept = [c for n, c in enumerate(cells) if n + 2 not in refused]
    assert len(copies) == len(kept)
    # Verbatim, except that line breaks arrive as \n whatever the file used (CRLF, CR) and the
    # whitespace around a cell is trimmed (spreadsheets pad cells).
    normalised = {c.replace("\r\n", "\n").replace("\r", "\n").strip() for c in cells}
    assert all(c.strip() in normalised for c in copies), (copies, cells)


def test_a_nul_character_is_refused_the_same_way_everywhere(demo_db: Engine) -> None:
    """Any ORM write, not only the composer's: a brief field with NUL names the model and field."""
    from app.models import Brand
    from app.services.content import BriefFields, briefs

    with read_session(demo_db) as s:
        brand_id = s.scalars(select(Brand.id).where(Brand.slug == "warisan")).one()
    fields = BriefFields(title="Raya", audience="office\x00workers")
    try:
        with write_session(demo_db) as s:
            briefs.create_brief(s, _actor(demo_db), brand_id, fields)
    except ValidationError as exc:
        assert "brief audience contains a NUL character" in str(exc)
    else:
        raise AssertionError("a NUL character was stored")

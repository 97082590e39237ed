"""Importing posts in bulk on the real store: the composer's rules on every row, all-or-nothing by
default, the valid rows on request, dry runs that write nothing, one transaction of bulk inserts with
a batch id and an audit row per post, and 10,000 rows in one go."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from bulkfiles import (
    COPY_MS,
    COPY_ZH,
    FORMULA_COPY,
    big_template,
    hootsuite_csv,
    hootsuite_time,
    iso_local,
    local_time,
    sprout_csv,
    template_csv,
    template_row,
    template_xlsx,
)
from sqlalchemy import Engine, func, select

from app.db import read_session, write_session
from app.models import AuditLog, Brand, Campaign, Channel, ContentPillar, Post, PostVariant, variant_assets
from app.models.enums import PostStatus
from app.services.content import RowProblem
from app.services.content.bulk.imports import ImportReport, import_posts
from app.services.content.composer import check_draft
from app.services.content.drafts import PostDraft, VariantDraft
from app.services.core import Actor, PermissionDenied, ValidationError
from app.services.org import users

EDITOR = "farah.aziz@kopi.example"
VIEWER = "jon.lee@kopi.example"
WARISAN_APPROVER = "rachel.ng@kopi.example"


def actor(engine: Engine, email: str = EDITOR) -> Actor:
    with read_session(engine) as s:
        a = users.load_actor(s, email)
    assert a is not None
    return a


def run(engine: Engine, data: bytes, filename: str = "posts.csv", who: str = EDITOR, **kw) -> ImportReport:  # type: ignore[no-untyped-def]
    with write_session(engine) as s:
        return import_posts(s, actor(engine, who), kw.pop("brand", "warisan"), data, filename, **kw)


def counts(engine: Engine) -> tuple[int, int, int]:
    with read_session(engine) as s:
        return (
            s.scalar(select(func.count()).select_from(Post)) or 0,
            s.scalar(select(func.count()).select_from(PostVariant)) or 0,
            s.scalar(select(func.count()).select_from(AuditLog)) or 0,
        )


def campaign_rows() -> list[dict[str, str]]:
    """One post on two channels (with pillar, campaign, link, a formula-looking copy) and one idea."""
    return [
        template_row(post_key="kopi-o", channel="warisan-x", scheduled_at=iso_local(3, 9, 30), title="Kopi O pagi",
                     copy=FORMULA_COPY, link="https://warisan.example/kopi-o", post_type="text",
                     pillar="Heritage stories", campaign="kopi-o-classics", status="draft"),
        template_row(post_key="kopi-o", channel="facebook", scheduled_at=iso_local(3, 9, 30), copy=COPY_ZH),
        template_row(post_key="ig", channel="warisan-instagram", scheduled_at=iso_local(4, 12), title="Nasi lemak",
                     copy=COPY_MS, media="warisan-01.png", alt_text="Nasi lemak on a banana leaf"),
        template_row(title="Idea: kopi and kuih pairing", copy="Pairing ideas for Hari Raya 🌙", status="idea"),
    ]  # fmt: skip


def test_a_clean_import_writes_posts_variants_media_and_audit_in_one_batch(demo_db: Engine) -> None:
    before = counts(demo_db)
    seen: list[tuple[float, str]] = []
    report = run(
        demo_db,
        template_csv(campaign_rows(), encoding="utf-8-sig"),
        progress=lambda f, m: seen.append((f, m)),
    )
    assert report.format == "template" and not report.problems and report.refused_rows == []
    assert (report.created_posts, report.created_variants) == (3, 3)
    assert report.batch_id and report.batch_id.startswith(f"imp-{datetime.now(UTC):%Y%m%d}-")
    assert report.variants_per_channel == {"warisan-facebook": 1, "warisan-instagram": 1, "warisan-x": 1}
    assert seen[-1][0] == 1.0 and all(0 <= f <= 1 for f, _ in seen)
    assert counts(demo_db) == (before[0] + 3, before[1] + 3, before[2] + 4)  # + one summary audit row

    me = actor(demo_db)
    with read_session(demo_db) as s:
        posts = {p.title: p for p in s.scalars(select(Post).where(Post.import_batch == report.batch_id))}
        kopi = posts["Kopi O pagi"]
        assert kopi.status == PostStatus.DRAFT and kopi.version == 1 and kopi.owner_id == me.user_id
        assert kopi.created_by_id == me.user_id and kopi.link_url == "https://warisan.example/kopi-o"
        assert s.get(ContentPillar, kopi.pillar_id).name == "Heritage stories"
        assert s.get(Campaign, kopi.campaign_id).slug == "kopi-o-classics"
        assert kopi.master_copy == FORMULA_COPY and kopi.created_at.tzinfo is not None
        by_channel = {s.get(Channel, v.channel_id).slug: v for v in kopi.variants}
        assert by_channel["warisan-x"].copy == FORMULA_COPY  # stored verbatim, as text
        assert by_channel["warisan-facebook"].copy == COPY_ZH
        # 09:30 in Kuala Lumpur (UTC+8) is 01:30 UTC.
        assert by_channel["warisan-x"].scheduled_at == local_time(3, 9, 30).replace(tzinfo=UTC) - timedelta(
            hours=8
        )
        assert {v.brand_id for v in kopi.variants} == {kopi.brand_id}
        assert {v.status for v in kopi.variants} == {PostStatus.DRAFT}
        media = s.execute(
            select(variant_assets.c.asset_id, variant_assets.c.alt_text).where(
                variant_assets.c.variant_id == posts["Nasi lemak"].variants[0].id
            )
        ).all()
        assert len(media) == 1 and media[0][1] == "Nasi lemak on a banana leaf"
        idea = posts["Idea: kopi and kuih pairing"]
        assert idea.status == PostStatus.IDEA and idea.variants == []
        entries = s.scalars(select(AuditLog).where(AuditLog.action == "import")).all()
    per_post = [e for e in entries if e.object_type == "post"]
    assert sorted(int(e.object_id) for e in per_post) == sorted(p.id for p in posts.values())
    assert {e.after["import_batch"] for e in per_post} == {report.batch_id}
    assert all(e.actor == EDITOR and e.actor_user_id == me.user_id for e in entries)
    summary = next(e for e in entries if e.object_type == "post_import")
    assert summary.object_id == report.batch_id and summary.after["posts"] == 3 and summary.after["rows"] == 4


def test_one_bad_row_and_nothing_is_written(demo_db: Engine) -> None:
    rows = campaign_rows()
    rows[1]["scheduled_at"] = "31/02/2030 10:00"
    before = counts(demo_db)
    report = run(demo_db, template_csv(rows, sep_line=True, delimiter=";"))
    assert report.blocked and report.batch_id is None and report.created_posts == 0
    # sep= is row 1, the header row 2: the second data row is row 4 in the spreadsheet.
    assert report.problems == [
        RowProblem(4, "scheduled_at", "31/02/2030 10:00", "not a date (read as day/month/year)")
    ]
    assert report.refused_rows == [3, 4]  # the whole post
    assert report.valid_posts == 2  # what --valid-only would import
    assert counts(demo_db) == before


def test_valid_only_imports_the_rest_and_says_why_each_row_was_left_out(demo_db: Engine) -> None:
    rows = campaign_rows()
    rows[1]["scheduled_at"] = "31/02/2030 10:00"
    rows.append(
        template_row(channel="warisan-x", copy="Cuba lagi", pillar="Not a pillar", title="Bad pillar")
    )
    before = counts(demo_db)
    report = run(demo_db, template_csv(rows), valid_only=True)
    assert (report.created_posts, report.created_variants) == (2, 1)
    assert report.refused_rows == [2, 3, 6]
    reasons = {(p.row, p.column): p.reason for p in report.problems}
    assert reasons[(3, "scheduled_at")] == "not a date (read as day/month/year)"
    assert reasons[(2, "post_key")] == "not imported: row 3 of the same post was refused"
    assert reasons[(6, "pillar")] == "pillar 'Not a pillar' is not one of Warisan Kopitiam's"
    assert counts(demo_db)[:2] == (before[0] + 2, before[1] + 1)


def test_a_dry_run_writes_nothing_and_shows_what_would_be_created(demo_db: Engine) -> None:
    before = counts(demo_db)
    report = run(demo_db, template_xlsx(campaign_rows()), "plan.xlsx", dry_run=True)
    assert report.dry_run and report.batch_id is None and report.created_posts == 0
    assert (report.valid_posts, report.valid_variants) == (3, 3)
    assert report.first_at is not None and report.last_at is not None and report.first_at < report.last_at
    assert [(p.row, p.channel) for p in report.preview] == [
        (2, "warisan-x"),
        (3, "warisan-facebook"),
        (4, "warisan-instagram"),
    ]
    assert counts(demo_db) == before


def test_an_x_row_over_280_characters_is_refused_with_the_composers_message(demo_db: Engine) -> None:
    copy = " ".join(["Kopi O 🧋"] * 40)  # 359 characters
    report = run(demo_db, template_csv([template_row(channel="warisan-x", copy=copy, title="Panjang")]))
    with read_session(demo_db) as s:
        brand = s.scalars(select(Brand).where(Brand.slug == "warisan")).one()
        composer = check_draft(s, brand.id, PostDraft("Panjang", variants=(VariantDraft("warisan-x", copy),)))
    expected = next(i.message for i in composer["warisan-x"] if i.level == "error")
    assert expected == "X: 359 characters, the limit is 280 (79 too many)"
    assert [(p.row, p.column, p.reason) for p in report.problems] == [(2, "copy", expected)]
    assert report.problems[0].value.endswith("...") and report.blocked


@pytest.mark.parametrize(
    ("change", "column", "reason"),
    [
        ({"channel": "lumi-instagram"}, "channel", "channel 'lumi-instagram' is not a channel of this brand"),
        ({"channel": "warisan-instagram"}, "media", "Instagram: needs an image or a video"),
        ({"scheduled_at": iso_local(-1)}, "scheduled_at", "UTC is in the past"),
        ({"link": "www.warisan.example"}, "link", "must start with http:// or https://"),
        ({"status": "approved"}, "status", "a new post starts as an idea or a draft"),
        ({"post_type": "meme"}, "post_type", "post type 'meme' is not one of"),
        ({"campaign": "Nope"}, "campaign", "campaign 'Nope' is not one of Warisan Kopitiam's"),
        ({"media": "lumi-01.png"}, "media", "no asset called 'lumi-01.png' in Warisan Kopitiam's library"),
        ({"copy": "#a #b #c #d"}, "copy", "X: 4 hashtags, at most 3"),
        ({"channel": ""}, "channel", "a channel is required (only ideas may have none)"),
    ],
)
def test_each_composer_rule_refuses_its_row(demo_db: Engine, change, column, reason) -> None:
    row = template_row(channel="warisan-x", copy="Jumpa di kedai!", title="Satu", scheduled_at=iso_local(2))
    row.update(change)
    report = run(demo_db, template_csv([row]), dry_run=True)
    assert any(p.row == 2 and p.column == column and reason in p.reason for p in report.problems), (
        report.problems
    )


def test_rows_of_one_post_must_agree_and_name_a_channel_once(demo_db: Engine) -> None:
    rows = [
        template_row(post_key="k", channel="warisan-x", title="Satu", copy="A", scheduled_at=iso_local(2)),
        template_row(post_key="k", channel="x", title="Dua", copy="B", scheduled_at=iso_local(2)),
    ]
    report = run(demo_db, template_csv(rows), dry_run=True)
    assert {(p.row, p.column, p.reason) for p in report.problems} == {
        (3, "title", "differs from row 2 of the same post ('Satu')"),
        (3, "channel", "two variants for channel 'warisan-x' (rows 2 and 3)"),
    }


def test_a_switched_off_channel_is_refused(demo_db: Engine) -> None:
    with write_session(demo_db) as s:
        s.scalars(select(Channel).where(Channel.slug == "warisan-linkedin")).one().active = False
    report = run(
        demo_db, template_csv([template_row(channel="warisan-linkedin", copy="Hai", title="T")]), dry_run=True
    )
    assert report.problems[0].reason == "channel 'warisan-linkedin' is switched off"


@pytest.mark.parametrize("order", ["dmy", "mdy"])
def test_hootsuite_day_first_and_month_first(demo_db: Engine, order: str) -> None:
    # Day and month both <= 12: only the chosen order tells 3 April from 4 March.
    when = (
        datetime(datetime.now().year + 1, 4, 3, 10, 0)
        if order == "dmy"
        else datetime(datetime.now().year + 1, 3, 4, 10, 0)
    )
    rows = [
        (hootsuite_time(when, order), COPY_MS, "https://warisan.example"),
        (hootsuite_time(when + timedelta(hours=1, minutes=7), order), COPY_ZH, ""),
    ]
    report = run(demo_db, hootsuite_csv(rows), "hootsuite.csv", channel="x", date_order=order)
    assert report.format == "hootsuite" and report.created_posts == 2
    assert [(w.row, w.column) for w in report.warnings] == [
        (2, "A (date and time)")
    ]  # 11:07 is off the 5-minute grid
    with read_session(demo_db) as s:
        times = sorted(
            s.scalars(select(PostVariant.scheduled_at).join(Post).where(Post.import_batch == report.batch_id))
        )
        titles = set(s.scalars(select(Post.title).where(Post.import_batch == report.batch_id)))
    assert times[0] == when.replace(tzinfo=UTC) - timedelta(hours=8)
    assert titles == {COPY_MS[:80].rsplit(" ", 1)[0].rstrip(" ,.;:-") + "…", COPY_ZH}


def test_hootsuite_without_a_channel_is_refused_clearly(demo_db: Engine) -> None:
    data = hootsuite_csv([(hootsuite_time(local_time(3), "dmy"), "Hai", "")])
    with pytest.raises(
        ValidationError, match="a Hootsuite bulk CSV has no channel column: choose the channel"
    ):
        run(demo_db, data, "h.csv")
    with pytest.raises(ValidationError, match="channel 'lumi-x' is not a channel of this brand"):
        run(demo_db, data, "h.csv", channel="lumi-x")


def test_sprout_file_to_one_channel(demo_db: Engine) -> None:
    when = local_time(5, 17, 5)
    data = sprout_csv([(when.strftime("%m/%d/%Y"), "17:05", COPY_MS, "https://warisan.example")])
    report = run(demo_db, data, "sprout.csv", channel="warisan-facebook", date_order="mdy")
    assert report.format == "sprout" and report.created_variants == 1 and not report.problems
    with read_session(demo_db) as s:
        variant = s.scalars(select(PostVariant).join(Post).where(Post.import_batch == report.batch_id)).one()
        assert variant.scheduled_at == when.replace(tzinfo=UTC) - timedelta(hours=8)
        assert s.get(Post, variant.post_id).link_url == "https://warisan.example"


def test_ten_thousand_rows_in_one_import(demo_db: Engine) -> None:
    before = counts(demo_db)
    data = big_template(10_000, ["warisan-x", "warisan-facebook", "warisan-linkedin"])
    report = run(demo_db, data, "big.csv")
    assert not report.problems and report.rows == 10_000
    assert (report.created_posts, report.created_variants) == (3334, 10_000)
    assert counts(demo_db) == (before[0] + 3334, before[1] + 10_000, before[2] + 3335)
    with read_session(demo_db) as s:
        assert (
            s.scalar(select(func.count()).select_from(Post).where(Post.import_batch == report.batch_id))
            == 3334
        )
    # The ids came through the store's own sequence: the composer's next post still gets a fresh id.
    with write_session(demo_db) as s:
        brand = s.scalars(select(Brand).where(Brand.slug == "warisan")).one()
        post = Post(brand_id=brand.id, title="After the import", master_copy="")
        s.add(post)
        s.flush()
        assert post.id > max(s.scalars(select(Post.id).where(Post.import_batch == report.batch_id)))


@pytest.mark.parametrize("who", [VIEWER, WARISAN_APPROVER])
def test_people_who_may_not_create_posts_are_refused(demo_db: Engine, who: str) -> None:
    before = counts(demo_db)
    with pytest.raises(PermissionDenied, match="may not create and edit content"):
        run(demo_db, template_csv(campaign_rows()), who=who)
    with pytest.raises(PermissionDenied):
        run(demo_db, template_csv(campaign_rows()), who=who, dry_run=True)
    assert counts(demo_db) == before

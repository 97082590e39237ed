"""The asset library after upload: metadata and tag edits with a version check, search filters and
rights windows, archive and delete, what blocks an asset from going out, the media of a variant as
the platform rules see it, and who may do any of it."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from assetkit import mp4, pdf, png
from sqlalchemy import Engine, insert, select

from app.db import read_session, write_session
from app.models import Asset, AuditLog, Brand, PostVariant, Tag, variant_assets
from app.models.enums import AssetKind, Role, TagScope
from app.services.content import media as assets
from app.services.core import Actor, Conflict, NotFound, PermissionDenied, ValidationError
from app.services.platforms import MediaInfo

EDITOR = Actor(email="editor@library.test", workspace_role=Role.EDITOR)
NOW = datetime.now(UTC)


@pytest.fixture(autouse=True)
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("SOCIALOPS_DATA_DIR", str(tmp_path / "data"))
    return tmp_path / "data"


@pytest.fixture
def brand_ids(demo_db: Engine) -> dict[str, int]:
    with read_session(demo_db) as s:
        return dict(s.execute(select(Brand.slug, Brand.id)).all())


def add(engine: Engine, filename: str, data: bytes, brand: str = "lumi", **kw) -> assets.AssetInfo:  # type: ignore[no-untyped-def]
    with write_session(engine) as s:
        return assets.add_asset(s, EDITOR, brand=brand, filename=filename, data=data, **kw)


def update(engine: Engine, asset_id: int, actor: Actor = EDITOR, **changes) -> assets.AssetInfo:  # type: ignore[no-untyped-def]
    with write_session(engine) as s:
        return assets.update_asset(s, actor, asset_id, **changes)


def search(engine: Engine, ids: list[int], **kw) -> list[int]:  # type: ignore[no-untyped-def]
    with read_session(engine) as s:
        return [a.id for a in assets.search_assets(s, EDITOR, ids, **kw)]


def test_metadata_edits_are_audited_and_a_stale_save_is_refused(demo_db: Engine) -> None:
    info = add(demo_db, "shelf.png", png(seed=1), title="Shelf", tags="ugc")
    changed = update(
        demo_db,
        info.id,
        expected_version=info.version,
        title="Customer shelf",
        alt_text="Three jars on a bathroom shelf",
        rights_owner="@jasmine",
        licence="Repost with credit",
        ugc_permission=True,
        tags="UGC, Bathroom",
    )
    assert (
        changed.title == "Customer shelf" and changed.tags == ("bathroom", "ugc") and changed.ugc_permission
    )
    assert changed.version > info.version
    with read_session(demo_db) as s:
        log = s.scalars(
            select(AuditLog).where(AuditLog.action == "update", AuditLog.object_type == "asset")
        ).one()
    assert log.before["title"] == "Shelf" and log.after["title"] == "Customer shelf"
    assert log.before["tags"] == ["ugc"] and log.after["tags"] == ["bathroom", "ugc"]
    assert log.before["ugc_permission"] is False and log.after["ugc_permission"] is True

    with pytest.raises(Conflict, match="changed by someone else"):
        update(demo_db, info.id, expected_version=info.version, title="Mine")
    # Tags live in another table, yet a tag-only edit still moves the version.
    tagged = update(demo_db, info.id, expected_version=changed.version, tags="ugc")
    assert tagged.version > changed.version and tagged.tags == ("ugc",)
    with read_session(demo_db) as s:
        tag_only = s.scalars(
            select(AuditLog)
            .where(AuditLog.action == "update", AuditLog.object_type == "asset")
            .order_by(AuditLog.id)
        ).all()[-1]
    assert (tag_only.before, tag_only.after) == ({"tags": ["bathroom", "ugc"]}, {"tags": ["ugc"]})
    assert tag_only.object_label == "Customer shelf" and tag_only.object_id == str(info.id)
    with pytest.raises(ValidationError, match="cannot be changed"):
        update(demo_db, info.id, storage_path="../../etc/passwd")
    with pytest.raises(ValidationError, match="title is longer than 200"):
        update(demo_db, info.id, title="x" * 201)


def test_tags_are_normalised_workspace_tags_of_scope_asset(demo_db: Engine) -> None:
    assert assets.normalise_tags(" Product  Shot, #UGC ,ugc,, ") == ["product shot", "ugc"]
    with read_session(demo_db) as s:
        before = {t.name: t.id for t in s.scalars(select(Tag).where(Tag.scope == TagScope.ASSET))}
    info = add(demo_db, "x.png", png(seed=2), tags=["Lifestyle", "Brand New"])
    with read_session(demo_db) as s:
        after = {t.name: t.id for t in s.scalars(select(Tag).where(Tag.scope == TagScope.ASSET))}
        names = assets.asset_tag_names(s, EDITOR)
    assert after["lifestyle"] == before["lifestyle"], "an existing tag is reused"
    assert set(after) - set(before) == {"brand new"} and "brand new" in names
    assert info.tags == ("brand new", "lifestyle")


def test_rights_expiry_given_as_a_date_starts_that_day_in_the_brand_time_zone(demo_db: Engine) -> None:
    info = add(demo_db, "x.pdf", pdf(b"tz"), brand="senja", rights_expire_at=date(2030, 10, 3))
    with read_session(demo_db) as s:
        tz = s.scalars(select(Brand).where(Brand.slug == "senja")).one().market.timezone
    local = info.rights_expire_at.astimezone(__import__("zoneinfo").ZoneInfo(tz))  # type: ignore[union-attr]
    assert (local.date(), local.hour, local.minute) == (date(2030, 10, 3), 0, 0)
    with pytest.raises(ValidationError, match="time zone"):
        update(demo_db, info.id, rights_expire_at=datetime(2030, 1, 1))


def test_search_by_text_tags_kind_rights_and_archive(demo_db: Engine, brand_ids: dict[str, int]) -> None:
    lumi = [brand_ids["lumi"]]
    hero = add(demo_db, "hero-final.png", png(seed=5), title="Serum hero 100%", tags="hero, product shot")
    soon = add(
        demo_db, "soon.png", png(seed=6), alt_text="A SERUM bottle", rights_expire_at=NOW + timedelta(days=10)
    )
    later = add(demo_db, "later.png", png(seed=7), tags="hero", rights_expire_at=NOW + timedelta(days=90))
    gone = add(demo_db, "gone.mp4", mp4(b"gone"), rights_expire_at=NOW - timedelta(days=1))
    mine = {hero.id, soon.id, later.id, gone.id}

    assert set(search(demo_db, lumi, text="serum")) & mine == {hero.id, soon.id}
    assert search(demo_db, lumi, text="100%") == [hero.id], "LIKE wildcards in the text are literal"
    assert search(demo_db, lumi, text="HERO-FINAL") == [hero.id]
    assert set(search(demo_db, lumi, tags=["hero"])) == {hero.id, later.id}
    assert search(demo_db, lumi, tags="Hero, product shot") == [hero.id]
    assert set(search(demo_db, lumi, kind="video")) & mine == {gone.id}  # (the demo has its own clip too)
    assert set(search(demo_db, lumi, rights="expiring")) & mine == {soon.id}
    assert gone.id in search(demo_db, lumi, rights="expired") and gone.id not in search(
        demo_db, lumi, rights="valid"
    )
    assert {hero.id, soon.id, later.id} <= set(search(demo_db, lumi, rights="valid"))
    assert set(search(demo_db, [brand_ids["warisan"]])) & mine == set()
    with read_session(demo_db) as s:
        found = {a.id: a for a in assets.search_assets(s, EDITOR, lumi)}
    assert found[soon.id].expiring and not found[soon.id].expired
    assert found[gone.id].expired and found[gone.id].thumbnail is None
    assert found[hero.id].thumbnail is not None and found[hero.id].brand == "lumi"

    with write_session(demo_db) as s:
        assets.archive_asset(s, EDITOR, hero.id)
    assert hero.id not in search(demo_db, lumi)
    assert hero.id in search(demo_db, lumi, include_archived=True)
    with write_session(demo_db) as s:
        assert not assets.archive_asset(s, EDITOR, hero.id, archived=False).archived
    assert hero.id in search(demo_db, lumi)
    with pytest.raises(ValidationError, match="rights filter"):
        search(demo_db, lumi, rights="someday")


def test_the_demo_library_is_searchable(demo_db: Engine, brand_ids: dict[str, int]) -> None:
    with read_session(demo_db) as s:
        demo = assets.search_assets(s, EDITOR, list(brand_ids.values()))
    assert len(demo) == 21  # per brand: six images and one video clip
    assert (
        sum(a.kind == AssetKind.IMAGE for a in demo) == 18
        and sum(a.kind == AssetKind.VIDEO for a in demo) == 3
    )
    assert sum(a.expired for a in demo) == 2 and sum(a.used_by > 0 for a in demo) > 0
    assert {"ugc", "logo"} <= {t for a in demo for t in a.tags}


def _free_variant(engine: Engine) -> int:
    with read_session(engine) as s:
        used = select(variant_assets.c.variant_id)
        return s.scalars(
            select(PostVariant.id).where(PostVariant.id.not_in(used)).order_by(PostVariant.id)
        ).first()  # type: ignore[return-value]


def test_media_of_a_variant_in_order_with_its_own_alt_text(demo_db: Engine) -> None:
    a = add(demo_db, "a.png", png(seed=11), alt_text="Asset alt A")
    b = add(demo_db, "b.mp4", mp4(b"b"), alt_text="Asset alt B")
    c = add(demo_db, "c.png", png(seed=12), alt_text="Asset alt C")
    variant = _free_variant(demo_db)
    with write_session(demo_db) as s:
        s.execute(
            insert(variant_assets),
            [
                {"variant_id": variant, "asset_id": a.id, "position": 2, "alt_text": None},
                {"variant_id": variant, "asset_id": b.id, "position": 0, "alt_text": "  "},
                {"variant_id": variant, "asset_id": c.id, "position": 1, "alt_text": "Cropped 9:16"},
            ],
        )
    with read_session(demo_db) as s:
        media = assets.media_for_variant(s, variant)
        picked = assets.media_for_assets(s, [c.id, a.id], {a.id: "Own alt"})
        assert assets.media_for_assets(s, []) == []
        with pytest.raises(NotFound, match="#999999"):
            assets.media_for_assets(s, [a.id, 999_999])
    assert media == [
        MediaInfo(AssetKind.VIDEO, "Asset alt B", "b.mp4"),
        MediaInfo(AssetKind.IMAGE, "Cropped 9:16", "c.png"),
        MediaInfo(AssetKind.IMAGE, "Asset alt A", "a.png"),
    ]
    assert picked == [
        MediaInfo(AssetKind.IMAGE, "Asset alt C", "c.png"),
        MediaInfo(AssetKind.IMAGE, "Own alt", "a.png"),
    ]


def test_blockers_name_expired_rights_archived_assets_and_ugc_without_permission(demo_db: Engine) -> None:
    fine = add(demo_db, "fine.png", png(seed=20), title="Fine")
    ends = add(
        demo_db, "ends.png", png(seed=21), title="Clinic photoshoot", rights_expire_at=NOW + timedelta(days=5)
    )
    ugc = add(demo_db, "ugc.png", png(seed=22), title="Shelf", tags="ugc")
    ugc_ok = add(demo_db, "ugc-ok.png", png(seed=23), title="Shelf ok", tags="ugc", ugc_permission=True)
    named_ugc = add(demo_db, "ugc-photo.png", png(seed=24), title="UGC in the name only")
    old = add(
        demo_db, "old.png", png(seed=25), title="Old", rights_expire_at=datetime(2026, 10, 3, 12, tzinfo=UTC)
    )
    with write_session(demo_db) as s:
        archived = assets.archive_asset(
            s, EDITOR, add(demo_db, "arch.png", png(seed=26), title="Archived").id
        )
    with read_session(demo_db) as s:
        assert assets.asset_blockers(s, [fine.id, ugc_ok.id, named_ugc.id, ends.id], NOW) == []
        later = assets.asset_blockers(s, [fine.id, ends.id], NOW + timedelta(days=6))
        assert len(later) == 1 and later[0].startswith("'Clinic photoshoot' rights expire on ")
        assert later[0].endswith("before this goes out")
        assert assets.asset_blockers(s, [ugc.id], NOW) == [
            "'Shelf' is user-generated content without the creator's permission recorded"
        ]
        assert assets.asset_blockers(s, [archived.id], NOW) == ["'Archived' is archived"]
        assert assets.asset_blockers(s, [424_242], NOW) == ["asset #424242 is no longer in the library"]
        past = assets.asset_blockers(s, [old.id], datetime(2027, 1, 1, tzinfo=UTC))
        with pytest.raises(ValidationError, match="time zone"):
            assets.asset_blockers(s, [fine.id], datetime(2027, 1, 1))
    # Noon UTC on 3 Oct is still 3 Oct in Singapore.
    assert past == ["'Old' rights expired on 3 Oct 2026"]


def test_usable_assets_leave_out_what_cannot_go_out_then(demo_db: Engine, brand_ids: dict[str, int]) -> None:
    fine = add(demo_db, "fine.png", png(seed=30))
    ends = add(demo_db, "ends.png", png(seed=31), rights_expire_at=NOW + timedelta(days=5))
    ugc = add(demo_db, "ugc.png", png(seed=32), tags="ugc")
    with read_session(demo_db) as s:
        now_ids = {a.id for a in assets.usable_assets(s, EDITOR, brand_ids["lumi"])}
        later_ids = {
            a.id for a in assets.usable_assets(s, EDITOR, brand_ids["lumi"], NOW + timedelta(days=6))
        }
        demo_expired = s.scalars(
            select(Asset.id).where(Asset.brand_id == brand_ids["lumi"], Asset.rights_expire_at < NOW)
        ).all()
    assert fine.id in now_ids and ends.id in now_ids and ugc.id not in now_ids
    assert fine.id in later_ids and ends.id not in later_ids
    assert demo_expired and not set(demo_expired) & now_ids


def test_an_asset_in_use_is_archived_not_deleted(demo_db: Engine, data_dir: Path) -> None:
    used = add(demo_db, "used.png", png(seed=40), title="In use")
    spare = add(demo_db, "spare.png", png(seed=41), title="Spare")
    with write_session(demo_db) as s:
        s.execute(
            insert(variant_assets).values(variant_id=_free_variant(demo_db), asset_id=used.id, position=0)
        )
    with (
        write_session(demo_db) as s,
        pytest.raises(ValidationError, match="used by 1 post variant; archive it"),
    ):
        assets.delete_asset(s, EDITOR, used.id)

    assert spare.path is not None and spare.thumbnail is not None
    # A deletion rolled back keeps the files...
    with pytest.raises(RuntimeError), write_session(demo_db) as s:
        assets.delete_asset(s, EDITOR, spare.id)
        raise RuntimeError("something later in the transaction failed")
    assert spare.path.is_file() and spare.thumbnail.is_file()
    # ...a committed one removes the row, its tags and its files.
    with write_session(demo_db) as s:
        assets.delete_asset(s, EDITOR, spare.id)
        assert spare.path.is_file(), "files go only after the commit"
    assert not spare.path.exists() and not spare.thumbnail.exists()
    with read_session(demo_db) as s:
        assert s.get(Asset, spare.id) is None
        log = s.scalars(
            select(AuditLog).where(AuditLog.action == "delete", AuditLog.object_type == "asset")
        ).one()
    assert log.before["title"] == "Spare" and log.object_id == str(spare.id)


def test_who_may_do_what(demo_db: Engine, brand_ids: dict[str, int]) -> None:
    viewer = Actor(email="viewer@library.test", workspace_role=Role.VIEWER)
    cm = Actor(email="cm@library.test", workspace_role=Role.COMMUNITY_MANAGER)
    # Sees every brand (workspace viewer) but edits Lumi only.
    lumi_editor = Actor(
        email="lumi@library.test", workspace_role=Role.VIEWER, brand_roles={brand_ids["lumi"]: Role.EDITOR}
    )
    # Belongs to Lumi only: other brands do not exist for them.
    outsider = Actor(email="outsider@library.test", brand_roles={brand_ids["lumi"]: Role.EDITOR})
    info = add(demo_db, "x.png", png(seed=50))
    with write_session(demo_db) as s:
        with pytest.raises(PermissionDenied, match=r"viewer@library\.test"):
            assets.add_asset(s, viewer, brand="lumi", filename="v.png", data=png(seed=51))
        with pytest.raises(PermissionDenied, match="on brand"):
            assets.add_asset(s, lumi_editor, brand="warisan", filename="w.png", data=png(seed=52))
        with pytest.raises(NotFound):
            assets.add_asset(s, outsider, brand="warisan", filename="w.png", data=png(seed=53))
        with pytest.raises(NotFound):
            assets.add_asset(s, outsider, brand=brand_ids["warisan"], filename="w.png", data=png(seed=53))
        with pytest.raises(PermissionDenied):
            assets.update_asset(s, viewer, info.id, title="no")
        with pytest.raises(PermissionDenied):
            assets.archive_asset(s, cm, info.id)
        with pytest.raises(PermissionDenied):
            assets.delete_asset(s, viewer, info.id)
        assert (
            assets.add_asset(s, lumi_editor, brand="lumi", filename="l.png", data=png(seed=54)).brand
            == "lumi"
        )
    with read_session(demo_db) as s:
        with pytest.raises(PermissionDenied):
            assets.search_assets(s, cm, list(brand_ids.values()))
        with pytest.raises(PermissionDenied):
            assets.usable_assets(s, viewer, brand_ids["lumi"])
        with pytest.raises(PermissionDenied):
            assets.asset_tag_names(s, cm)
        # A mixed selection narrows to the brands the actor may edit.
        mixed = assets.search_assets(s, lumi_editor, list(brand_ids.values()))
        assert mixed and {a.brand for a in mixed} == {"lumi"}
        with pytest.raises(NotFound):
            assets.get_asset(s, outsider, search_ids_of(s, "warisan")[0])
    with write_session(demo_db) as s:
        with pytest.raises(NotFound):
            assets.update_asset(s, outsider, search_ids_of(s, "warisan")[0], title="x")


def search_ids_of(session, slug: str) -> list[int]:  # type: ignore[no-untyped-def]
    return list(
        session.scalars(select(Asset.id).join(Brand, Brand.id == Asset.brand_id).where(Brand.slug == slug))
    )

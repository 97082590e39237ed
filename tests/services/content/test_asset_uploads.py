"""Uploading to the asset library with real files: what is stored where, thumbnails, deduplication,
the limits from the settings, content that lies about its name, path tricks in file names, image
bombs, and the audit row of each change."""

from __future__ import annotations

import io
import random
import threading
import time
from pathlib import Path

import pytest
from assetkit import jpeg, mov, mp4, pdf, png, png_bomb
from PIL import Image
from sqlalchemy import Engine, func, select

from app.config import ConfigError
from app.db import read_session, write_session
from app.models import Asset, AuditLog, Brand
from app.models.enums import AssetKind, Role
from app.services.content import media as assets
from app.services.content.assets.storage import check_upload, clean_filename, sniff, upload_limits
from app.services.core import Actor, ValidationError

EDITOR = Actor(email="editor@assets.test", workspace_role=Role.EDITOR)


@pytest.fixture(autouse=True)
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Each test stores its files in its own folder, so "the file exists" proves this test wrote it."""
    monkeypatch.setenv("SOCIALOPS_DATA_DIR", str(tmp_path / "data"))
    for var in ("SOCIALOPS_ASSET_MAX_MB_IMAGE", "SOCIALOPS_ASSET_MAX_IMAGE_PIXELS"):
        monkeypatch.delenv(var, raising=False)
    return tmp_path / "data"


def add(engine: Engine, filename: str, data: bytes, actor: Actor = EDITOR, **kw) -> assets.AssetInfo:  # type: ignore[no-untyped-def]
    with write_session(engine) as s:
        return assets.add_asset(s, actor, brand=kw.pop("brand", "lumi"), filename=filename, data=data, **kw)


def refused(engine: Engine, filename: str, data: bytes) -> ValidationError:
    with pytest.raises(ValidationError) as info:
        add(engine, filename, data)
    return info.value


def test_an_image_is_stored_by_hash_with_a_thumbnail_and_an_audit_row(
    demo_db: Engine, data_dir: Path
) -> None:
    data = png((1200, 800))
    info = add(demo_db, "Hero Shot.PNG", data, title="Hero", alt_text="A jar", tags="Product Shot")
    root = (data_dir / "assets").resolve()
    assert info.kind == AssetKind.IMAGE and info.mime == "image/png"
    assert (info.width, info.height, info.size_bytes) == (1200, 800, len(data))
    assert info.filename == "Hero Shot.PNG" and info.tags == ("product shot",)
    assert info.path is not None and info.path.parent == root / "lumi"
    assert info.path.read_bytes() == data and info.path.name.endswith(".png")
    assert info.thumbnail is not None and info.thumbnail.parent == root / "lumi" / "thumbs"
    with Image.open(info.thumbnail) as thumb:
        assert max(thumb.size) == 320 and thumb.format == "JPEG"
    assert not info.duplicate and info.used_by == 0 and not info.archived
    with read_session(demo_db) as s:
        row = s.get(Asset, info.id)
        assert row is not None and row.extra["thumbnail"].startswith("lumi/thumbs/")
        assert row.storage_path == f"lumi/{row.content_hash}.png"
        log = s.scalars(
            select(AuditLog).where(AuditLog.object_type == "asset", AuditLog.action == "create")
        ).one()
    assert log.object_id == str(info.id) and log.actor == EDITOR.email
    assert log.after["tags"] == ["product shot"] and log.after["filename"] == "Hero Shot.PNG"


def test_transparent_images_keep_a_png_thumbnail_and_photos_are_turned_upright(demo_db: Engine) -> None:
    clear = add(demo_db, "logo.png", png((400, 200), alpha=True))
    assert clear.thumbnail is not None and clear.thumbnail.suffix == ".png"
    # EXIF orientation 6: stored 640 × 480, shown (and measured) 480 × 640.
    photo = add(demo_db, "phone.jpg", jpeg((640, 480), orientation=6))
    assert (photo.width, photo.height) == (480, 640) and photo.mime == "image/jpeg"


def test_video_and_documents_are_kept_without_thumbnails(demo_db: Engine) -> None:
    video = add(demo_db, "clip.mp4", mp4())
    quicktime = add(demo_db, "clip.mov", mov())
    doc = add(demo_db, "brand-book.pdf", pdf())
    assert (video.kind, video.mime) == (AssetKind.VIDEO, "video/mp4")
    assert (quicktime.kind, quicktime.mime) == (AssetKind.VIDEO, "video/quicktime")
    assert (doc.kind, doc.mime) == (AssetKind.DOCUMENT, "application/pdf")
    for info in (video, quicktime, doc):
        assert info.thumbnail is None and info.width is None and info.path is not None and info.path.is_file()


def test_the_same_bytes_again_return_the_stored_asset_and_add_new_tags(demo_db: Engine) -> None:
    data = png(seed=3)
    first = add(demo_db, "a.png", data, tags=["lifestyle"])
    again = add(demo_db, "copy-of-a.png", data, tags="Lifestyle, #Summer")
    assert again.duplicate and again.id == first.id and again.filename == "a.png"
    assert again.tags == ("lifestyle", "summer")
    other_brand = add(demo_db, "a.png", data, brand="warisan")
    assert other_brand.id != first.id and not other_brand.duplicate
    with read_session(demo_db) as s:
        lumi = s.scalars(select(Brand.id).where(Brand.slug == "lumi")).one()
        assert (
            s.scalar(
                select(func.count()).where(
                    Asset.brand_id == lumi, Asset.content_hash == again_hash(s, first.id)
                )
            )
            == 1
        )
        tag_log = s.scalars(select(AuditLog).where(AuditLog.action == "tag")).one()
    assert tag_log.before == {"tags": ["lifestyle"]} and tag_log.after == {"tags": ["lifestyle", "summer"]}


def again_hash(session, asset_id: int) -> str:  # type: ignore[no-untyped-def]
    return session.get(Asset, asset_id).content_hash


def test_a_lost_file_comes_back_when_the_same_bytes_are_uploaded(demo_db: Engine) -> None:
    data = pdf(b"lost")
    info = add(demo_db, "deck.pdf", data)
    assert info.path is not None
    info.path.unlink()
    again = add(demo_db, "deck.pdf", data)
    assert again.duplicate and again.path is not None and again.path.read_bytes() == data


@pytest.mark.parametrize(
    ("filename", "data", "words"),
    [
        ("empty.png", b"", "'empty.png' is empty"),
        ("tool.exe", b"MZ\x90\x00" + b"\x00" * 50, "'tool.exe': .exe files are not accepted"),
        ("vector.svg", b"<svg xmlns='http://www.w3.org/2000/svg'/>", ".svg files are not accepted"),
        ("report.png", pdf(), "'report.png' is named .png but its content is a PDF document"),
        ("clip.pdf", mp4(), "its content is an MP4 video"),
        ("noise.png", b"just some text, not an image" * 10, "'noise.png' is not a file type"),
        ("broken.png", png()[:60], "'broken.png' cannot be read as an image"),
        ("fake.gif", b"GIF89a" + b"\x00" * 40, "'fake.gif' cannot be read as an image"),
        ("photo.png\x00.exe", png(seed=9), "'photo.png.exe': .exe files are not accepted"),
    ],
)
def test_files_that_are_not_what_they_claim_are_refused(
    demo_db: Engine, filename: str, data: bytes, words: str
) -> None:
    error = refused(demo_db, filename, data)
    assert words in str(error)
    assert error.field in ("data", "filename")
    with read_session(demo_db) as s:
        assert s.scalars(select(AuditLog).where(AuditLog.object_type == "asset")).first() is None


def test_size_limits_come_from_the_environment_and_the_secrets_file(
    demo_db: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOCIALOPS_ASSET_MAX_MB_IMAGE", "0.01")  # 10 KB
    small = png((300, 300), seed=1)
    noisy = Image.frombytes("RGB", (120, 120), random.Random(1).randbytes(120 * 120 * 3))
    buf = io.BytesIO()
    noisy.save(buf, format="PNG")
    error = refused(demo_db, "noisy.png", buf.getvalue())
    assert "'noisy.png' is" in str(error) and "images may be at most 10.2 KB" in str(error)
    assert error.field == "size" and error.value == len(buf.getvalue())
    assert add(demo_db, "small.png", small).size_bytes < 10 * 1024

    secrets = tmp_path / "secrets.toml"
    secrets.write_text('[assets]\nmax_mb_document = 0.001\nvideo_types = ["mp4"]\n', encoding="utf-8")
    monkeypatch.setenv("SOCIALOPS_SECRETS_FILE", str(secrets))
    assert "documents may be at most 1 KB" in str(refused(demo_db, "long.pdf", pdf(b"x" * 2000)))
    assert ".mov files are not accepted" in str(refused(demo_db, "clip.mov", mov()))
    assert add(demo_db, "clip.mp4", mp4()).kind == AssetKind.VIDEO


def test_limits_reject_settings_they_cannot_honour() -> None:
    assert upload_limits({}).max_bytes[AssetKind.VIDEO] == 500 * 1024 * 1024
    assert upload_limits({}).types[AssetKind.AUDIO] == ()
    with pytest.raises(ConfigError, match="svg"):
        upload_limits({"image_types": ["png", "svg"]})
    with pytest.raises(ConfigError, match="max_mb_image"):
        upload_limits({"max_mb_image": "lots"})
    assert "mp3" in upload_limits({"audio_types": "mp3, wav"}).extensions


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("../../etc/passwd.png", "passwd.png"),
        ("/var/lib/socialops/assets/x.png", "x.png"),
        ("..\\..\\windows\\win.png", "win.png"),
        ("a\x00b.png", "ab.png"),
        ("...hidden.png", "hidden.png"),
        ("  spaced name.png ", "spaced name.png"),
        ("con<>:|?*.png", "con.png"),
    ],
)
def test_file_names_are_reduced_to_a_label(raw: str, clean: str) -> None:
    assert clean_filename(raw) == clean


@pytest.mark.parametrize(
    "filename",
    ["../../etc/passwd.png", "/etc/shadow.png", "..\\..\\boot.png", "lumi/../../x.png", "", "..png"],
)
def test_path_tricks_in_file_names_stay_inside_the_assets_folder(
    demo_db: Engine, data_dir: Path, filename: str
) -> None:
    info = add(demo_db, filename, png(seed=len(filename) + 11))
    root = (data_dir / "assets").resolve()
    assert info.path is not None and info.path.is_relative_to(root / "lumi")
    assert "/" not in info.filename and "\\" not in info.filename and ".." not in info.filename
    written = [p for p in data_dir.parent.rglob("*") if p.is_file()]
    assert written and all(p.resolve().is_relative_to(root) for p in written)


def test_image_bombs_are_refused_before_they_are_decoded(
    demo_db: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    # 100 k × 100 k pixels in a few hundred bytes: Pillow's own guard and ours both refuse it.
    error = refused(demo_db, "bomb.png", png_bomb(100_000, 100_000))
    assert "'bomb.png'" in str(error) and "megapixels" in str(error)
    # Under Pillow's guard but over the configured limit.
    error = refused(demo_db, "wide.png", png_bomb(9_000, 6_000))
    assert "9,000 × 6,000 px (54 megapixels)" in str(error) and "at most 50 megapixels" in str(error)
    monkeypatch.setenv("SOCIALOPS_ASSET_MAX_IMAGE_PIXELS", "10000")
    assert "at most 0 megapixels" in str(refused(demo_db, "photo.png", png((200, 200))))


def test_content_sniffing_names_the_real_format() -> None:
    assert sniff(png()).key == "png" and sniff(jpeg()).key == "jpeg" and sniff(pdf()).key == "pdf"
    assert sniff(mp4()).key == "mp4" and sniff(mov()).key == "mov"
    assert sniff(b"\x1a\x45\xdf\xa3" + b"\x00" * 20 + b"webm").key == "webm"
    assert sniff(b"\x1a\x45\xdf\xa3" + b"\x00" * 20 + b"matroska") is None
    assert sniff(b"RIFF\x00\x00\x00\x00WEBPVP8 ").key == "webp"
    assert sniff(b"hello") is None
    checked = check_upload("Clip.MOV", mp4(), upload_limits({}))
    assert checked.ext == "mov" and checked.fmt.kind == AssetKind.VIDEO
    assert check_upload("no-extension", png(), upload_limits({})).ext == "png"


def test_the_batch_upload_keeps_what_passed_when_a_file_is_refused(demo_db: Engine) -> None:
    seen: list[tuple[int, int, str]] = []
    data = png(seed=42)
    outcomes = assets.add_files(
        EDITOR,
        "senja",
        [("one.png", data), ("liar.png", pdf()), ("again.png", data)],
        engine=demo_db,
        on_progress=lambda n, total, name: seen.append((n, total, name)),
        tags="batch",
        rights_owner="Studio",
    )
    assert [o.status for o in outcomes] == ["added", "refused", "duplicate"]
    assert "content is a PDF document" in outcomes[1].message
    assert "already in the library" in outcomes[2].message
    assert seen[0] == (0, 3, "one.png") and seen[-1] == (3, 3, "")
    with read_session(demo_db) as s:
        stored = s.get(Asset, outcomes[0].asset.id)  # type: ignore[union-attr]
        assert stored is not None and stored.rights_owner == "Studio"


def test_two_people_uploading_the_same_file_at_once_get_one_asset(demo_db: Engine) -> None:
    data = png(seed=60)
    second: dict[str, object] = {}

    def upload_meanwhile() -> None:
        try:
            second["info"] = add(demo_db, "b.png", data, tags="late")
        except Exception as exc:  # surfaced by the assertion below
            second["error"] = exc

    with write_session(demo_db) as s:
        first = assets.add_asset(s, EDITOR, brand="lumi", filename="a.png", data=data)
        thread = threading.Thread(target=upload_meanwhile)
        thread.start()
        # The second upload reaches the database and waits on this transaction (the unique index on
        # PostgreSQL, the write lock on SQLite) until it commits.
        time.sleep(0.5)
    thread.join(timeout=20)
    assert "error" not in second, second.get("error")
    info = second["info"]
    assert isinstance(info, assets.AssetInfo) and info.duplicate and info.id == first.id
    assert info.tags == ("late",)

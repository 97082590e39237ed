"""Settings → Channels: an admin checks a channel's connection with one click and sees the outcome,
and the table shows the new health (AppTest on a copy of the demo workspace)."""

from __future__ import annotations

from sqlalchemy import Engine

from app.db import write_session
from app.services.core import Actor
from app.services.org import brands, channels
from tests.pages.pagekit import assert_page_ok, new_app, shown


def test_check_connection_button_reports_and_records(demo_db: Engine, use_db, webhook_receiver, monkeypatch):
    monkeypatch.setenv("HOOK_SECRET_DEMO", webhook_receiver.secret)
    with write_session(demo_db) as s:
        actor = Actor.system("test:setup")
        brand = brands.list_brands(s, actor)[0].slug
        ch = channels.create_channel(
            s, actor, brand=brand, platform="pinterest", handle="@pins", slug="check-me",
            connector="webhook", base_url=webhook_receiver.url, credential_env="HOOK_SECRET_DEMO",
        )  # fmt: skip
    use_db(demo_db)
    at = new_app().run()
    at.switch_page("pages/admin/settings.py").run()
    at.selectbox(key="check_channel_pick").select(ch.slug)
    at.button(key="check_connection").click().run()
    assert_page_ok(at, "Settings")
    assert any("check-me: ok" in shown(s.value) for s in at.success), [s.value for s in at.success]
    assert [r.verified for r in webhook_receiver.events("ping")] == [True]
    table = next(df.value for df in at.dataframe if "health" in df.value.columns)
    assert table.set_index("slug").loc["check-me", "health"] == "ok"

    webhook_receiver.fail_next(401, body={"error": "bad signature"})
    at.button(key="check_connection").click().run()
    assert any("check-me: broken" in shown(e.value) and "bad signature" in shown(e.value) for e in at.error)
    table = next(df.value for df in at.dataframe if "health" in df.value.columns)
    assert "bad signature" in table.set_index("slug").loc["check-me", "last error"]

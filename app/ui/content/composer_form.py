"""The composer's widgets: the post fields, one tab per channel (adapted copy, time in the brand's
time zone, media with alt text, live rule check with a character counter, a preview), and turning
what is on screen into a PostDraft. Loading a post fills the widgets once per post version."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pandas as pd
import streamlit as st

from app.db import read_session
from app.models.enums import Platform, PostType
from app.services.content import EditorChoices, PostDraft, PostView, VariantDraft, load_post
from app.services.core import Actor
from app.services.platforms import RULES, Level, RuleIssue, count_chars
from app.ui.widgets import Labels, plain

NONE = 0  # the "none" choice of optional pickers
_LOADED = "compose_loaded"
_VERSION = "compose_loaded_version"


def loaded_version() -> int:
    """The version the editor started from: saving with it makes a save that raced another refuse."""
    return int(st.session_state.get(_VERSION, 0))


def saved_as(version: int) -> None:
    """After this editor's own save: the form now stands on that version."""
    st.session_state[_VERSION] = version


def reload_post() -> None:
    """Drop what is in the form and load the saved post again (after a conflict)."""
    st.session_state.pop(_LOADED, None)


def load_into_widgets(view: PostView | None, choices: EditorChoices, post_id: int | None) -> None:
    """Fill the widgets from the post once per post. Not again when someone else saves meanwhile: that
    would silently replace what this editor typed; their save meets a Conflict instead, showing both."""
    if st.session_state.get(_LOADED) == (post_id,):
        return
    key = (post_id,)
    st.session_state[_VERSION] = view.version if view else 0
    for k in [k for k in st.session_state if str(k).startswith("c_")]:
        del st.session_state[k]
    tz = ZoneInfo(choices.timezone)
    if view is not None:
        d = view.draft
        st.session_state.update(
            c_title=d.title,
            c_master=d.master_copy,
            c_type=d.post_type,
            c_link=d.link_url or "",
            c_pillar=d.pillar_id or NONE,
            c_campaign=d.campaign_id or NONE,
            c_brief=d.brief_id or NONE,
            c_channels=[v.channel for v in d.variants],
        )
        for v in d.variants:
            st.session_state[f"c_copy_{v.channel}"] = v.copy
            if v.scheduled_at:
                local = v.scheduled_at.astimezone(tz)
                st.session_state[f"c_date_{v.channel}"] = local.date()
                st.session_state[f"c_time_{v.channel}"] = local.time().replace(second=0, microsecond=0)
            st.session_state[f"c_assets_{v.channel}"] = list(v.asset_ids)
            for asset_id, alt in v.alt_texts.items():
                st.session_state[f"c_alt_{v.channel}_{asset_id}"] = alt
    st.session_state[_LOADED] = key


def post_fields(choices: EditorChoices) -> None:
    st.text_input("Title", key="c_title", max_chars=200, help="Internal name; not posted.")
    c1, c2, c3, c4 = st.columns(4)
    c1.selectbox(
        "Type",
        [t.value for t in PostType],
        key="c_type",
        format_func=Labels({t.value: t.value.capitalize() for t in PostType}),
    )
    c2.selectbox(
        "Campaign",
        [NONE, *[i for i, _ in choices.campaigns]],
        key="c_campaign",
        format_func=Labels({NONE: "—", **dict(choices.campaigns)}),
    )
    c3.selectbox(
        "Content pillar",
        [NONE, *[i for i, _ in choices.pillars]],
        key="c_pillar",
        format_func=Labels({NONE: "—", **dict(choices.pillars)}),
    )
    c4.selectbox(
        "Brief",
        [NONE, *[i for i, _ in choices.briefs]],
        key="c_brief",
        format_func=Labels({NONE: "—", **dict(choices.briefs)}),
    )
    st.text_input(
        "Link", key="c_link", placeholder="https://…", help="Build a tracked link with governed UTM below."
    )
    st.text_area("Master copy", key="c_master", height=120, help="The starting point every channel adapts.")
    st.multiselect(
        "Channels",
        [c.slug for c in choices.channels],
        key="c_channels",
        format_func=Labels({c.slug: c.label for c in choices.channels}),
    )


def _local_to_utc(d: date | None, t: time | None, tz: str) -> datetime | None:
    if d is None or t is None:
        return None
    return datetime.combine(d, t, ZoneInfo(tz)).astimezone(UTC)


def current_draft(choices: EditorChoices, images: dict[int, str]) -> PostDraft:
    """What is on screen, as the service's input. `images` maps usable image asset ids to names."""
    s = st.session_state
    variants = []
    for slug in s.get("c_channels", []):
        assets = tuple(s.get(f"c_assets_{slug}", []))
        alts = {
            a: s.get(f"c_alt_{slug}_{a}", "") for a in assets if a in images and s.get(f"c_alt_{slug}_{a}")
        }
        variants.append(
            VariantDraft(
                channel=slug,
                copy=s.get(f"c_copy_{slug}", s.get("c_master", "")),
                scheduled_at=_local_to_utc(
                    s.get(f"c_date_{slug}"), s.get(f"c_time_{slug}"), choices.timezone
                ),
                asset_ids=assets,
                alt_texts=alts,
            )
        )
    return PostDraft(
        title=s.get("c_title", ""),
        master_copy=s.get("c_master", ""),
        post_type=s.get("c_type", "image"),
        link_url=s.get("c_link") or None,
        pillar_id=s.get("c_pillar") or None,
        campaign_id=s.get("c_campaign") or None,
        brief_id=s.get("c_brief") or None,
        variants=tuple(variants),
    )


def tab_label(platform: str, issues: Sequence[RuleIssue]) -> str:
    icon = ":material/error:" if any(i.level == Level.ERROR for i in issues) else ":material/check_circle:"
    return f"{icon} {Platform(platform).label}"


def variant_tab(
    slug: str,
    platform: str,
    choices: EditorChoices,
    asset_labels: dict[int, str],
    image_ids: set[int],
    issues: Sequence[RuleIssue],
    thumbnails: dict[int, str],
) -> None:
    """One channel: copy (prefilled from the master copy), time, media and alt text, checks, preview."""
    plat = Platform(platform)
    rules = RULES[plat]
    if f"c_copy_{slug}" not in st.session_state:
        st.session_state[f"c_copy_{slug}"] = st.session_state.get("c_master", "")
    left, right = st.columns([3, 2])
    with left:
        copy = st.text_area(f"{plat.label} copy", key=f"c_copy_{slug}", height=150)
        used = count_chars(plat, copy or "")
        st.progress(
            min(used / rules.max_chars, 1.0),
            text=f"{used:,} / {rules.max_chars:,} characters as {plat.label} counts them",
        )
        c1, c2 = st.columns(2)
        # value=None only on first show: passing a default for a key already in session state warns.
        unset = {} if f"c_date_{slug}" in st.session_state else {"value": None}
        c1.date_input(
            f"Date ({choices.timezone})",
            key=f"c_date_{slug}",
            **unset,
        )
        unset = {} if f"c_time_{slug}" in st.session_state else {"value": None}
        c2.time_input("Time", key=f"c_time_{slug}", step=timedelta(minutes=5), **unset)
        st.multiselect("Media", list(asset_labels), key=f"c_assets_{slug}", format_func=Labels(asset_labels))
        for asset_id in st.session_state.get(f"c_assets_{slug}", []):
            if asset_id in image_ids:
                st.text_input(
                    f"Alt text for {asset_labels.get(asset_id, asset_id)}",
                    key=f"c_alt_{slug}_{asset_id}",
                    help="Leave empty to use the asset's own alt text.",
                )
        for issue in issues:
            (st.error if issue.level == Level.ERROR else st.warning)(plain(issue.message))
        if rules.note:
            st.caption(rules.note)
    with right:
        st.caption(f"Preview on {plat.label}")
        with st.container(border=True):
            for asset_id in st.session_state.get(f"c_assets_{slug}", [])[:4]:
                if asset_id in thumbnails:
                    st.image(thumbnails[asset_id], width="stretch")
            st.text(copy or "")
            link = st.session_state.get("c_link")
            if link:
                st.text(link)


def _rows(d: PostDraft, tz: str) -> dict[str, str]:
    out = {"Title": d.title, "Link": d.link_url or "", "Master copy": d.master_copy}
    for v in d.variants:
        when = v.scheduled_at.astimezone(ZoneInfo(tz)).strftime("%d %b %Y %H:%M") if v.scheduled_at else ""
        out[f"{v.channel}: copy"] = v.copy
        out[f"{v.channel}: time"] = when
    return out


def show_conflict(actor: Actor, post_id: int, yours: PostDraft, choices: EditorChoices) -> None:
    """Someone saved the post while this editor was working: both versions side by side, nothing lost.
    The editor's text stays in the form; reloading the post shows theirs."""
    with read_session() as session:
        theirs = load_post(session, actor, post_id)
    mine, saved = _rows(yours, choices.timezone), _rows(theirs.draft, choices.timezone)
    fields = list(dict.fromkeys([*saved, *mine]))
    frame = pd.DataFrame(
        [
            {
                "field": f,
                f"saved now (version {theirs.version})": saved.get(f, ""),
                "yours (not saved)": mine.get(f, ""),
            }
            for f in fields
            if saved.get(f, "") != mine.get(f, "")
        ]
    )
    st.warning(
        "Both versions, where they differ. Your text is still in the form: copy what you need, then "
        "reload the post to edit the saved version.",
        icon=":material/compare:",
    )
    st.dataframe(frame, hide_index=True)
    st.button("Reload the saved version", on_click=reload_post, icon=":material/refresh:")

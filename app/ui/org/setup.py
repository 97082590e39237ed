"""The admins' Setup page pieces: the first-run steps (workspace, markets, brands, channels, people) with
what each holds and where it is done, then the starter packs with what each holds, the version loaded
and a Load button that shows its progress and, after, what it did part by part."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import streamlit as st

from app.db import read_session, write_session
from app.services.core import ServiceError
from app.services.org import brands, channels, current_workspace, markets, users
from app.starters import LoadSummary, Pack, list_packs, load_pack, loaded_versions
from app.ui.context import PageContext
from app.ui.widgets import plain, table

SETTINGS_PAGE = "pages/admin/settings.py"
_SUMMARY_KEY = "setup_last_summary"


@dataclass(frozen=True)
class Step:
    title: str
    count: int
    where: str  # the Settings tab (or the page) where it is done
    hint: str

    @property
    def done(self) -> bool:
        return self.count > 0


def setup_steps(ctx: PageContext) -> list[Step]:
    """The first-run steps in order, each with how many it holds now."""
    with read_session() as s:
        n_markets = len(markets.list_markets(s, ctx.actor))
        n_brands = len(brands.list_brands(s, ctx.actor))
        n_channels = len(channels.list_channels(s, ctx.actor))
        n_people = len(users.list_users(s, ctx.actor, include_inactive=False))
    return [
        Step(
            "Workspace",
            1,
            "Workspace",
            f"{ctx.workspace_name}: rename or start clean on Settings → Workspace.",
        ),
        Step("Markets", n_markets, "Markets", "Each market's time zone, currency and languages."),
        Step("Brands", n_brands, "Brands", "Each client brand with its market; mark regulated brands."),
        Step(
            "Channels",
            n_channels,
            "Channels",
            "Each brand's accounts on the platforms, and their connection.",
        ),
        Step("People", n_people, "Users & roles", "The team and the client's approvers, with their roles."),
    ]


def steps_section(ctx: PageContext) -> None:
    st.subheader("1. Your organisation")
    st.caption("In this order: markets before brands, brands before channels and people's brand roles.")
    for n, step in enumerate(setup_steps(ctx), start=1):
        icon = ":material/check_circle:" if step.done else ":material/radio_button_unchecked:"
        held = "done" if step.title == "Workspace" else f"{step.count} so far" if step.done else "none yet"
        cols = st.columns([3, 2, 2])
        cols[0].markdown(f"{icon} **{n}. {step.title}** · {held}")
        cols[0].caption(plain(step.hint))
        cols[1].page_link(SETTINGS_PAGE, label=f"Settings → {step.where}", icon=":material/settings:")


def _summary_frame(summary: LoadSummary) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "part": p.label,
                "created": len(p.created),
                "already there": len(p.unchanged),
                "updated": len(p.updated),
                "left as edited": len(p.kept_edited),
                "deleted by the team": len(p.kept_deleted),
            }
            for p in summary.parts
        ]
    )


def _load(ctx: PageContext, pack: Pack) -> None:
    bar = st.progress(0.0, text=f"Loading {pack.title}…")
    try:
        with write_session() as s:
            summary = load_pack(s, ctx.actor, pack, progress=lambda f, m: bar.progress(f, text=m))
    except ServiceError as exc:
        bar.empty()
        st.error(plain(exc), icon=":material/error:")
        return
    bar.progress(1.0, text="Done")
    st.session_state[_SUMMARY_KEY] = (pack.name, summary)


def pack_section(ctx: PageContext, pack: Pack, loaded: int | None) -> None:
    with st.container(border=True):
        st.markdown(f"**{plain(pack.title)}** · version {pack.version}")
        if loaded is None:
            st.caption("Not loaded yet.")
        elif loaded < pack.version:
            st.caption(
                f"Version {loaded} loaded; version {pack.version} adds what is new and keeps your edits."
            )
        else:
            st.caption(f"Version {loaded} loaded. Loading again changes nothing you edited.")
        st.write(plain(pack.description))
        holds = pd.DataFrame([{"part": k, "items": v} for k, v in pack.holds().items()])
        table(holds, name=f"starter-{pack.name}-holds", height="auto")
        if st.button(f"Load {pack.title}", key=f"load_starter_{pack.name}", type="primary"):
            _load(ctx, pack)
        last = st.session_state.get(_SUMMARY_KEY)
        if last and last[0] == pack.name:
            summary: LoadSummary = last[1]
            st.success(f"Loaded {pack.title}, version {summary.version}.", icon=":material/check:")
            table(_summary_frame(summary), name=f"starter-{pack.name}-summary", height="auto")
            for p in summary.parts:
                for note in p.notes:
                    st.caption(plain(note))


def starters_section(ctx: PageContext) -> None:
    st.subheader("2. Starter packs")
    st.caption(
        "Ready-made metrics dictionary, SOPs, approval flows, response times, severity matrix and report "
        "rules. Everything a pack creates can be edited afterwards; loading it again leaves your edits alone."
    )
    with read_session() as s:
        versions = loaded_versions(s, current_workspace(s).id)
    packs = list_packs()
    if not packs:
        st.info("No starter packs ship with this version.")
    for pack in packs:
        pack_section(ctx, pack, versions.get(pack.name))

"""The Settings page's sections: users and roles, brands, markets, channels, the audit log and the
workspace. Each reads through services and changes through `perform`, so permissions and the audit
log apply exactly as they do on the command line."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pandas as pd
import streamlit as st

from app.db import get_engine, read_session
from app.models.enums import ConnectorKind, HealthStatus, Platform, Role
from app.services.core import ROLE_DESCRIPTIONS, Perm, ServiceError, audit, clock
from app.services.org import brands, channels, markets, reset_database, users
from app.services.platforms import connections
from app.ui.context import PageContext
from app.ui.widgets import Labels, finish, perform, plain, table

ROLE_OPTIONS = [r.value for r in Role]
NO_ROLE = "(no workspace role)"
NO_CHANGE = "(no change)"
REMOVE = "(remove the brand role)"


def _role_label(value: str) -> str:
    return value if value.startswith("(") else Role(value).label


def users_section(ctx: PageContext) -> None:
    with read_session() as session:
        people = users.list_users(session, ctx.actor)
        brand_slugs = [b.slug for b in brands.list_brands(session, ctx.actor, include_inactive=True)]
    df = pd.DataFrame(
        [
            {
                "email": u.email,
                "name": u.name,
                "workspace role": u.role or "—",
                "brand roles": ", ".join(f"{b}: {r}" for b, r in u.brand_roles.items()),
                "active": u.active,
            }
            for u in people
        ]
    )
    table(df, name="users")
    with st.expander("What each role may do"):
        for role, text in ROLE_DESCRIPTIONS.items():
            st.markdown(f"- **{role.label}**: {text}")

    left, right = st.columns(2)
    with left, st.form("add_user", clear_on_submit=True):
        st.markdown("**Add a user**")
        email = st.text_input("E-mail", placeholder="name@agency.com")
        name = st.text_input("Name")
        role = st.selectbox("Role", ROLE_OPTIONS, index=0, format_func=_role_label)
        brand = st.selectbox(
            "Only on brand", ["", *brand_slugs], help="Leave empty for a role on every brand (agency staff)."
        )
        if st.form_submit_button("Add user", type="primary"):
            perform(
                lambda s: users.add_user(
                    s, ctx.actor, email=email, role=role, brand=brand or None, name=name
                ),
                f"User {email} added.",
            )
    if not people:
        return
    with right:
        st.markdown("**Change a user's roles**")
        who = st.selectbox("User", [u.email for u in people], key="change_user_pick")
        current = next(u for u in people if u.email == who)
        # The form is keyed by the user, so its fields start from that user's current roles.
        with st.form(f"change_user_{who}"):
            ws_options = [NO_ROLE, *ROLE_OPTIONS]
            ws_role = st.selectbox(
                "Workspace role",
                ws_options,
                index=ws_options.index(current.role or NO_ROLE),
                format_func=_role_label,
                help="Their role on every brand. Brand roles below override it on that brand.",
            )
            st.caption(
                "Brand roles now: "
                + (", ".join(f"{b}: {r}" for b, r in current.brand_roles.items()) or "none")
            )
            brand_for = st.selectbox("Change the role on brand", [NO_CHANGE, *brand_slugs])
            brand_role = st.selectbox("to", [REMOVE, *ROLE_OPTIONS], format_func=_role_label)
            active = st.checkbox("Active", value=current.active)
            if st.form_submit_button("Save roles"):

                def change(s):  # type: ignore[no-untyped-def]
                    users.set_workspace_role(s, ctx.actor, who, None if ws_role == NO_ROLE else ws_role)
                    if brand_for != NO_CHANGE:
                        users.set_brand_role(
                            s, ctx.actor, who, brand_for, None if brand_role == REMOVE else brand_role
                        )
                    return users.set_active(s, ctx.actor, who, active)

                perform(change, f"Roles of {who} saved.")


def brands_section(ctx: PageContext) -> None:
    with read_session() as session:
        all_brands = brands.list_brands(session, ctx.actor, include_inactive=True)
        market_codes = [m.code for m in markets.list_markets(session, ctx.actor)]
    df = pd.DataFrame(
        [
            {
                "slug": b.slug,
                "name": b.name,
                "market": b.market,
                "industry": b.industry,
                "regulated": b.regulated,
                "channels": b.channels,
                "active": b.active,
            }
            for b in all_brands
        ]
    )
    table(df, name="brands")
    left, right = st.columns(2)
    with left, st.form("add_brand", clear_on_submit=True):
        st.markdown("**Add a brand**")
        name = st.text_input("Name")
        slug = st.text_input(
            "Slug", help="Short identifier used in URLs and commands; made from the name if empty."
        )
        market = st.selectbox("Market", market_codes)
        industry = st.text_input("Industry")
        regulated = st.checkbox("Regulated (adds a legal approval stage)")
        color = st.color_picker("Colour", "#4C78A8")
        if st.form_submit_button("Add brand", type="primary"):
            perform(
                lambda s: brands.create_brand(
                    s,
                    ctx.actor,
                    slug=slug or None,
                    name=name,
                    market=market or "",
                    industry=industry,
                    regulated=regulated,
                    color=color,
                ),
                f"Brand {name} added.",
            )
    if not all_brands:
        return
    with right:
        st.markdown("**Edit a brand**")
        pick = st.selectbox("Brand", [b.slug for b in all_brands], key="edit_brand_pick")
        current = next(b for b in all_brands if b.slug == pick)
        with st.form(f"edit_brand_{pick}"):
            name = st.text_input("Name", current.name)
            market = st.selectbox("Market", market_codes, index=market_codes.index(current.market))
            industry = st.text_input("Industry", current.industry)
            regulated = st.checkbox("Regulated", current.regulated)
            active = st.checkbox("Active", current.active)
            color = st.color_picker("Colour", current.color)
            if st.form_submit_button("Save brand"):
                perform(
                    lambda s: brands.update_brand(
                        s,
                        ctx.actor,
                        pick,
                        name=name,
                        market=market,
                        industry=industry,
                        regulated=regulated,
                        active=active,
                        color=color,
                    ),
                    f"Brand {pick} saved.",
                )


def markets_section(ctx: PageContext) -> None:
    with read_session() as session:
        rows = markets.list_markets(session, ctx.actor)
    df = pd.DataFrame(
        [
            {
                "code": m.code,
                "name": m.name,
                "country": m.country_code,
                "languages": ", ".join(m.languages),
                "time zone": m.timezone,
                "currency": m.currency,
                "date format": m.date_format,
                "brands": m.brands,
            }
            for m in rows
        ]
    )
    table(df, name="markets")
    with st.form("add_market", clear_on_submit=True):
        st.markdown("**Add a market**")
        c1, c2, c3 = st.columns(3)
        code = c1.text_input("Code", placeholder="th")
        name = c2.text_input("Name", placeholder="Thailand")
        country = c3.text_input("Country code", placeholder="TH")
        langs = c1.text_input("Languages", placeholder="th, en")
        tz = c2.text_input("Time zone", placeholder="Asia/Bangkok")
        currency = c3.text_input("Currency", placeholder="THB")
        date_format = c1.selectbox(
            "Date format", ["%d/%m/%Y", "%m/%d/%Y", "%Y-%m-%d", "%d.%m.%Y", "%d-%m-%Y"]
        )
        if st.form_submit_button("Add market", type="primary"):
            perform(
                lambda s: markets.create_market(
                    s,
                    ctx.actor,
                    code=code,
                    name=name,
                    country_code=country,
                    languages=langs,
                    timezone=tz,
                    currency=currency,
                    date_format=date_format,
                ),
                f"Market {name or code} added.",
            )


def _check_connection(ctx: PageContext, rows: list[channels.ChannelInfo]) -> bool:
    """A "Check connection" control for the channels the user may check; True when a check ran (the
    table is then read again to show the new health)."""
    allowed = [
        c.slug
        for c in rows
        if c.active
        and c.connector not in ("", ConnectorKind.EXPORT.value)
        and ctx.actor.can(Perm.CONNECTIONS_MANAGE, c.brand_id)
    ]
    if not allowed:
        return False
    c1, c2 = st.columns([3, 1], vertical_alignment="bottom")
    slug = c1.selectbox("Channel", allowed, key="check_channel_pick")
    if not c2.button("Check connection", key="check_connection"):
        return False
    try:
        result = connections.check_connection(ctx.actor, slug)
    except ServiceError as exc:
        st.error(plain(exc), icon=":material/error:")
        return False
    st.cache_data.clear()
    limit = (
        f" ({result.rate_limit_remaining} requests left)" if result.rate_limit_remaining is not None else ""
    )
    text = plain(f"{result.channel}: {result.status}. {result.message}{limit}")
    if result.ok:
        st.success(text, icon=":material/check_circle:")
    elif result.status == HealthStatus.DEGRADED.value:
        st.warning(text, icon=":material/warning:")
    else:
        st.error(text, icon=":material/error:")
    return True


def channels_section(ctx: PageContext) -> None:
    brand_slug = ctx.brand.slug if ctx.brand else None
    with read_session() as session:
        rows = channels.list_channels(session, ctx.actor, brand=brand_slug, include_inactive=True)
        all_brands = brands.list_brands(session, ctx.actor)
    table_slot = st.container()
    if _check_connection(ctx, rows):
        with read_session() as session:
            rows = channels.list_channels(session, ctx.actor, brand=brand_slug, include_inactive=True)
    df = pd.DataFrame(
        [
            {
                "slug": c.slug,
                "brand": c.brand,
                "platform": Platform(c.platform).label,
                "handle": c.handle,
                "connector": c.connector,
                "base URL": c.base_url,
                "token from": c.credential_env,
                "health": c.health,
                "last success": c.last_success_at,
                "last error": c.last_error,
                "active": c.active,
            }
            for c in rows
        ]
    )
    with table_slot:
        st.caption(
            "Channels of " + (ctx.brand.name if ctx.brand else "all brands") + ". Tokens are never stored: "
            "a channel names the environment variable that holds its token."
        )
        table(df, name="channels")
    with st.form("add_channel", clear_on_submit=True):
        st.markdown("**Add a channel**")
        c1, c2, c3 = st.columns(3)
        slugs = [b.slug for b in all_brands]
        brand = c1.selectbox("Brand", slugs, index=slugs.index(brand_slug) if brand_slug in slugs else 0)
        platform = c2.selectbox(
            "Platform", [p.value for p in Platform], format_func=Labels({p.value: p.label for p in Platform})
        )
        handle = c3.text_input("Handle", placeholder="@brand")
        connector = c1.selectbox(
            "Connector", ["(default for the platform)", *[k.value for k in ConnectorKind]]
        )
        base_url = c2.text_input("Base URL", placeholder="https://mastodon.example")
        token_env = c3.text_input("Token environment variable", placeholder="MASTODON_TOKEN_BRAND")
        if st.form_submit_button("Add channel", type="primary"):
            perform(
                lambda s: channels.create_channel(
                    s,
                    ctx.actor,
                    brand=brand or "",
                    platform=platform,
                    handle=handle,
                    connector=None if connector.startswith("(") else connector,
                    base_url=base_url,
                    credential_env=token_env,
                ),
                f"Channel {handle} added.",
            )


def audit_section(ctx: PageContext) -> None:
    with read_session() as session:
        choices = audit.distinct_values(session, ctx.actor)
    c1, c2, c3, c4 = st.columns(4)
    who = c1.text_input("Who", placeholder="e-mail or cli:…")
    object_type = c2.selectbox("Object", ["", *choices["object_type"]])
    action = c3.selectbox("Action", ["", *choices["action"]])
    text = c4.text_input("Object name contains")
    days = st.slider("Days back", 1, 365, 30)
    since = datetime.combine(clock.today() - timedelta(days=days - 1), time.min, UTC)
    flt = audit.AuditFilter(
        actor=who or None,
        object_type=object_type or None,
        action=action or None,
        brand_id=ctx.brand.id if ctx.brand else None,
        since=since,
        text=text or None,
    )
    with read_session() as session:
        df = audit.list_entries(session, ctx.actor, flt)
    st.caption(
        f"{len(df)} entries (newest first, at most 500)" + (f" for {ctx.brand.name}" if ctx.brand else "")
    )
    if not df.empty:
        df = df.assign(
            before=df["before"].map(lambda v: "" if v is None else _compact(v)),
            after=df["after"].map(lambda v: "" if v is None else _compact(v)),
        )
    table(
        df,
        name="audit-log",
        column_config={"at": st.column_config.DatetimeColumn("at", format="D MMM YYYY, HH:mm:ss")},
    )


def _compact(value: dict) -> str:
    return "; ".join(f"{k}={v}" for k, v in value.items())


def workspace_section(ctx: PageContext) -> None:
    st.markdown(f"**{plain(ctx.workspace_name)}**" + (" · holds demo data" if ctx.is_demo else ""))
    st.markdown("**Start clean**")
    st.write(
        "Removes every brand, post, metric and message (demo data included) and leaves an empty workspace. "
        "You stay an admin. This cannot be undone."
    )
    with st.form("reset_workspace"):
        name = st.text_input("Name of the new workspace", "My workspace")
        confirm = st.text_input("Type RESET to confirm")
        if st.form_submit_button("Remove everything and start clean", type="primary"):
            if confirm.strip() != "RESET":
                st.error("Type RESET (in capitals) to confirm.")
            else:
                keep = None if ctx.local_mode else ctx.actor.email
                finish(
                    lambda: reset_database(
                        get_engine(), ctx.actor, workspace_name=name, keep_admin_email=keep
                    ),
                    "Workspace reset: it is empty now.",
                )

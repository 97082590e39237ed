"""The "Work the inbox" part of the Inbox page: the queue of threads waiting on the team (the most urgent
first), the chosen thread as a conversation, its triage (claim, assign, status, priority, sentiment) and
a reply sent from the hub, all through app.services.inbox_work (permission, audit, stale saves refused).

A thread's widgets are filled from the stored message once, when it is first shown; if someone else
changes it meanwhile, this person's save meets a conflict naming both versions instead of silently
replacing their change."""

from __future__ import annotations

import streamlit as st

from app.db import get_engine, read_session
from app.models.enums import Direction, InboxStatus, Priority, Sentiment
from app.services.community import MessageView
from app.services.community import work as inbox_work
from app.services.core import Conflict, ServiceError, clock
from app.ui.context import PageContext
from app.ui.widgets import Labels, finish, perform, plain

QUEUES = {
    "Waiting on us": (InboxStatus.NEW, InboxStatus.OPEN),
    "Waiting on the customer": (InboxStatus.WAITING,),
    "Resolved": (InboxStatus.RESOLVED,),
    "Spam": (InboxStatus.SPAM,),
}
NOBODY = 0
_LOADED = "inbox_loaded"  # (thread id, version) the widgets were filled from


def _key(name: str, view: MessageView) -> str:
    # Per thread: a form submitted for one thread can never be applied to another one shown after a
    # rerun (e.g. when the queue changed under it).
    return f"ib_{name}_{view.id}"


def _loaded_version(view: MessageView) -> int:
    """The version this person is looking at: fixed when the thread was first shown (or they saved)."""
    loaded = st.session_state.get(_LOADED)
    if not loaded or loaded[0] != view.id:
        st.session_state[_LOADED] = (view.id, view.version)
        for name, value in (
            ("status", view.status.value),
            ("priority", view.priority.value),
            ("sentiment", view.sentiment.value if view.sentiment else "unknown"),
            ("assignee", view.assignee_id or NOBODY),
        ):
            st.session_state[_key(name, view)] = value
        # Set, not dropped: only a value set in session state reaches a text area the browser still
        # shows, so a sent reply does not linger in the box.
        st.session_state[_key("reply", view)] = ""
        return view.version
    return int(loaded[1])


def _stand_on(view: MessageView) -> None:
    """After this person's own save the widgets stand on the saved version."""
    st.session_state[_LOADED] = (view.id, view.version)


def _reload() -> None:
    st.session_state.pop(_LOADED, None)


def _conversation(view: MessageView) -> None:
    st.caption(
        plain(
            f"{view.brand} · {view.channel} · {view.kind} · received {view.received_at:%d %b %Y, %H:%M} UTC"
            + (
                f" · first response {view.first_response_at:%d %b, %H:%M} UTC"
                if view.first_response_at
                else " · not answered yet"
                + (
                    f" · respond by {view.sla_due_at:%d %b, %H:%M} UTC"
                    + inbox_work.due_text(view.sla_due_at, clock.now())
                    if view.sla_due_at
                    else ""
                )
            )
        )
    )
    for entry in view.thread:
        # The public's words: escaped so that no Markdown, link, image or HTML in them takes effect.
        with st.chat_message("user" if entry.direction == Direction.INBOUND else "assistant"):
            st.caption(plain(f"{entry.author} · {entry.at:%d %b, %H:%M} UTC"))
            st.markdown(plain(entry.body))


def _triage(ctx: PageContext, view: MessageView, version: int) -> None:
    with read_session() as session:
        people = dict(inbox_work.assignees(session, ctx.actor, view.brand_id))
    if view.assignee_id and view.assignee_id not in people:
        people[view.assignee_id] = view.assignee  # someone who no longer works this inbox: still shown
    can_claim = ctx.actor.user_id is not None and view.assignee_id != ctx.actor.user_id
    if can_claim and st.button(
        "Claim this thread", icon=":material/front_hand:", help="Assign it to me, open it"
    ):
        perform(
            lambda s: inbox_work.claim(s, ctx.actor, view.id, expected_version=version),
            "Claimed: the thread is yours.",
            on_success=_stand_on,
            on_error=_offer_reload,
        )
    with st.form(f"inbox_triage_{view.id}", border=True):
        c1, c2 = st.columns(2)
        c1.selectbox("Status", [s.value for s in InboxStatus], key=_key("status", view))
        c2.selectbox("Priority", [p.value for p in Priority], key=_key("priority", view))
        c3, c4 = st.columns(2)
        c3.selectbox("Sentiment", ["unknown", *(s.value for s in Sentiment)], key=_key("sentiment", view))
        c4.selectbox(
            "Assigned to",
            [NOBODY, *people],
            format_func=Labels({NOBODY: "Nobody", **people}),
            key=_key("assignee", view),
        )
        saved = st.form_submit_button("Save", icon=":material/save:")
    if saved:  # outside the form: a refusal may offer a button of its own
        sentiment = st.session_state[_key("sentiment", view)]
        assignee = st.session_state[_key("assignee", view)]
        perform(
            lambda s: inbox_work.triage(
                s,
                ctx.actor,
                view.id,
                expected_version=version,
                status=st.session_state[_key("status", view)],
                priority=st.session_state[_key("priority", view)],
                sentiment=None if sentiment == "unknown" else sentiment,
                assignee_id=None if assignee == NOBODY else assignee,
            ),
            "Saved.",
            on_success=_stand_on,
            on_error=_offer_reload,
        )


def _offer_reload(exc: ServiceError) -> None:
    if isinstance(exc, Conflict):
        st.button("Reload the thread", on_click=_reload, icon=":material/refresh:")


def _reply(ctx: PageContext, view: MessageView, version: int) -> None:
    if view.reply_blocked:
        st.info(plain(view.reply_blocked), icon=":material/info:")
        return
    with st.form(f"inbox_reply_{view.id}", border=True):
        st.text_area(
            f"Reply on {view.channel}",
            key=_key("reply", view),
            max_chars=view.reply_limit,
            height=110,
            placeholder="Your answer, as it will appear on the platform",
        )
        resolve = st.checkbox("Resolve the thread after sending", key=_key("resolve", view))
        send = st.form_submit_button("Send reply", icon=":material/send:", type="primary")
    if not send:
        return
    text = st.session_state.get(_key("reply", view), "")

    def sent_message(result: inbox_work.ReplySent) -> str:
        took = (
            f" First response after {result.first_response_minutes:g} min."
            if result.first_response_minutes is not None
            else ""
        )
        link = f" {result.permalink}" if result.permalink else ""
        return f"Reply sent on {view.channel}.{took}{link}"

    with st.spinner(f"Sending to {view.channel}…"):
        finish(
            lambda: inbox_work.reply(
                get_engine(), ctx.actor, view.id, text, expected_version=version, resolve=resolve
            ),
            sent_message,
            on_success=lambda _: _reload(),
            on_error=_offer_reload,
        )


def _leave_thread() -> None:
    """Another queue or filter: start from its most urgent thread."""
    st.session_state.pop("ib_thread", None)
    st.query_params.pop("message", None)


def inbox_work_section(ctx: PageContext) -> None:
    st.subheader("Work the inbox")
    left, right = st.columns([3, 1])
    queue = (
        left.segmented_control(
            "Queue", list(QUEUES), default="Waiting on us", key="ib_queue", on_change=_leave_thread
        )
        or "Waiting on us"
    )
    mine = right.toggle(
        "Only mine", key="ib_mine", disabled=ctx.actor.user_id is None, on_change=_leave_thread
    )
    wanted = st.query_params.get("message")
    if "ib_thread" not in st.session_state and wanted and wanted.isdigit():
        st.session_state["ib_thread"] = int(wanted)  # a link to one thread
    current = st.session_state.get("ib_thread")
    with read_session() as session:
        items = inbox_work.work_queue(
            session,
            ctx.actor,
            ctx.brand_ids,
            statuses=QUEUES[queue],
            mine_only=mine,
            keep=current if isinstance(current, int) else None,
        )
    if not items:
        st.success(f"Nothing in “{queue}” for {ctx.scope_label}.", icon=":material/inbox:")
        return
    labels = {i.id: i.label for i in items}
    if current not in labels:
        st.session_state["ib_thread"] = items[0].id
    thread_id = st.selectbox(
        f"Thread ({len(items)}, the most urgent first)",
        list(labels),
        format_func=Labels(labels),
        key="ib_thread",
    )
    st.query_params["message"] = str(thread_id)
    with read_session() as session:
        view = inbox_work.message_view(session, ctx.actor, thread_id)
    version = _loaded_version(view)
    talk, work = st.columns([3, 2], gap="large")
    with talk:
        _conversation(view)
        _reply(ctx, view, version)
    with work:
        st.caption(
            plain(f"Version {view.version}" + (f" · assigned to {view.assignee}" if view.assignee else ""))
        )
        _triage(ctx, view, version)

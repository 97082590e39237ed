"""Signing in and out through the identity provider, in Chromium against `streamlit run`: signing out
takes one click and ends the session; an address the provider has not verified, or an account the
workspace does not know, gets in to nothing. (Each role's menu, and its pages refused by URL, are
checked by the smoke tour, which signs in as every role.) Every person has their own browser context."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from e2ekit import UNVERIFIED, VIEWER, RunningApp
from playwright.sync_api import BrowserContext, expect
from streamlit_ui import (
    open_page,
    record_headings,
    seen_headings,
    sign_in,
    sign_out,
)

pytestmark = pytest.mark.slow


def test_sign_out_takes_one_click_and_ends_the_session(
    fresh_app: RunningApp, new_context: Callable[..., BrowserContext]
) -> None:
    """On a server just started, the first person to sign in signs out with one click (their first
    click of that session: it used to be lost, see streamlit_app.py); the app's URL then shows the
    sign-in screen, and a page's URL shows nothing else."""
    context = new_context("viewer")
    page = sign_in(context, fresh_app.url, VIEWER.sub)
    sign_out(page, fresh_app.url)
    assert not [c for c in context.cookies() if c["name"].startswith("_streamlit_user")]
    open_page(page, f"{fresh_app.url}/kpis", menu=False)
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()
    expect(page.get_by_test_id("stSidebarNavLink")).to_have_count(0)
    expect(page.get_by_role("heading", level=1, name="KPIs")).to_have_count(0)


def test_an_unverified_address_gets_no_role(
    shared_app: RunningApp, new_context: Callable[..., BrowserContext]
) -> None:
    """Someone whose provider has not verified the address they claim (the admin's) sees the no-access
    screen: no menu, no page, not Settings by its URL; they can sign out."""
    context = new_context("unverified")
    record_headings(context)
    page = sign_in(context, shared_app.url, UNVERIFIED.sub, menu=False)
    expect(page.get_by_test_id("stAlertContentWarning")).to_contain_text("has not verified that e-mail")
    expect(page.get_by_test_id("stSidebarNavLink")).to_have_count(0)
    open_page(page, f"{shared_app.url}/settings", menu=False)
    expect(page.get_by_test_id("stAlertContentWarning")).to_contain_text("has not verified that e-mail")
    assert seen_headings(page) == ["SocialOps Hub"]
    sign_out(page, shared_app.url)


def test_an_account_the_workspace_does_not_know_gets_in_to_nothing(
    shared_app: RunningApp, new_context: Callable[..., BrowserContext]
) -> None:
    page = sign_in(
        new_context("stranger"), shared_app.url, "stranger@elsewhere.example", menu=False, typed=True
    )
    expect(page.get_by_test_id("stAlertContentWarning")).to_contain_text(
        "stranger@elsewhere.example, but that account has no access to this workspace"
    )
    expect(page.get_by_test_id("stSidebarNavLink")).to_have_count(0)

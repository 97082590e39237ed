"""Driving the Streamlit app in Chromium the way a person does: signing in through the identity
provider's page, waiting for a script run to finish, and using widgets by their visible labels.
Every wait is bounded (the contexts' default timeout, or the `timeout` given)."""

from __future__ import annotations

import re
from datetime import date, time
from pathlib import Path
from typing import Any

from playwright.sync_api import BrowserContext, Locator, Page, expect

from app.ui.errors import UNEXPECTED_ERROR_PREFIX

STEP_TIMEOUT_MS = 60_000  # the longest any one step may take (expect and wait_idle)
SETTLE_MS = 150
expect.set_options(timeout=STEP_TIMEOUT_MS)


def wait_idle(page: Page, timeout: float = STEP_TIMEOUT_MS) -> None:
    """Wait until Streamlit is connected and no script runs (the status widget is gone), then fail on
    any exception element or friendly "something went wrong" message the run left on the page."""
    # A click reaches the server as a message: give the rerun it asks for a moment to be announced.
    page.wait_for_timeout(SETTLE_MS)
    app = page.get_by_test_id("stApp")
    expect(app).to_have_attribute("data-test-connection-state", "CONNECTED", timeout=timeout)
    expect(app).to_have_attribute("data-test-script-state", "notRunning", timeout=timeout)
    expect(page.get_by_test_id("stStatusWidget")).to_have_count(0, timeout=timeout)
    assert_no_error(page)


def assert_no_error(page: Page) -> None:
    exceptions = page.get_by_test_id("stException")
    if exceptions.count():
        raise AssertionError(f"{page.url}: exception on the page: {exceptions.first.inner_text()[:2000]}")
    failures = page.get_by_test_id("stAlertContentError").filter(has_text=UNEXPECTED_ERROR_PREFIX)
    if failures.count():
        raise AssertionError(f"{page.url}: {failures.first.inner_text()}")


def dismiss_page_not_found(page: Page) -> None:
    """Streamlit shows a "Page not found" modal on the first deep link after a server start, yet renders
    the right page (see FIELD_NOTES): close it so it covers nothing."""
    modal = page.get_by_role("dialog").filter(has_text="Page not found")
    if modal.count() and modal.first.is_visible():
        page.keyboard.press("Escape")
        expect(modal).to_have_count(0)


def open_page(page: Page, url: str) -> None:
    """Load a URL of the app (a new Streamlit session, same sign-in cookie) and wait for its first run."""
    page.goto(url, wait_until="domcontentloaded")
    expect(page.get_by_test_id("stSidebarNavLink").first).to_be_visible()
    wait_idle(page)
    dismiss_page_not_found(page)


def sign_in(context: BrowserContext, app_url: str, sub: str) -> Page:
    """Open the app, press "Sign in", pick the predefined user on the provider's page, and wait for the
    app's navigation (the sign-in screen has none)."""
    page = context.new_page()
    page.goto(app_url, wait_until="domcontentloaded")
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("button", name=sub, exact=True).click()
    page.wait_for_url(re.compile(re.escape(app_url)))
    expect(page.get_by_test_id("stSidebarNavLink").first).to_be_visible()
    wait_idle(page)
    dismiss_page_not_found(page)
    return page


def widget(page: Page, test_id: str, label: str) -> Locator:
    """The widget (by its data-testid, e.g. stSelectbox) whose label is exactly `label`."""
    return page.get_by_test_id(test_id).filter(
        has=page.get_by_test_id("stWidgetLabel").get_by_text(label, exact=True), visible=True
    )


def choose(page: Page, test_id: str, label: str, option: str) -> None:
    """Pick the one option whose label contains `option` in a selectbox or multiselect: open it, type
    to filter, click the option (more than one match fails: the test would not know what it picked)."""
    field = widget(page, test_id, label).get_by_role("combobox")
    if test_id == "stSelectbox" and field.input_value() == option:
        return  # already chosen (typing the same text again would not open the list)
    field.click()
    field.fill(option)
    options = page.get_by_role("option", name=option)
    expect(options).to_have_count(1)
    options.click()
    if test_id == "stMultiSelect":
        page.keyboard.press("Escape")  # close the list the multiselect keeps open
    wait_idle(page)


def fill(page: Page, label: str, value: str, *, area: bool = False) -> None:
    """Type into a text input or text area and commit it (Tab leaves the field, which Streamlit sends)."""
    field = widget(page, "stTextArea" if area else "stTextInput", label)
    box = field.locator("textarea" if area else "input")
    box.fill(value)
    box.press("Tab")
    wait_idle(page)


def click(page: Page, name: str | re.Pattern[str], **kwargs: Any) -> None:
    """Press a button (by its accessible name) and wait for the run it starts."""
    page.get_by_role("button", name=name, **kwargs).click()
    wait_idle(page)


def expect_success(page: Page, text: str | re.Pattern[str]) -> None:
    """The flash message of a change (shown by the rerun the change asked for), once that run is over."""
    expect(page.get_by_test_id("stAlertContentSuccess").filter(has_text=text)).to_be_visible()
    wait_idle(page)


def open_tab(page: Page, name: str | re.Pattern[str]) -> None:
    """Select a tab of st.tabs (a rerun that changes the tabs' labels selects the first one again)."""
    tab = page.get_by_role("tab", name=name)
    tab.click()
    expect(tab).to_have_attribute("aria-selected", "true")
    wait_idle(page)


def screenshot(page: Page, folder: Path, name: str) -> None:
    # The viewport is tall (see new_context): Streamlit scrolls inside its own pane, so a "full page"
    # screenshot would show no more than the viewport does.
    page.screenshot(path=str(folder / f"{name}.png"))


def set_date(page: Page, label: str, day: date) -> None:
    """Type a date into a date input's segments (year, month, day), then leave it."""
    page.get_by_role("spinbutton", name=f"year, {label}").click()
    page.keyboard.type(f"{day.year:04d}{day.month:02d}{day.day:02d}")
    page.keyboard.press("Tab")
    wait_idle(page)


def set_time(page: Page, label: str, at: time) -> None:
    """Type a time into a time input's segments (hour, minute), then leave it."""
    page.get_by_role("spinbutton", name=f"hour, {label}").click()
    page.keyboard.type(f"{at.hour:02d}{at.minute:02d}")
    page.keyboard.press("Tab")
    wait_idle(page)

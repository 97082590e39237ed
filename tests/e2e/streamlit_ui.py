"""Driving the Streamlit app in Chromium the way a person does: signing in through the identity
provider's page, waiting for a script run to finish, and using widgets by their visible labels.
Every wait is bounded (the contexts' default timeout, or the `timeout` given)."""

from __future__ import annotations

import csv
import io
import re
import time as clock
from datetime import date, time
from pathlib import Path
from typing import Any

from PIL import Image
from playwright.sync_api import BrowserContext, Locator, Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from app.services.core import csv_unsafe
from app.ui.shell.errors import UNEXPECTED_ERROR_PREFIX

STEP_TIMEOUT_MS = 60_000  # the longest any one step may take (expect and wait_idle)
SETTLE_MS = 150
SIGN_OUT_TIMEOUT_MS = 15_000
TOUR_SETTLE_MS = 600  # charts (vega-embed) and components (iframes) draw after the run ends
expect.set_options(timeout=STEP_TIMEOUT_MS)


# Connected, no script running, no status widget (and, when asked, the sidebar menu is there and a page
# titled `title` is shown). Checked in the page every IDLE_POLL_MS: expect()'s back-off (retries after
# 100, 250, 500, 1000 ms) adds up to a second to a wait and would blur the page timings.
IDLE_JS = """(want) => {
  const app = document.querySelector('[data-testid="stApp"]');
  if (!app || app.dataset.testConnectionState !== "CONNECTED") return false;
  if (app.dataset.testScriptState !== "notRunning") return false;
  if (document.querySelector('[data-testid="stStatusWidget"]')) return false;
  if (want.nav && !document.querySelector('[data-testid="stSidebarNavLink"]')) return false;
  if (want.title === null) return true;
  return [...document.querySelectorAll("h1")].some((h) => h.textContent.trim() === want.title);
}"""
IDLE_POLL_MS = 50


def wait_idle(
    page: Page,
    timeout: float = STEP_TIMEOUT_MS,
    *,
    settle: bool = True,
    nav: bool = False,
    title: str | None = None,
    check: bool = True,
) -> None:
    """Wait until Streamlit is connected and no script runs (the status widget is gone), then fail on
    any exception element or friendly "something went wrong" message the run left on the page.

    `nav`: also wait for the sidebar menu (after loading a URL); `title`: for the page with that title
    (after clicking its link). Either proves the awaited run has begun, so `settle` can be False.
    `check`: False leaves looking for failures to the caller (see `problems`)."""
    if settle:
        # A click reaches the server as a message: give the rerun it asks for a moment to be announced.
        page.wait_for_timeout(SETTLE_MS)
    try:
        page.wait_for_function(
            IDLE_JS, arg={"nav": nav, "title": title}, polling=IDLE_POLL_MS, timeout=timeout
        )
    except PlaywrightTimeoutError:
        state = page.evaluate(
            """() => {
              const app = document.querySelector('[data-testid="stApp"]');
              const h1 = [...document.querySelectorAll("h1")].map((h) => h.textContent.trim());
              return app ? {...app.dataset, h1} : "no stApp element";
            }"""
        )
        wanted = " with the menu" if nav else ""
        wanted += f" on the page {title!r}" if title else ""
        raise AssertionError(f"{page.url}: not idle{wanted} after {timeout / 1000:.0f} s ({state})") from None
    if check:
        assert_no_error(page)


def assert_no_error(page: Page) -> None:
    exceptions = page.get_by_test_id("stException")
    if exceptions.count():
        raise AssertionError(f"{page.url}: exception on the page: {exceptions.first.inner_text()[:2000]}")
    failures = page.get_by_test_id("stAlertContentError").filter(has_text=UNEXPECTED_ERROR_PREFIX)
    if failures.count():
        raise AssertionError(f"{page.url}: {failures.first.inner_text()}")


def problems(page: Page) -> list[str]:
    """Every exception box and every error alert on the page (each text cut to 300 characters)."""
    found = [f"exception: {t[:300]}" for t in page.get_by_test_id("stException").all_inner_texts()]
    found += [f"error: {t[:300]}" for t in page.get_by_test_id("stAlertContentError").all_inner_texts()]
    return found


def dismiss_page_not_found(page: Page) -> None:
    """Streamlit shows a "Page not found" modal on the first deep link after a server start, yet renders
    the right page (see FIELD_NOTES): close it so it covers nothing."""
    modal = page.get_by_role("dialog").filter(has_text="Page not found")
    if modal.count() and modal.first.is_visible():
        page.keyboard.press("Escape")
        expect(modal).to_have_count(0)


def open_page(page: Page, url: str, *, dismiss: bool = True, menu: bool = True) -> None:
    """Load a URL of the app (a new Streamlit session, same sign-in cookie) and wait for its first run,
    with the sidebar menu unless `menu` is False (the sign-in or no-access screen, titled SocialOps Hub);
    then close a "Page not found" modal unless `dismiss` is False (a test that looks no further)."""
    page.goto(url, wait_until="domcontentloaded")
    if menu:
        wait_idle(page, settle=False, nav=True)
    else:
        expect(page.get_by_role("heading", level=1, name="SocialOps Hub")).to_be_visible()
        wait_idle(page)
    if dismiss:
        dismiss_page_not_found(page)


def sign_in(
    context: BrowserContext, app_url: str, sub: str, *, menu: bool = True, typed: bool = False
) -> Page:
    """Open the app, press "Sign in", pick the predefined user on the provider's page (or, `typed`, type
    a subject it does not know: it signs in with that as their e-mail), and wait for the app's first run
    after the sign-in: with its navigation, unless `menu` is False (a person the app lets in to nothing)."""
    page = context.new_page()
    page.goto(app_url, wait_until="domcontentloaded")
    page.get_by_role("button", name="Sign in").click()
    if typed:
        page.get_by_placeholder("sub").fill(sub)
        page.get_by_role("button", name="Authorize").click()
    else:
        page.get_by_role("button", name=sub, exact=True).click()
    page.wait_for_url(re.compile(re.escape(app_url)))
    if menu:
        wait_idle(page, settle=False, nav=True)
        dismiss_page_not_found(page)
    else:
        expect(page.get_by_role("heading", level=1, name="SocialOps Hub")).to_be_visible()
        wait_idle(page)
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


def table_rows(page: Page, name: str) -> list[dict[str, str]]:
    """Every row of a table drawn by app.ui.components.table(name=...), as its "Download CSV" button
    gives it (header -> text): the grid is a canvas, and its accessible copy holds only the columns in
    view, so the download is the whole table as a person gets it. Text the hub wrote with an apostrophe
    before it (so no spreadsheet runs it as a formula, core.csv_safe) is read back as the hub's own
    importer reads it, without that apostrophe."""
    with page.expect_download() as info:
        page.locator(f".st-key-dl_{name}").get_by_role("button", name="Download CSV").click()
    text = Path(info.value.path()).read_text(encoding="utf-8")
    wait_idle(page)  # the click reruns the page
    return [{k: csv_unsafe(v) for k, v in row.items()} for row in csv.DictReader(io.StringIO(text))]


def upload_file(page: Page, label: str, name: str, data: bytes, mime: str = "text/csv") -> None:
    """Put a file into the st.file_uploader labelled `label`, as picking it in the file dialog does, and
    wait for the run the upload starts (the uploader then offers to remove the file by its full name; the
    name it shows may be shortened)."""
    field = widget(page, "stFileUploader", label)
    field.locator("input[type=file]").set_input_files(
        files=[{"name": name, "mimeType": mime, "buffer": data}]
    )
    expect(field.get_by_role("button", name=f"Remove {name}", exact=True)).to_be_visible()
    wait_idle(page)


def metric_value(page: Page, label: str) -> str:
    """The value a st.metric tile labelled `label` shows, as written (there must be one such tile)."""
    tiles = page.get_by_test_id("stMetric").filter(
        has=page.get_by_test_id("stMetricLabel").get_by_text(label, exact=True), visible=True
    )
    expect(tiles).to_have_count(1)
    return tiles.get_by_test_id("stMetricValue").inner_text().strip()


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


def sidebar_pages(page: Page) -> list[str]:
    """The titles of the pages the sidebar menu lists, in order (without their icons' names)."""
    labels = page.get_by_test_id("stSidebarNavLink").get_by_test_id("stMarkdownContainer")
    return [text.strip() for text in labels.all_inner_texts()]


def expect_page(page: Page, title: str) -> None:
    """The page whose title (st.title, the page's one h1) is `title` is the one shown."""
    expect(page.get_by_role("heading", level=1, name=title, exact=True)).to_be_visible()


def visit_from_sidebar(page: Page, title: str, *, check: bool = True) -> float:
    """Click the page's sidebar link and wait until its run is over; the seconds from the click until
    the status widget is gone. Fails on an exception box or a failure message unless `check` is False."""
    link = page.get_by_test_id("stSidebarNavLink").filter(
        has=page.get_by_test_id("stMarkdownContainer").get_by_text(title, exact=True)
    )
    started = clock.monotonic()
    link.click()
    wait_idle(page, settle=False, title=title, check=check)
    return clock.monotonic() - started


# Installed in a browser context before any page script runs: every h1 text the app ever shows in a tab is
# kept, so a test can prove a page's content never appeared, not even for a moment before a redirect.
RECORD_HEADINGS_JS = """
window.__seenHeadings = [];
new MutationObserver(() => {
  for (const h of document.querySelectorAll("h1")) {
    const text = h.textContent.trim();
    if (text && !window.__seenHeadings.includes(text)) window.__seenHeadings.push(text);
  }
}).observe(document, { childList: true, subtree: true, characterData: true });
"""


def record_headings(context: BrowserContext) -> None:
    context.add_init_script(RECORD_HEADINGS_JS)


def seen_headings(page: Page) -> list[str]:
    """Every h1 text shown in this tab since it last loaded a URL (needs `record_headings`)."""
    return list(page.evaluate("() => window.__seenHeadings || []"))


def sign_out(page: Page, app_url: str) -> None:
    """Press "Sign out" once (in the sidebar, or on the no-access screen), confirm on the provider's
    "End Session" page (its own step: st.logout sends the browser to the provider's end-session
    endpoint), and wait for the app's sign-in screen."""
    page.get_by_role("button", name="Sign out").click()
    try:
        page.wait_for_url(re.compile(r"/oauth2/end_session"), timeout=SIGN_OUT_TIMEOUT_MS)
    except PlaywrightTimeoutError:
        raise AssertionError(f"{page.url}: one click on Sign out did not sign out") from None
    page.get_by_role("button", name="End session").click()
    page.wait_for_url(re.compile(re.escape(app_url)))
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()
    wait_idle(page)


def select_options(page: Page, label: str) -> list[str]:
    """The options a selectbox offers (opened, read, closed again with Escape)."""
    field = widget(page, "stSelectbox", label).get_by_role("combobox")
    field.click()
    options = page.get_by_role("option")
    expect(options.first).to_be_visible()
    texts = [text.strip() for text in options.all_inner_texts()]
    page.keyboard.press("Escape")
    expect(options).to_have_count(0)
    return texts


# Scrolls Streamlit's main pane so the page's title sits near the top, below the app's header bar (the
# notices above the title are the same on every page; the tour shows them once).
SCROLL_TO_TITLE_JS = """() => {
  const h1 = document.querySelector('[data-testid="stMainBlockContainer"] h1');
  if (!h1) return;
  const scrolls = (el) =>
    el.scrollHeight > el.clientHeight && ["auto", "scroll"].includes(getComputedStyle(el).overflowY);
  let pane = h1.parentElement;
  while (pane && !scrolls(pane)) pane = pane.parentElement;
  pane = pane || document.scrollingElement;
  pane.scrollTop += h1.getBoundingClientRect().top - Math.max(0, pane.getBoundingClientRect().top) - 72;
}"""


def tour_screenshot(page: Page, path: Path, *, from_title: bool = False) -> None:
    """A screenshot for the product tour: what the viewport shows (not the full page), from the page's
    title down when `from_title`, once charts and components have drawn, stored as a 256-colour PNG (a
    UI needs no more; a third of the bytes)."""
    if from_title:
        page.evaluate(SCROLL_TO_TITLE_JS)
    page.wait_for_timeout(TOUR_SETTLE_MS)
    png = page.screenshot(full_page=False)
    image = Image.open(io.BytesIO(png)).convert("RGB")
    image.quantize(colors=256, method=Image.Quantize.MEDIANCUT).save(path, optimize=True)

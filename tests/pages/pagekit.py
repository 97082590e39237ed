"""What the page tests share: opening the app in AppTest as a signed-in user (through the real
`st.user` path, with an [auth] section), and the check that a page rendered as it should."""

from __future__ import annotations

import re
from pathlib import Path

from streamlit.testing.v1 import AppTest

from app.ui.shell.errors import UNEXPECTED_ERROR_PREFIX
from app.ui.widgets.text import WORD_JOINER

REPO = Path(__file__).resolve().parents[2]
ENTRYPOINT = str(REPO / "streamlit_app.py")
# A provider that is never contacted: AppTest supplies the signed-in user itself.
AUTH = {
    "redirect_uri": "http://127.0.0.1:8501/oauth2callback",
    "cookie_secret": "test-cookie-secret",
    "client_id": "socialops",
    "client_secret": "test-secret",
    "server_metadata_url": "http://127.0.0.1:9/.well-known/openid-configuration",
}


def new_app() -> AppTest:
    return AppTest.from_file(ENTRYPOINT, default_timeout=90)


def signed_in(at: AppTest, email: str | None, *, logged_in: bool = True) -> AppTest:
    """Configure sign-in and the signed-in user (None: a signed-in account without an e-mail)."""
    at.secrets["auth"] = AUTH
    at.user = {"is_logged_in": logged_in, "email": email, "name": email}
    return at


def open_as(email: str, page: str, brand: str, **params: str) -> AppTest:
    """The app as `email` with `brand` chosen, switched to `page` with these query parameters (a link
    such as ?post=12 or ?message=7), and run."""
    at = signed_in(new_app(), email)
    at.query_params["brand"] = brand
    at.run()
    at.switch_page(page)
    for k, v in params.items():
        at.query_params[k] = v
    return at.run()


def shown(markdown: str) -> str:
    """The text a Markdown element displays for `markdown` written with app.ui.text.plain."""
    return re.sub(r"\\(.)", r"\1", markdown).replace(WORD_JOINER, "")


def assert_page_ok(at: AppTest, title: str) -> None:
    """No exception, no friendly "something went wrong", no refusal, and the page's own title."""
    assert not at.exception, f"{title}: {[e.value for e in at.exception]}"
    failures = [e.value for e in at.error if str(e.value).startswith(UNEXPECTED_ERROR_PREFIX)]
    assert not failures, f"{title}: {failures}"
    refusals = [w.value for w in at.warning if str(w.value).startswith("Not allowed")]
    assert not refusals, f"{title}: {refusals}"
    assert title in [t.value for t in at.title], f"{title} not among titles {[t.value for t in at.title]}"

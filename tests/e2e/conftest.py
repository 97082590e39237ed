"""Browser test fixtures: a real OIDC provider (oidc-provider-mock) with the demo people as predefined
users, the app under `streamlit run` on a private copy of the demo workspace (the store chosen with
`--store`), and Debian's Chromium driven by Playwright, one browser context (own cookies) per person.

Every process is started on a free port, waited for within a bound, and stopped by its PID at teardown,
even when the test fails. The e2e tests skip only when /usr/bin/chromium is missing and
SOCIALOPS_REQUIRE_BROWSER is unset (CI sets it, so there a missing browser fails the run).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

import pytest
from e2ekit import ARTIFACTS, PEOPLE, REPO, RunningApp, free_port, stop, tail, wait_for_http
from sqlalchemy import Engine

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PROVIDER_START_S = 30
APP_START_S = 60
PAGE_TIMEOUT_MS = 60_000


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[Any]:
    # Fixtures look at the outcome at teardown (server log, screenshots and traces only on failure).
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


PAGE_TIMES = pytest.StashKey[list[tuple[str, str, float]]]()


@pytest.fixture(scope="session")
def page_times(pytestconfig: pytest.Config) -> list[tuple[str, str, float]]:
    """(role, page, seconds from click to run over) of every page a test opened; the slowest are listed
    at the end of the run."""
    return pytestconfig.stash.setdefault(PAGE_TIMES, [])


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    times = config.stash.get(PAGE_TIMES, [])
    if not times:
        return
    slowest = sorted(times, key=lambda t: -t[2])[:8]
    terminalreporter.write_sep("-", f"slowest pages, click to run over ({len(times)} opened)")
    for role, title, seconds in slowest:
        terminalreporter.write_line(f"{seconds:6.2f} s  {title} ({role})")


def _failed(request: pytest.FixtureRequest) -> bool:
    reports = (getattr(request.node, f"rep_{when}", None) for when in ("setup", "call"))
    return any(r is not None and r.failed for r in reports)


@pytest.fixture(scope="session")
def artifacts() -> Path:
    """tests/.artifacts/e2e/ (gitignored), emptied of the last session's screenshots and traces."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for old in [*ARTIFACTS.glob("*.png"), *ARTIFACTS.glob("*.zip")]:
        old.unlink()
    return ARTIFACTS


@pytest.fixture(scope="session", autouse=True)
def chromium_path() -> Path:
    """Checked first (autouse), so a skip builds no database and starts no server."""
    if CHROMIUM.exists():
        return CHROMIUM
    if os.environ.get("SOCIALOPS_REQUIRE_BROWSER"):
        pytest.fail(f"{CHROMIUM} is missing and SOCIALOPS_REQUIRE_BROWSER is set (apt-get install chromium)")
    pytest.skip(f"the browser tests need Debian's Chromium at {CHROMIUM} (apt-get install -y chromium)")


@pytest.fixture(scope="session")
def browser(chromium_path: Path) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(chromium_path), args=CHROMIUM_ARGS, timeout=60_000)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture(scope="session")
def oidc_provider(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Base URL of a running oidc-provider-mock that knows the demo person of every role, and someone with
    an unverified address (e2ekit.PEOPLE)."""
    folder = tmp_path_factory.mktemp("oidc")
    port = free_port()
    claims = [
        arg
        for p in PEOPLE
        for arg in (
            "--user-claims",
            json.dumps({"sub": p.sub, "email": p.email, "email_verified": p.email_verified, "name": p.name}),
        )
    ]
    exe = shutil.which("oidc-provider-mock") or str(Path(sys.executable).parent / "oidc-provider-mock")
    log = folder / "provider.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [exe, "--host", "127.0.0.1", "--port", str(port), *claims],
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for_http(f"{base}/.well-known/openid-configuration", PROVIDER_START_S, proc, log)
        yield base
    finally:
        stop(proc)


@contextmanager
def serve_app(
    folder: Path,
    database_url: str,
    oidc_provider: str,
    *,
    secrets_toml: str = "",
    env: dict[str, str] | None = None,
) -> Iterator[RunningApp]:
    """`streamlit run streamlit_app.py` on `database_url`, signing in through the provider; stopped by
    its PID on exit.

    The working folder is `folder`: Streamlit reads `.streamlit/secrets.toml` (the [auth] section) and
    `.streamlit/config.toml` from there. 127.0.0.1 everywhere, or the browser drops the auth cookie.
    `secrets_toml` is appended to that file (e.g. a [sheets] section pointing at a local server) and
    `env` is added to the server's environment (e.g. a connector's token variable)."""
    port = free_port()
    (folder / ".streamlit").mkdir(parents=True)
    (folder / "data").mkdir()
    shutil.copy(REPO / ".streamlit" / "config.toml", folder / ".streamlit" / "config.toml")
    secrets = folder / ".streamlit" / "secrets.toml"
    secrets.write_text(
        "[auth]\n"
        f'redirect_uri = "http://127.0.0.1:{port}/oauth2callback"\n'
        'cookie_secret = "e2e-cookie-secret-not-for-production"\n'
        'client_id = "socialops-e2e"\n'
        'client_secret = "e2e-client-secret"\n'
        f'server_metadata_url = "{oidc_provider}/.well-known/openid-configuration"\n' + secrets_toml,
        encoding="utf-8",
    )
    env = {
        **os.environ,
        **(env or {}),
        "DATABASE_URL": database_url,
        "SOCIALOPS_DATA_DIR": str(folder / "data"),
        # The app's own settings read the same file Streamlit reads (it holds only [auth]).
        "SOCIALOPS_SECRETS_FILE": str(secrets),
        "PYTHONUNBUFFERED": "1",
    }
    log = folder / "streamlit.log"
    command = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(REPO / "streamlit_app.py"),
        "--server.port",
        str(port),
        "--server.address",
        "127.0.0.1",
        "--server.headless",
        "true",
        "--server.fileWatcherType",
        "none",
    ]
    with log.open("wb") as out:
        proc = subprocess.Popen(
            command, cwd=folder, env=env, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL
        )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for_http(f"{url}/_stcore/health", APP_START_S, proc, log)
        yield RunningApp(url, database_url, folder, log)
    finally:
        stop(proc)


@pytest.fixture
def serve_configured(
    request: pytest.FixtureRequest, demo_db: Engine, oidc_provider: str, tmp_path: Path
) -> Iterator[Callable[..., RunningApp]]:
    """serve_configured(secrets_toml=..., env=...) → the app on this test's own copy of the demo
    workspace (like `app_server`), started with extra secrets and environment once the test has set up
    what they point at (a local Sheets server, a Mastodon token). Stopped by its PID at teardown."""
    started: list[RunningApp] = []
    with ExitStack() as stack:

        def _serve(*, secrets_toml: str = "", env: dict[str, str] | None = None) -> RunningApp:
            database_url = demo_db.url.render_as_string(hide_password=False)
            folder = tmp_path / f"app{len(started)}"
            app = stack.enter_context(
                serve_app(folder, database_url, oidc_provider, secrets_toml=secrets_toml, env=env)
            )
            started.append(app)
            return app

        try:
            yield _serve
        finally:
            if _failed(request):
                for app in started:
                    print(tail(app.log, 80))


@pytest.fixture
def app_server(
    request: pytest.FixtureRequest, demo_db: Engine, oidc_provider: str, tmp_path: Path
) -> Iterator[RunningApp]:
    """The app on this test's own copy of the demo workspace (for journeys that write)."""
    database_url = demo_db.url.render_as_string(hide_password=False)
    with serve_app(tmp_path / "app", database_url, oidc_provider) as app:
        try:
            yield app
        finally:
            if _failed(request):
                print(tail(app.log, 80))


@pytest.fixture(scope="session")
def _shared_app_server(
    databases: Any, demo_template: str, oidc_provider: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[RunningApp]:
    database_url = databases.new(template=demo_template)
    try:
        with serve_app(tmp_path_factory.mktemp("shared-app"), database_url, oidc_provider) as app:
            yield app
    finally:
        databases.drop(database_url)


@pytest.fixture
def shared_app(request: pytest.FixtureRequest, _shared_app_server: RunningApp) -> Iterator[RunningApp]:
    """One app server for the journeys that only look (the smoke tour, sign-in and out): started once
    per session on its own copy of the demo workspace, so every role's pass costs no server start.
    A test that writes uses `app_server` instead."""
    try:
        yield _shared_app_server
    finally:
        if _failed(request):
            print(tail(_shared_app_server.log, 80))


@pytest.fixture
def fresh_app(
    request: pytest.FixtureRequest, _shared_app_server: RunningApp, oidc_provider: str, tmp_path: Path
) -> Iterator[RunningApp]:
    """A server started for this test alone, on the shared app's workspace (nothing is written): for
    what only happens first after a server start."""
    with serve_app(tmp_path / "app", _shared_app_server.database_url, oidc_provider) as app:
        try:
            yield app
        finally:
            if _failed(request):
                print(tail(app.log, 80))


@pytest.fixture
def new_context(
    browser: Any, artifacts: Path, request: pytest.FixtureRequest
) -> Iterator[Callable[[str], Any]]:
    """new_context(who) → a fresh browser context (own cookies) whose actions time out after 60 s. All
    are closed at the end of the test; when it failed, each page's screenshot and the context's
    Playwright trace are kept under tests/.artifacts/e2e/ (`playwright show-trace FILE`)."""
    contexts: list[tuple[str, Any]] = []

    def _new(who: str, viewport: tuple[int, int] = (1400, 1800)) -> Any:
        # Tall enough that a screenshot shows most of a page (Streamlit scrolls inside its own pane).
        width, height = viewport
        context = browser.new_context(viewport={"width": width, "height": height}, locale="en-GB")
        # No network here: the provider's page links a CDN stylesheet; refuse it at once.
        context.route("http*://cdn.jsdelivr.net/**", lambda route: route.abort())
        context.set_default_timeout(PAGE_TIMEOUT_MS)
        context.tracing.start(screenshots=True, snapshots=True)
        contexts.append((who, context))
        return context

    yield _new
    failed = _failed(request)
    for who, context in contexts:
        try:
            if failed:
                for n, page in enumerate(context.pages):
                    page.screenshot(path=str(artifacts / f"failed-{who}-{n}.png"), timeout=10_000)
                context.tracing.stop(path=str(artifacts / f"trace-{who}.zip"))
            else:
                context.tracing.stop()
        except Exception as exc:  # a broken page must not keep the other contexts open
            print(f"could not save the artifacts of {who}: {exc}")
        finally:
            context.close()

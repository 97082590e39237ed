"""What the clean-start journey needs besides the shared browser helpers: the whole product started the
way a newcomer starts it (`python -m app start` on a brand-new empty store, local mode, its own data
folder, a short publishing cadence), stopped by PID whatever happens; and the few browser moves of a
local trial (picking an exact option, acting as someone from the sidebar)."""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from e2ekit import REPO, free_port, tail
from playwright.sync_api import Page, expect
from streamlit_ui import wait_idle, widget

START_S = 180  # migrating a new store and starting both children, on a busy machine
STOP_S = 45  # the runner finishes the job it is running before it stops
STARTED = re.compile(r"started (the app|the jobs runner) .*, pid (\d+)")


@dataclass
class Product:
    """`python -m app start` running: the app's URL, its store, its working folder and its log."""

    url: str
    database_url: str
    folder: Path
    log: Path
    process: subprocess.Popen[bytes]

    def children(self) -> dict[str, int]:
        return {name: int(pid) for name, pid in STARTED.findall(self.log_text())}

    def log_text(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace") if self.log.exists() else ""


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as resp:
            return resp.status == 200
    except OSError:
        return False


def _stop(product: Product) -> None:
    """SIGINT to `start` (it stops both children), then SIGKILL by PID to whatever is left."""
    children = product.children()
    if product.process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.kill(product.process.pid, signal.SIGINT)
        with contextlib.suppress(subprocess.TimeoutExpired):
            product.process.wait(timeout=STOP_S)
    for pid in [*children.values(), product.process.pid]:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired):
        product.process.wait(timeout=10)


@contextlib.contextmanager
def start_product(database_url: str, folder: Path, env: dict[str, str]) -> Iterator[Product]:
    """`python -m app start -- --server.port P --server.address 127.0.0.1 --server.headless true` on
    `database_url` (a new, empty database): SOCIALOPS_DEMO=0, the data folder and the (empty) secrets
    file in `folder`, so no [auth] section: local mode. `env` adds job cadences and channel tokens.
    Waits (bounded) for both children and the app's health endpoint; stops everything on exit."""
    port = free_port()
    (folder / "data").mkdir(parents=True)
    secrets = folder / "secrets.toml"
    secrets.write_text("# local trial: no [auth], no sign-in\n", encoding="utf-8")
    log = folder / "start.log"
    full_env = {
        **os.environ,
        **env,
        "DATABASE_URL": database_url,
        "SOCIALOPS_DEMO": "0",
        "SOCIALOPS_DATA_DIR": str(folder / "data"),
        "SOCIALOPS_SECRETS_FILE": str(secrets),
        "PYTHONUNBUFFERED": "1",
        # `python -m app` from a folder of its own, as an installed copy would run.
        "PYTHONPATH": os.pathsep.join(p for p in (str(REPO), os.environ.get("PYTHONPATH", "")) if p),
    }
    command = [
        sys.executable,
        "-m",
        "app",
        "start",
        "--",
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
        # `start` runs its children in the repository (streamlit_app.py, jobs/); its own folder is ours.
        proc = subprocess.Popen(
            command, cwd=folder, env=full_env, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL
        )
    product = Product(f"http://127.0.0.1:{port}", database_url, folder, log, proc)
    try:
        deadline = time.monotonic() + START_S
        while not (len(product.children()) == 2 and _healthy(product.url)):
            if proc.poll() is not None:
                raise AssertionError(f"`python -m app start` exited with {proc.returncode}\n{tail(log)}")
            if time.monotonic() > deadline:
                raise AssertionError(f"the app was not up within {START_S} s\n{tail(log)}")
            time.sleep(0.5)
        yield product
    finally:
        _stop(product)


def choose_exact(page: Page, test_id: str, label: str, option: str) -> None:
    """Like streamlit_ui.choose, for an option whose text is also part of another's ("Manager" and
    "Community manager"): the option must read exactly `option`."""
    field = widget(page, test_id, label).get_by_role("combobox")
    field.click()
    field.fill(option)
    options = page.get_by_role("option", name=option, exact=True)
    expect(options).to_have_count(1)
    options.click()
    if test_id == "stMultiSelect":
        page.keyboard.press("Escape")
    wait_idle(page)


def act_as(page: Page, name: str) -> None:
    """Pick `name` in the sidebar's "Act as" box (local mode) and wait for the notice every page shows."""
    field = widget(page, "stSelectbox", "Act as").get_by_role("combobox")
    field.click()
    field.fill(name)
    options = page.get_by_role("option", name=re.compile(rf"^{re.escape(name)} \("))
    expect(options).to_have_count(1)
    options.click()
    wait_idle(page)
    expect(page.get_by_text(f"Acting as {name}")).to_be_visible()
    wait_idle(page)

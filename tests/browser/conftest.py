"""The browser tests' machinery: Debian's Chromium (installed here when missing), driven by
Playwright; one live server over one database holding the demo data; and a visitor that opens
pages, saves a screenshot of each and writes down what went wrong on it (a 5xx, a console
error, an uncaught exception) instead of stopping at the first.

Playwright's own browser downloads (`playwright install`) cannot reach their servers from the
machines this project runs on, so the tests launch the system's /usr/bin/chromium. Tests here
carry `@pytest.mark.browser` (deselect them with `-m "not browser"`) and one `xdist_group`, and
live in one module, so that they share a worker, a browser and the seeded database."""

import io
import os
import re
import shutil
import subprocess
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connections
from playwright.sync_api import Error, Page, sync_playwright

CHROMIUM = Path("/usr/bin/chromium")
INSTALL_TIMEOUT_SECONDS = 600
# Without the background-networking flags Chromium keeps calling Google's services, and this
# machine's closed network refuses the connections (which Chromium reports as errors).
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORT = {"width": 1366, "height": 900}
SCREENSHOTS_DIR = Path(
    os.environ.get("SCREENSHOTS_DIR") or Path(__file__).resolve().parents[2] / "screenshots"
)


def _install_chromium() -> str | None:
    """Installs Debian's `chromium`; returns why it could not, or None."""
    if os.geteuid() != 0:
        return "not root, so apt-get cannot install it"
    if shutil.which("apt-get") is None:
        return "no apt-get to install it with"
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    install = ["apt-get", "install", "-y", "-qq", "chromium"]
    try:
        done = subprocess.run(
            install, env=env, capture_output=True, text=True, timeout=INSTALL_TIMEOUT_SECONDS
        )
        if done.returncode != 0:  # the package lists may be missing or stale
            subprocess.run(
                ["apt-get", "update", "-qq"],
                env=env,
                capture_output=True,
                timeout=INSTALL_TIMEOUT_SECONDS,
            )
            done = subprocess.run(
                install, env=env, capture_output=True, text=True, timeout=INSTALL_TIMEOUT_SECONDS
            )
    except subprocess.TimeoutExpired:
        return f"`apt-get install chromium` took more than {INSTALL_TIMEOUT_SECONDS} s"
    if done.returncode != 0 or not CHROMIUM.exists():
        return f"`apt-get install chromium` failed: {done.stderr.strip()[-500:]}"
    return None


@pytest.fixture(scope="session")
def chromium() -> Path:
    if not CHROMIUM.exists():
        why_not = _install_chromium()
        if why_not:
            pytest.skip(f"{CHROMIUM} is missing and {why_not}; run with -m 'not browser'")
    return CHROMIUM


@pytest.fixture(scope="module")
def browser(chromium, django_db_setup):
    """One Chromium for the module.

    Playwright's synchronous API runs its event loop in this thread (in a greenlet of its
    own), and Django refuses database calls from a thread with a running loop: no coroutine
    of ours runs on that loop, so they are allowed while it runs. The test database is made
    before it starts; and it stops when the module is done, before the tests that follow on
    this worker. Under Playwright this thread's code also has database connections of its own
    (Django keeps them per context, and the greenlets have theirs): they are closed here, or
    PostgreSQL would refuse to drop the test database at the end."""
    with pytest.MonkeyPatch.context() as patch, sync_playwright() as playwright:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        browser = playwright.chromium.launch(executable_path=str(chromium), args=CHROMIUM_ARGS)
        yield browser
        browser.close()
        connections.close_all()


@pytest.fixture(scope="module")
def site(request, django_db_setup, django_db_blocker):
    """pytest-django's live server (it serves the static files too) over the demo data, seeded
    once for the module.

    pytest-django's `live_server` fixture makes every test transactional, and the flush after
    each would take the demo data with it; so the module starts the server that fixture
    starts, seeds the database outside any test's transaction, and empties it at the end (as a
    transactional test does) for the tests that follow on this worker. Its tests are marked
    `django_db`, which has pytest-django create the test database."""
    from pytest_django.live_server_helper import LiveServer

    with django_db_blocker.unblock():
        call_command("seed_demo", stdout=io.StringIO())
        server = LiveServer(  # where `live_server` would listen
            request.config.getvalue("liveserver")
            or os.environ.get("DJANGO_LIVE_TEST_SERVER_ADDRESS")
            or "localhost"
        )
        server._live_server_modified_settings.enable()  # its host in ALLOWED_HOSTS
        try:
            yield server
        finally:
            server._live_server_modified_settings.disable()
            server.stop()
            call_command("flush", interactive=False, verbosity=0)


@dataclass
class Visitor:
    """One browser tab (its own cookies) at 1366x900. `open()` goes to a page, saves its
    screenshot and returns the main response; every 5xx (of the page or of anything it
    loads), console error and uncaught exception is written down in `problems`, by page."""

    page: Page
    base_url: str
    screenshots: Path
    problems: list[str] = field(default_factory=list)

    def __post_init__(self):
        self.page.on("console", self._console)
        self.page.on("pageerror", self._page_error)
        self.page.on("response", self._response)

    def _where(self) -> str:
        return self.page.url.removeprefix(self.base_url) or "/"

    def _console(self, message):
        if message.type == "error":
            source = message.location.get("url", "").removeprefix(self.base_url)
            self.problems.append(f"{self._where()}: console error {message.text!r} ({source})")

    def _page_error(self, error):
        self.problems.append(f"{self._where()}: uncaught {error.name}: {error.message}")

    def _response(self, response):
        if response.status >= 500:
            path = response.url.removeprefix(self.base_url)
            self.problems.append(f"{self._where()}: {response.status} from {path}")

    def open(self, path: str, *, screenshot: str | None = None, full_page: bool = False):
        """Goes to `path`, saves its screenshot (named after the path unless told) and
        returns the response."""
        response = self.page.goto(self.base_url + path)
        self.screenshot(screenshot or path, full_page=full_page)
        return response

    def download(self, path: str) -> str:
        """Goes to what the browser saves rather than shows (the YAML schema); its text."""
        with self.page.expect_download() as download, suppress(Error):
            self.page.goto(self.base_url + path)  # "Download is starting": not a page
        return Path(download.value.path()).read_text()

    def screenshot(self, name: str, *, full_page: bool = False) -> Path:
        """The window's view, or the whole page (slower: seconds for a long Browsable API
        page)."""
        slug = re.sub(r"[^\w]+", "-", name).strip("-") or "front-door"
        target = self.screenshots / f"{slug}.png"
        self.page.screenshot(path=target, full_page=full_page)
        return target

    def sign_in(self, path: str, username: str, password: str) -> None:
        """Fills in a Django login form (the admin's and the Browsable API's) and sends it."""
        self.page.goto(self.base_url + path)
        self.page.fill("#id_username", username)
        self.page.fill("#id_password", password)
        with self.page.expect_navigation():
            self.page.click("[type=submit]")


@pytest.fixture
def visitor(browser, site):
    SCREENSHOTS_DIR.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(viewport=VIEWPORT)
    try:
        yield Visitor(page=context.new_page(), base_url=site.url, screenshots=SCREENSHOTS_DIR)
    finally:
        context.close()

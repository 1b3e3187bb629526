"""Browser smoke tests: the real server (`proxima serve`) driven by the system Chromium through Playwright.

They skip when /usr/bin/chromium (or Playwright) is missing, so `make test` stays green on a laptop
without a browser; with PROXIMA_REQUIRE_BROWSER=1 (set by .ci/run) a missing browser fails instead.
Run them alone with `.venv/bin/pytest tests/browser -m browser -p no:xdist`.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--no-first-run",
    "--disable-dev-shm-usage",
]
START_TIMEOUT_S = 30.0

ADMIN = {"email": "smoke@example.com", "name": "Sam Smoke", "password": "smoke-password-1"}
COLLEAGUE = {"email": "camille.t@example.com", "name": "Camille Testeur", "password": "camille-password-1"}


def _unavailable(reason: str) -> None:
    """Skip, or fail when the run requires the browser (CI)."""
    if os.environ.get("PROXIMA_REQUIRE_BROWSER") == "1":
        pytest.fail(f"{reason} (PROXIMA_REQUIRE_BROWSER=1)", pytrace=False)
    pytest.skip(reason)


def _proxima() -> list[str]:
    """The `proxima` console script of the environment running the tests."""
    for candidate in (Path(sys.executable).parent / "proxima", ROOT / ".venv" / "bin" / "proxima"):
        if candidate.exists():
            return [str(candidate)]
    found = shutil.which("proxima")
    if found:
        return [found]
    return [sys.executable, "-c", "from app.cli import main; main()"]


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _tail(path: Path, lines: int = 40) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


@dataclass
class Server:
    base_url: str
    log: Path


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """The system Chromium, headless."""
    if not CHROMIUM.exists():
        _unavailable(f"{CHROMIUM} is not installed")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("playwright is not installed")
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def server(browser: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A migrated SQLite database with two people, served by `proxima serve` on a free port."""
    tmp = tmp_path_factory.mktemp("smoke")
    env = {k: v for k, v in os.environ.items() if not k.startswith("PROXIMA_")}
    env.update(
        PROXIMA_DATABASE_URL=f"sqlite:///{tmp / 'smoke.db'}",
        PROXIMA_ENV="development",
        PROXIMA_LOG_LEVEL="WARNING",
    )
    proxima = _proxima()

    def run(*args: str) -> None:
        done = subprocess.run(
            [*proxima, *args], cwd=tmp, env=env, capture_output=True, text=True, timeout=120, check=False
        )
        if done.returncode != 0:
            command = " ".join(args[:2])
            pytest.fail(f"proxima {command} exited {done.returncode}:\n{done.stdout}\n{done.stderr}")

    run("db", "upgrade")
    for person, role in ((ADMIN, ["--role", "admin"]), (COLLEAGUE, [])):
        run(
            "users", "create", "--email", person["email"], "--name", person["name"],
            "--password", person["password"], *role,
        )  # fmt: skip

    port = _free_port()
    log = tmp / "server.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [*proxima, "serve", "--host", "127.0.0.1", "--port", str(port)],
            cwd=tmp,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, killed whole at the end
        )
    base_url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            if process.poll() is not None:
                pytest.fail(f"the server exited with {process.returncode}:\n{_tail(log)}")
            try:
                with urllib.request.urlopen(f"{base_url}/login", timeout=2) as response:  # noqa: S310
                    if response.status == 200:
                        break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"GET /login did not answer 200 within {START_TIMEOUT_S:.0f} s:\n{_tail(log)}")
            time.sleep(0.2)
        yield Server(base_url, log)
    finally:
        _stop(process)


def _stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM the server's process group, SIGKILL it if it lingers."""
    if process.poll() is not None:
        return
    for sig, wait in ((signal.SIGTERM, 10), (signal.SIGKILL, 5)):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            return
        try:
            process.wait(timeout=wait)
            return
        except subprocess.TimeoutExpired:
            continue


def _watch_errors(page: Any) -> list[str]:
    """Collect console errors (CSP violations, failed loads) and uncaught exceptions."""
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(f"console: {msg.text}") if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(f"pageerror: {exc}"))
    return errors


def _screenshot_on_failure(page: Any, tmp_path: Path, server: Server, body: Callable[[], None]) -> None:
    try:
        body()
    except BaseException:
        shot = tmp_path / "failure.png"
        try:
            page.screenshot(path=str(shot), full_page=True)
            print(f"screenshot: {shot}")
        except Exception as exc:  # the page may be gone
            print(f"no screenshot: {exc}")
        print(f"server log ({server.log}):\n{_tail(server.log)}")
        raise


def _directory_search_form(page: Any) -> Any:
    """The directory's own search form, in `main` (the header's quick search also has a `q`)."""
    in_main = page.locator('main form:has(input[name="q"])')
    if in_main.count():
        return in_main.first
    return page.locator('form:has(input[name="q"])').last


def test_sign_in_and_find_a_colleague(browser: Any, server: Server, tmp_path: Path) -> None:
    """Sign in, open the directory, search for Camille: no console error on the way."""
    from playwright.sync_api import expect

    context = browser.new_context(locale="en-US")
    page = context.new_page()
    page.set_default_timeout(10_000)
    errors = _watch_errors(page)
    base = server.base_url

    def scenario() -> None:
        page.goto(f"{base}/login")
        login_form = page.locator('form:has(input[name="password"])').first
        login_form.locator('input[name="email"]').fill(ADMIN["email"])
        login_form.locator('input[name="password"]').fill(ADMIN["password"])
        login_form.locator('button[type="submit"]').click()
        expect(page).to_have_url(re.compile(rf"^{re.escape(base)}/(\?.*)?$"))

        page.goto(f"{base}/people")
        expect(page.locator("h1").first).to_be_visible()
        camille = page.locator(".person-card", has_text=COLLEAGUE["name"])
        expect(camille.first).to_be_visible()

        search = _directory_search_form(page)
        box = search.locator('input[name="q"]')
        with page.expect_response(lambda r: "/people" in r.url and "q=camille" in r.url):
            box.fill("camille")
            box.press("Enter")
        page.wait_for_load_state("networkidle")
        assert errors == [], "\n".join(errors)
        expect(page.locator(".person-card", has_text=COLLEAGUE["name"]).first).to_be_visible()
        expect(page.locator(".person-card", has_text=ADMIN["name"])).to_have_count(0)

    try:
        _screenshot_on_failure(page, tmp_path, server, scenario)
    finally:
        context.close()


def test_login_page_in_french(browser: Any, server: Server, tmp_path: Path) -> None:
    """A French browser gets the sign-in page in French."""
    from playwright.sync_api import expect

    context = browser.new_context(locale="fr-FR", extra_http_headers={"Accept-Language": "fr"})
    page = context.new_page()
    page.set_default_timeout(10_000)
    errors = _watch_errors(page)

    def scenario() -> None:
        page.goto(f"{server.base_url}/login")
        expect(page.locator("html")).to_have_attribute("lang", "fr")
        page.wait_for_load_state("networkidle")
        assert errors == [], "\n".join(errors)

    try:
        _screenshot_on_failure(page, tmp_path, server, scenario)
    finally:
        context.close()


def test_post_react_comment_and_mention_without_reloading(
    browser: Any, server: Server, tmp_path: Path
) -> None:
    """From the home page: post, react and comment through htmx; @ suggests colleagues."""
    from playwright.sync_api import expect

    context = browser.new_context(locale="en-US")
    page = context.new_page()
    page.set_default_timeout(10_000)
    errors = _watch_errors(page)
    base = server.base_url

    def scenario() -> None:
        page.goto(f"{base}/login")
        page.locator('input[name="email"]').fill(COLLEAGUE["email"])
        page.locator('input[name="password"]').fill(COLLEAGUE["password"])
        page.locator('form:has(input[name="password"]) button[type="submit"]').click()
        expect(page).to_have_url(re.compile(rf"^{re.escape(base)}/(\?.*)?$"))
        page.evaluate("window.__stayed = true")  # a full reload would forget it

        composer = page.locator("#composer")
        composer.locator('textarea[name="body"]').fill("Hello from the browser #smoke")
        composer.locator('button[type="submit"]').click()
        card = page.locator("#feed-items .post-card", has_text="Hello from the browser")
        expect(card.first).to_be_visible()
        expect(card.first.locator("a.hashtag")).to_have_text("#smoke")

        card.first.locator('.reaction-actions button[value="like"]').first.click()
        expect(card.first.locator('button[aria-pressed="true"]')).to_be_visible()
        assert page.evaluate("window.__stayed === true"), "the page reloaded"

        card.first.locator(".post-comments").click()
        expect(page).to_have_url(re.compile(r"/posts/\d+"))
        page.evaluate("window.__stayed = true")
        area = page.locator("#comment-body")
        area.fill("Thanks @cam")
        area.press("i")  # a real keystroke fires the input event the suggestions listen to
        expect(page.locator(".mention-box li", has_text=COLLEAGUE["name"])).to_be_visible()
        page.locator(".mention-box li", has_text=COLLEAGUE["name"]).click()
        assert "@camille.t " in area.input_value()
        page.locator(".comment-form button[type='submit']").click()
        expect(page.locator(".comment-body", has_text="Thanks")).to_be_visible()
        assert page.evaluate("window.__stayed === true"), "the page reloaded"
        page.wait_for_load_state("networkidle")
        assert errors == [], "\n".join(errors)

    try:
        _screenshot_on_failure(page, tmp_path, server, scenario)
    finally:
        context.close()

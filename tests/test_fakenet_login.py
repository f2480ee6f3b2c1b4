"""The login world (scanner/fakenet/login.py) in plain Playwright, without the scanner: the form is
checked on the server, the session cookie is HttpOnly, the account area (and its recorder) needs the
session, the destructive links end it and are noted, the session expires after N account pages, and
the staging host needs basic auth."""

from __future__ import annotations

import pytest
from playwright.sync_api import sync_playwright

from scanner.browser import resolve_browser
from scanner.fakenet import FakeInternet, LoginInbox, login_world
from scanner.fakenet import login as lw

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def world():
    inbox = LoginInbox()
    with FakeInternet(login_world(inbox, session_views=3)) as net:
        yield net, inbox


@pytest.fixture(scope="module")
def browser(world):
    net, _ = world
    with sync_playwright() as pw:
        b = pw.chromium.launch(
            executable_path=resolve_browser(None, pw.chromium.executable_path).executable_path,
            args=["--disable-gpu", "--ignore-certificate-errors", *net.chromium_args()],
        )
        yield b
        b.close()


def sign_in(page, net, password=lw.PASSWORD):
    page.goto(net.url(lw.SITE, "/login"))
    page.fill("#username", lw.USERNAME)
    page.fill("#password", password)
    page.click("#sign-in")
    page.wait_for_load_state("load")


def test_account_needs_a_login_checked_on_the_server(world, browser):
    net, inbox = world
    context = browser.new_context(ignore_https_errors=True)
    page = context.new_page()
    page.goto(net.url(lw.SITE, "/account/orders"))
    assert page.url.startswith(net.url(lw.SITE, "/login?")) and page.locator("#account-menu").count() == 0
    sign_in(page, net, password="wrong")
    assert page.locator("#login-error").count() == 1 and inbox.failed_logins == 1
    assert not [c for c in context.cookies() if c["name"] == lw.SESSION_COOKIE]
    sign_in(page, net)
    assert page.url == net.url(lw.SITE, "/account") and page.locator("#account-menu").count() == 1
    (session,) = [c for c in context.cookies() if c["name"] == lw.SESSION_COOKIE]
    assert session["httpOnly"] and session["secure"] and session["expires"] == -1  # a session cookie
    page.wait_for_function("window.hj !== undefined")
    page.wait_for_timeout(1500)  # the recorder's hello, snapshot and a batch of the ticker's changes
    assert inbox.recorded >= 3
    assert page.evaluate(f"localStorage.getItem('{lw.MEMBER_KEY}')").startswith("member-")
    context.close()


def test_public_pages_have_no_recorder(world, browser):
    net, _ = world
    context = browser.new_context(ignore_https_errors=True)
    page = context.new_page()
    hosts = []
    page.on("request", lambda r: hosts.append(r.url.split("/")[2]))
    page.goto(net.url(lw.SITE, "/"))
    page.wait_for_load_state("networkidle")
    assert "region1.google-analytics.com" in hosts and "static.hotjar.com" not in hosts
    context.close()


@pytest.mark.parametrize("path", lw.DESTRUCTIVE)
def test_destructive_links_end_the_session_and_are_noted(world, browser, path):
    net, inbox = world
    context = browser.new_context(ignore_https_errors=True)
    page = context.new_page()
    sign_in(page, net)
    before = list(inbox.followed)
    page.goto(net.url(lw.SITE, path))
    assert inbox.followed == [*before, path]
    page.goto(net.url(lw.SITE, "/account"))
    assert page.url.startswith(net.url(lw.SITE, "/login?"))
    assert [m.ended for m in inbox.sessions.values()].count("/" + path.split("?")[0].strip("/")) >= 1
    context.close()


def test_the_session_expires_after_n_account_pages(world, browser):
    net, inbox = world
    context = browser.new_context(ignore_https_errors=True)
    page = context.new_page()
    sign_in(page, net)  # the first account page view (the redirect after the login)
    token = next(c["value"] for c in context.cookies() if c["name"] == lw.SESSION_COOKIE)
    for path in ("/account/orders", "/account/settings"):
        page.goto(net.url(lw.SITE, path))
        assert page.url == net.url(lw.SITE, path)
    page.goto(net.url(lw.SITE, "/account/profile"))  # the fourth: over the limit of 3
    assert page.url.startswith(net.url(lw.SITE, "/login?expired=1"))
    assert inbox.sessions[token].ended == "expired" and inbox.sessions[token].views == 4
    assert not [c for c in context.cookies() if c["name"] == lw.SESSION_COOKIE]
    context.close()


def staging_answer(browser, net, credentials=None) -> str:
    """The staging page's status, or Chromium's error (a 401 that the browser cannot or does not answer
    ends as ERR_INVALID_AUTH_CREDENTIALS or as the 401 page, depending on what it tried before)."""
    kw = (
        {"http_credentials": dict(zip(("username", "password"), credentials, strict=True))}
        if credentials
        else {}
    )
    context = browser.new_context(ignore_https_errors=True, **kw)
    try:
        return str(context.new_page().goto(net.url(lw.STAGING, "/")).status)
    except Exception as exc:  # noqa: BLE001
        return "ERR_INVALID_AUTH_CREDENTIALS" if "ERR_INVALID_AUTH_CREDENTIALS" in str(exc) else str(exc)
    finally:
        context.close()


def test_staging_needs_basic_auth(world, browser):
    net, inbox = world
    denied = inbox.staging_denied
    assert staging_answer(browser, net) in ("401", "ERR_INVALID_AUTH_CREDENTIALS")
    assert staging_answer(browser, net, (lw.STAGING_USER, lw.STAGING_PASSWORD)) == "200"
    assert staging_answer(browser, net, (lw.STAGING_USER, "wrong")) in ("401", "ERR_INVALID_AUTH_CREDENTIALS")
    assert inbox.staging_denied >= denied + 2


def test_an_issued_session_works_as_a_cookie(world, browser):
    net, inbox = world
    token = inbox.issue()
    context = browser.new_context(ignore_https_errors=True)
    context.add_cookies(
        [{"name": lw.SESSION_COOKIE, "value": token, "domain": lw.SITE, "path": "/", "secure": True}]
    )
    page = context.new_page()
    page.goto(net.url(lw.SITE, "/account/settings"))
    assert page.url == net.url(lw.SITE, "/account/settings") and inbox.sessions[token].views == 1
    context.close()

"""Logged-in audits on the fake internet's login world (scanner/fakenet/login.py), in a real browser.

Each way of logging in (a storage state saved by ``scanner auth record``, a login script, login steps)
reaches the account area and finds its session recorder, which the public pages never load; the links
that end the session (log out, delete the account, unsubscribe) are never followed (the world notes every
one); an expiring session is detected, reported and makes the scan partial; a basic-auth staging host is
scanned with credentials from the environment; and no output (files, stdout, stderr) holds a password,
the staging password or the session cookie's value. One fake internet for the module; the scans are
small (few pages, short waits, no consent passes).
"""

from __future__ import annotations

import json
import stat
from dataclasses import replace
from pathlib import Path

import pytest
from conftest import FAST, run_cli, scan

from scanner.errors import CannotScan
from scanner.fakenet import FakeInternet, LoginInbox, login_world
from scanner.fakenet import login as lw
from scanner.gate import verdict
from scanner.login import LoginOptions
from scanner.pipeline import analyse
from scanner.report import write_reports
from scanner.report.login_text import console_line
from scanner.report.text import partial_scan_text

pytestmark = pytest.mark.browser

ENV = {"MC_USER": lw.USERNAME, "MC_PASSWORD": lw.PASSWORD, "MC_LOGIN_URL": lw.ORIGIN + "/login"}
STEPS = """
[[step]]
goto = "https://www.members-club.com/login"

[[step]]
fill = "#username"
env = "MC_USER"

[[step]]
fill = "#password"
env = "MC_PASSWORD"

[[step]]
click = "#sign-in"

[[step]]
wait_for_url = "/account$"
"""
SCRIPT = """
async def login(page, env):
    await page.goto(env["MC_LOGIN_URL"])
    await page.fill("#username", env["MC_USER"])
    await page.fill("#password", env["MC_PASSWORD"])
    await page.click("#sign-in")
    await page.wait_for_selector("#account-menu")
"""
ACCOUNT = {lw.ORIGIN + p for p in lw.ACCOUNT_PAGES}
SETTLE = "0.6"  # the recorder's hello, snapshot and a batch of the ticker's changes go out within it


@pytest.fixture(scope="module")
def world():
    inbox = LoginInbox()
    sites = login_world(inbox)
    with FakeInternet(sites) as net:
        yield net, inbox, sites[lw.SITE]


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("login-files")
    (folder / "steps.toml").write_text(STEPS, encoding="utf-8")
    (folder / "login.py").write_text(SCRIPT, encoding="utf-8")
    return folder


def cli_browser(net) -> list[str]:
    return ["--browser-arg", net.chromium_args()[0], "--ignore-https-errors"]


def crawl(net, out: Path, login: LoginOptions, *, max_pages: int = 2):
    """An in-process scan from the account page, analysed as `scanner scan` does."""
    result, _ = scan(
        net,
        [lw.ORIGIN + "/account"],
        out,
        login=login,
        max_pages=max_pages,
        concurrency=2,
        timing=replace(FAST, settle_s=0.6),
    )
    return analyse(result, declared=None)


def recorder_found(result) -> bool:
    findings = result.behaviour.findings if result.behaviour else ()
    return any(f.status == "session_recording" and f.vendor == "Hotjar" for f in findings)


def assert_logged_in_audit(result, inbox, followed_before: list[str]) -> None:
    visited = {p.url for p in result.pages}
    assert visited & ACCOUNT, "the account area was never reached"
    account_pages = [p for p in result.pages if p.url in ACCOUNT]
    assert all(p.final_url == p.url and p.status == 200 for p in account_pages), (
        "redirected to the login page"
    )
    assert recorder_found(result), "the session recorder behind the login was not found"
    hotjar_pages = {r.page_url for r in result.requests if r.host == "ws.hotjar.com"}
    assert hotjar_pages and hotjar_pages <= ACCOUNT  # only behind the login
    assert inbox.followed == followed_before, "a link that ends the session was followed"
    assert not any(c.name == lw.SESSION_COOKIE for c in result.cookies)  # injected, never the site's
    assert result.meta.coverage.excluded >= 3  # log out, delete the account, unsubscribe


# ---- scanner auth record, then a scan with its storage state ------------------------------------


@pytest.fixture(scope="module")
def recorded(world, files, tmp_path_factory):
    """`scanner auth record --headless --login-script` with Enter on stdin: the state file and the run."""
    net, _, _ = world
    out = tmp_path_factory.mktemp("record") / "state.json"
    done = run_cli(
        "auth", "record", lw.ORIGIN + "/", "-o", str(out), "--headless",
        "--login-script", str(files / "login.py"), *cli_browser(net), env=ENV, timeout=120, input="\n",
    )  # fmt: skip
    return out, done


def test_auth_record_saves_the_login_privately(recorded, world):
    out, done = recorded
    _, inbox, _ = world
    assert done.returncode == 0, done.stderr
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    state = json.loads(out.read_text(encoding="utf-8"))
    (session,) = [c for c in state["cookies"] if c["name"] == lw.SESSION_COOKIE]
    assert session["httpOnly"] and session["expires"] == -1 and inbox.live(session["value"]) is not None
    assert "secret" in done.stderr and "--storage-state" in done.stderr
    assert lw.PASSWORD not in done.stdout + done.stderr and session["value"] not in done.stdout + done.stderr
    again = run_cli("auth", "record", lw.ORIGIN + "/", "-o", str(out), "--headless", env=ENV, input="\n")
    assert again.returncode == 2 and "--overwrite" in again.stderr and again.stderr.count("\n") == 1


def test_storage_state_scan_reaches_the_account_and_marks_what_was_injected(recorded, world, tmp_path):
    out, done = recorded
    net, inbox, _ = world
    assert done.returncode == 0, done.stderr
    before = list(inbox.followed)
    result = crawl(
        net, tmp_path / "scan", LoginOptions(storage_state=out, check="#account-menu"), max_pages=2
    )
    assert_logged_in_audit(result, inbox, before)
    assert all(p.logged_in is True for p in result.pages) and not result.meta.interrupted
    login = result.meta.login
    assert login["methods"] == ["storage_state"] and login["logged_out_from"] is None
    injected = {(e["type"], e.get("name") or e.get("key")): e for e in login["injected"]}
    assert injected[("cookie", lw.SESSION_COOKIE)]["by"] == "storage_state"
    assert injected[("cookie", lw.SESSION_COOKIE)]["http_only"] is True
    assert injected[("storage", lw.MEMBER_KEY)]["by"] == "storage_state"
    assert all("value" not in e for e in login["injected"])
    # The account pages write mc_member only when it is missing: the injected key is never the site's.
    assert not [s for s in result.storage if s.key == lw.MEMBER_KEY]
    # Cookies the trackers rewrite on every page stay the site's (set by its scripts during the scan).
    assert {"_ga", f"_hjSessionUser_{lw.HOTJAR_ID}"} <= {c.name for c in result.cookies}
    assert "logged in with a saved login" in console_line(result)


# ---- the expiring session -------------------------------------------------------------------------


def test_login_script_reaches_the_account_then_the_expiring_session_is_detected_and_reported(
    world, files, tmp_path, monkeypatch
):
    net, inbox, site = world
    for name, value in ENV.items():
        monkeypatch.setenv(name, value)
    # Two account pages a session: the login's own /account, then the scan's start page /account.
    monkeypatch.setattr(site, "session_views", 2)
    before, logins = list(inbox.followed), inbox.logins
    login = LoginOptions(script=files / "login.py", check="#account-menu")
    result = crawl(net, tmp_path / "scan", login, max_pages=4)
    assert inbox.logins == logins + 1 and result.meta.login["methods"] == ["login_script"]
    by = {e.get("name") or e.get("key"): e["by"] for e in result.meta.login["injected"]}
    assert by[lw.SESSION_COOKIE] == by[lw.MEMBER_KEY] == "login_script"
    start = result.pages[0]
    assert start.url == lw.ORIGIN + "/account" and start.final_url == start.url and start.logged_in is True
    assert recorder_found(result) and inbox.followed == before
    flags = [p.logged_in for p in result.pages]
    first_out = flags.index(False)
    assert all(flags[:first_out]) and not any(flags[first_out:]), flags  # once lost, lost
    lost = result.pages[first_out]
    assert result.meta.login["logged_out_from"] == {"url": lost.url, "visit": first_out + 1}
    assert any(m.ended == "expired" for m in inbox.sessions.values())
    assert result.meta.interrupted
    assert any(e.startswith("logged out: ") and lost.url in e for e in result.meta.errors)
    gate = verdict(result, ["none"])
    assert gate.partial and gate.code == 4  # nothing fails, but a partial audit never passes
    assert f"logged out from visit {first_out + 1} of" in partial_scan_text(result)
    assert f"partial from {lost.url}" in console_line(result)
    written = write_reports(result, tmp_path / "scan", ["html", "md", "json"])
    html = (tmp_path / "scan" / "report.html").read_text(encoding="utf-8")
    assert 'id="login"' in html and f"Logged out from visit {first_out + 1}" in html
    assert "logged out from visit" in (tmp_path / "scan" / "summary.md").read_text(encoding="utf-8")
    saved = json.loads((tmp_path / "scan" / "scan.json").read_text(encoding="utf-8"))
    assert [p.get("logged_in") for p in saved["pages"]] == flags and len(written) == 3


def test_a_failed_login_stops_the_scan_naming_the_step_without_the_password(
    world, files, tmp_path, monkeypatch
):
    net, inbox, _ = world
    wrong = "wrong-" + lw.PASSWORD
    monkeypatch.setenv("MC_USER", lw.USERNAME)
    monkeypatch.setenv("MC_PASSWORD", wrong)
    steps = tmp_path / "steps.toml"
    steps.write_text(STEPS.replace('wait_for_url = "/account$"', 'wait_for_url = "/account$"\ntimeout = 1'))
    failed = inbox.failed_logins
    with pytest.raises(CannotScan) as err:
        crawl(net, tmp_path / "scan", LoginOptions(steps=steps))
    text = str(err.value)
    assert text.startswith("login failed at step 5 (wait_for_url) '/account$': ") and "\n" not in text
    assert wrong not in text and inbox.failed_logins == failed + 1
    assert (
        not (tmp_path / "scan" / "pages.jsonl").exists()
        or not (tmp_path / "scan" / "pages.jsonl").read_text()
    )


# ---- login steps from the command line, with basic auth and the secrets grep ---------------------


def test_login_steps_basic_auth_and_no_secret_in_any_output(world, files, tmp_path):
    net, inbox, _ = world
    before = list(inbox.followed)
    out = tmp_path / "cli"
    env = {**ENV, "SCANNER_HTTP_CREDENTIALS": f"{lw.STAGING_USER}:{lw.STAGING_PASSWORD}"}
    done = run_cli(
        "scan", lw.ORIGIN + "/account", f"https://{lw.STAGING}/", "--out", str(out), "--max-pages", "3",
        "--settle", SETTLE, "--concurrency", "2", "--login-steps", str(files / "steps.toml"),
        "--logged-in-check", "url:/login", "--format", "all", "--debug", *cli_browser(net), env=env,
    )  # fmt: skip
    assert done.returncode == 1, done.stderr[-2000:]  # Google Analytics and Hotjar are not declared
    data = json.loads((out / "scan.json").read_text(encoding="utf-8"))
    pages = {p["url"]: p for p in data["pages"]}
    assert pages[f"https://{lw.STAGING}/"]["status"] == 200  # the basic-auth host, with the credentials
    assert any(r["host"] == "www.facebook.com" for r in data["requests"])  # the staging-only pixel
    assert set(pages) & ACCOUNT and all(p["logged_in"] is True for p in data["pages"])
    assert data["meta"]["options"]["http_credentials"] is True and data["meta"]["login"]["methods"] == [
        "login_steps"
    ]
    assert any(f["status"] == "session_recording" for f in data["behaviour"]["findings"])
    assert inbox.followed == before
    assert "login: logged in with login steps" in done.stdout
    tokens = [t for t, m in inbox.sessions.items() if m.user == lw.USERNAME]
    secrets = [lw.PASSWORD, lw.STAGING_PASSWORD, *tokens]
    texts = {"stdout": done.stdout, "stderr": done.stderr}
    for path in out.rglob("*"):
        if path.is_file():
            texts[str(path.relative_to(out))] = path.read_bytes().decode("utf-8", "replace")
    assert "scan.har" in texts and "results.sarif" in texts and "summary.md" in texts
    leaks = [(name, s[:6]) for name, text in texts.items() for s in secrets if s in text]
    assert leaks == []


def test_a_basic_auth_site_without_credentials_says_how_to_give_them(world, tmp_path):
    """Chromium answers a 401 without credentials with the 401 page or with ERR_INVALID_AUTH_CREDENTIALS;
    either way the scan stops with exit 3 and a line naming --http-credentials, not a raw network code."""
    net, _, _ = world
    done = run_cli(
        "scan", f"https://{lw.STAGING}/", "--out", str(tmp_path / "out"), "--max-pages", "1",
        "--settle", "0.3", *cli_browser(net), env={"SCANNER_HTTP_CREDENTIALS": None},
    )  # fmt: skip
    assert done.returncode == 3, done.stderr[-2000:]
    assert "HTTP authentication" in done.stderr and "--http-credentials" in done.stderr, done.stderr[-2000:]
    assert lw.STAGING_PASSWORD not in done.stderr + done.stdout

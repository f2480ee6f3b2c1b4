"""Logged-in audits without a browser: the steps parser (Hypothesis), storage-state checks, the
logged-in check, the default exclusions, what the login injected kept out of a saved visit, and that no
error message shows a secret."""

from __future__ import annotations

import asyncio
import json
import os
import stat

import pytest
from conftest import run_cli
from hypothesis import given
from hypothesis import strategies as st

from scanner.crawl.exclude import DEFAULT_EXCLUDE, Exclusions
from scanner.crawl.frontier import Frontier
from scanner.errors import BadInput, CannotScan
from scanner.login import LoginOptions
from scanner.login.check import parse_check
from scanner.login.cli import Hidden, http_credentials
from scanner.login.record import write_private
from scanner.login.script import load_script, run_script
from scanner.login.secrets import redact
from scanner.login.state import Injected, check_storage_state
from scanner.login.steps import ACTIONS, check_env, parse_steps, steps_from_doc
from scanner.scope import Scope

SECRET = "s3cret-Value-that-must-not-show"

# ---- the steps parser -----------------------------------------------------------------------------

keys = st.sampled_from([*ACTIONS, "env", "value", "key", "timeout", "selector", "url", "wait"])
values = st.one_of(
    st.text(max_size=30),
    st.integers(-5, 1000),
    st.floats(allow_nan=True),
    st.booleans(),
    st.lists(st.text(max_size=5), max_size=2),
    st.sampled_from(
        ["https://www.example.com/login", "#password", "MC_PASSWORD", "Enter", "/account$", "(("]
    ),
)
step_tables = st.dictionaries(keys, values, max_size=4)
documents = st.one_of(
    st.fixed_dictionaries({"step": st.lists(step_tables, max_size=5)}),
    st.dictionaries(st.text(max_size=8), st.one_of(values, st.lists(step_tables, max_size=2)), max_size=3),
    values,
)


@given(documents)
def test_the_steps_parser_takes_steps_or_refuses_with_one_line_naming_the_step(doc):
    try:
        steps = steps_from_doc(doc, "--login-steps f.toml")
    except BadInput as err:
        text = str(err)
        assert "\n" not in text and text.startswith("--login-steps f.toml: ")
        if isinstance(doc, dict) and set(doc) == {"step"} and doc["step"]:
            assert "step " in text or "steps" in text
        return
    assert 1 <= len(steps) <= 100
    for n, step in enumerate(steps, 1):
        assert step.number == n and step.action in ACTIONS and step.target.strip()
        assert (step.env is None) or step.action == "fill"


def toml_string(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)  # a JSON string without control characters is a TOML one


selectors = st.text("#.abc-_ []=", min_size=1, max_size=12).filter(str.strip)
env_names = st.from_regex(r"[A-Z_][A-Z0-9_]{0,10}", fullmatch=True)
literal = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=20)
valid_step = st.one_of(
    st.builds(
        lambda u: {"goto": u}, st.sampled_from(["https://a.example/login", "http://b.example:8/x?y=1"])
    ),
    st.builds(lambda s, e: {"fill": s, "env": e}, selectors, env_names),
    st.builds(lambda s, v: {"fill": s, "value": v}, st.just("#q"), literal),
    st.builds(lambda s: {"click": s}, st.sampled_from(["#sign-in", "button[type=submit]", "text=Log in"])),
    st.builds(lambda s, k: {"press": s, "key": k}, st.just("#password"), st.sampled_from(["Enter", "Tab"])),
    st.builds(lambda r: {"wait_for_url": r}, st.sampled_from(["/account$", r"^https://[^/]+/home", "dash"])),
    st.builds(lambda s, t: {"wait_for_selector": s, "timeout": t}, st.just("#menu"), st.floats(0.1, 600)),
)


@given(st.lists(valid_step, min_size=1, max_size=8))
def test_valid_steps_written_as_toml_read_back_as_they_were(steps):
    text = "\n".join(
        "[[step]]\n"
        + "".join(f"{k} = {toml_string(v) if isinstance(v, str) else repr(float(v))}\n" for k, v in s.items())
        for s in steps
    )
    parsed = parse_steps(text, "--login-steps t.toml")
    assert [p.action for p in parsed] == [next(a for a in ACTIONS if a in s) for s in steps]
    for p, s in zip(parsed, steps, strict=True):
        assert p.target == s[p.action]
        assert p.env == s.get("env") and (p.value == s.get("value", s.get("key")))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "no steps"),
        ("[[step]]\nclick = '#a'\ngoto = 'https://x.example/'\n", "step 1: give exactly one action"),
        ("[[step]]\nclick = '#a'\n[[step]]\nfill = '#p'\n", "step 2 (fill): give 'env'"),
        ("[[step]]\nfill = '#p'\nenv = 'not a name'\n", "step 1 (fill): env must name"),
        ("[[step]]\ngoto = 'ftp://x.example/'\n", "step 1 (goto): expected an http(s) URL"),
        ("[[step]]\nwait_for_url = '(('\n", "step 1 (wait_for_url): not a regular expression"),
        ("[[step]]\nclick = '#a'\ntimeout = 0\n", "step 1 (click): timeout must be"),
        ("[[step]]\nclick = '#a'\npassword = 'x'\n", "step 1 (click): unknown key 'password'"),
        ("[[step]]\npress = '#a'\n", "step 1 (press): give the key"),
        ("step = 3\n", "no steps"),
        ("[[step]\n", "not TOML"),
        ("user = 'x'\n[[step]]\nclick = '#a'\n", "unknown key 'user'"),
    ],
)
def test_bad_steps_are_one_line_naming_the_step(text, message):
    with pytest.raises(BadInput) as err:
        parse_steps(text, "--login-steps f.toml")
    assert message in str(err.value) and "\n" not in str(err.value)


def test_a_variable_that_is_not_set_is_named_before_the_browser_starts():
    steps = parse_steps("[[step]]\nfill = '#u'\nenv = 'U'\n[[step]]\nfill = '#p'\nenv = 'PW'\n")
    check_env(steps, {"U": "ada", "PW": SECRET})
    with pytest.raises(BadInput, match=r"step 2 \(fill\): the environment variable PW is not set"):
        check_env(steps, {"U": "ada"})


# ---- storage state ---------------------------------------------------------------------------------

GOOD_COOKIE = {"name": "sid", "value": SECRET, "domain": "www.example.com", "path": "/", "expires": -1,
               "httpOnly": True, "secure": True, "sameSite": "Lax"}  # fmt: skip


@pytest.mark.parametrize(
    ("doc", "where"),
    [
        ([], "expected a JSON object"),
        ({"cookie": []}, "no 'cookies' and no 'origins'"),
        ({"cookies": {}}, "'cookies' must be a list"),
        ({"cookies": [{**GOOD_COOKIE, "value": 7}]}, "cookies[0].value: expected a string"),
        ({"cookies": [GOOD_COOKIE, {**GOOD_COOKIE, "expires": "soon"}]}, "cookies[1].expires"),
        ({"cookies": [{**GOOD_COOKIE, "sameSite": "lax"}]}, "cookies[0].sameSite"),
        ({"cookies": [{**GOOD_COOKIE, "value": SECRET + ";x=1"}]}, "cookies[0]: a cookie name or value"),
        ({"origins": [{"origin": "file:///etc", "localStorage": []}]}, "origins[0].origin"),
        ({"origins": [{"origin": "https://a.example", "localStorage": [{"name": "k", "value": 1}]}]},
         "origins[0].localStorage[0].value"),
    ],
)  # fmt: skip
def test_a_bad_storage_state_is_one_line_that_never_shows_a_value(doc, where):
    with pytest.raises(BadInput) as err:
        check_storage_state(doc, "--storage-state s.json")
    text = str(err.value)
    assert where in text and "\n" not in text and SECRET not in text


def test_a_good_storage_state_is_kept_with_its_other_parts():
    doc = {
        "cookies": [GOOD_COOKIE],
        "origins": [{"origin": "https://a.example/", "localStorage": [], "indexedDB": []}],
    }
    state = check_storage_state(doc, "s")
    assert state["cookies"] == [GOOD_COOKIE] and state["origins"][0] == {
        "origin": "https://a.example",
        "localStorage": [],
        "indexedDB": [],
    }


# ---- what the login put into the browser, out of a saved visit --------------------------------------


def jar_row(name, value_hash, **kw):
    row = {"name": name, "domain": "www.example.com", "path": "/", "expires": None, "secure": True,
           "http_only": True, "same_site": "Lax", "source": "jar", "value_hash": value_hash}  # fmt: skip
    return {**row, **kw}


def test_injected_cookies_and_keys_leave_a_visit_unless_the_site_set_or_changed_them():
    from scanner.collect.base import value_hash

    injected = Injected()
    state = {
        "origins": [{"origin": "https://www.example.com", "localStorage": [{"name": "k", "value": "v"}]}]
    }
    injected.add([{**GOOD_COOKIE}], state, "storage_state", lambda host: host.endswith("example.com"))
    assert [(e["type"], e["by"], e["first_party"]) for e in injected.listed] == [
        ("cookie", "storage_state", True),
        ("storage", "storage_state", True),
    ]
    assert SECRET not in json.dumps(injected.listed)
    same, other = value_hash(SECRET), value_hash("new")
    saved = {
        "cookie_observations": [
            jar_row("sid", same),  # the injected cookie as it was: out
            jar_row("sid", other),  # the site changed its value: the site's
            jar_row("sid", same, source="set-cookie"),  # the site sent it again: the site's
            jar_row("other", same),
        ],
        "storage": [
            {"origin": "https://www.example.com", "kind": "local", "key": "k", "value_hash": value_hash("v")},
            {
                "origin": "https://www.example.com",
                "kind": "local",
                "key": "k2",
                "value_hash": value_hash("v"),
            },
        ],
    }
    assert injected.drop_from(saved, {}) == 2
    assert [(r["name"], r["source"], r["value_hash"]) for r in saved["cookie_observations"]] == [
        ("sid", "jar", other),
        ("sid", "set-cookie", same),
        ("other", "jar", same),
    ]
    assert [r["key"] for r in saved["storage"]] == ["k2"]
    rewritten = {
        "storage": [
            {"origin": "https://www.example.com", "kind": "local", "key": "k", "value_hash": value_hash("v")}
        ]
    }
    injected.drop_from(rewritten, {("https://www.example.com", "local", "k"): "v"})  # the page wrote it
    assert len(rewritten["storage"]) == 1
    # The login changed what the file set: listed once, as the login's.
    injected.add([{**GOOD_COOKIE, "value": "after-login"}], {}, "login_steps", lambda host: True)
    assert [e["by"] for e in injected.listed if e["type"] == "cookie"] == ["login_steps"]


# ---- the logged-in check and the exclusions ------------------------------------------------------


def test_the_logged_in_check_forms():
    assert parse_check("#account-menu").text == "selector:#account-menu"
    assert parse_check("selector: a[href='/logout']").value == "a[href='/logout']"
    check = parse_check("url:/login")
    assert check.kind == "url" and check.logged_out_url("https://x.example/login?next=/a")
    assert not check.logged_out_url("https://x.example/account")
    for bad, why in (("", "give a selector"), ("url:", "missing"), ("url:((", "not a regular expression")):
        with pytest.raises(BadInput, match=why):
            parse_check(bad)


def test_the_logged_in_check_judges_a_record_by_url_and_status():
    check = parse_check("url:/login")
    judge = lambda record: asyncio.run(check.judge(None, record, 1.0))  # noqa: E731
    assert judge({"url": "https://x.example/a", "final_url": "https://x.example/login?next=/a"}) is False
    assert judge({"url": "https://x.example/a", "final_url": "https://x.example/a"}) is True
    assert judge({"url": "https://x.example/a", "status": 401, "error_kind": "http_status"}) is False
    assert judge({"url": "https://x.example/a", "error_kind": "timeout"}) is None


@pytest.mark.parametrize(
    "url",
    [
        "https://a.example/logout", "https://a.example/user/log-out?next=/", "https://a.example/SignOut",
        "https://a.example/auth/sign_off", "https://a.example/?action=logout", "https://a.example/logoff",
        "https://a.example/account/delete", "https://a.example/delete-my-account", "https://a.example/users/close_account",
        "https://a.example/newsletter/unsubscribe?list=weekly", "https://a.example/accounts/deactivate",
    ],
)  # fmt: skip
def test_links_that_end_the_session_are_excluded_by_default(url):
    assert Exclusions().matches(url)


@pytest.mark.parametrize(
    "url",
    [
        "https://a.example/", "https://a.example/catalogue/logoutfit", "https://a.example/account",
        "https://a.example/account/settings", "https://a.example/blog/deleted-scenes", "https://a.example/login",
        "https://a.example/signup", "https://a.example/privacy/opt-out",
    ],
)  # fmt: skip
def test_ordinary_links_are_not_excluded(url):
    assert not Exclusions().matches(url)


def test_exclude_patterns_add_to_the_default_and_a_start_url_is_visited_anyway():
    frontier = Frontier(Scope(["https://a.example/"]), exclude=Exclusions([r"/admin/", r"\?print=1$"]))
    assert frontier.add("https://a.example/logout", 0, source="seed")  # the user asked for it
    assert not frontier.add("https://a.example/admin/users", 1)
    assert not frontier.add("https://a.example/page?print=1", 1)
    assert not frontier.add("https://a.example/sign-out", 1)
    assert frontier.add("https://a.example/page", 1)
    assert frontier.coverage().excluded == 3
    with pytest.raises(BadInput, match=r"--exclude '\(\(': not a regular expression"):
        Exclusions(["(("])
    assert DEFAULT_EXCLUDE.startswith("(?i)")


# ---- secrets ----------------------------------------------------------------------------------------


def test_http_credentials_are_checked_without_showing_them():
    assert http_credentials("preview:" + SECRET) == ("preview", SECRET)
    assert http_credentials("u:") == ("u", "")
    for bad in (SECRET, ":" + SECRET, "u\n:" + SECRET):
        with pytest.raises(BadInput) as err:
            http_credentials(bad)
        assert SECRET not in str(err.value) and "USER:PASSWORD" in str(err.value)
    assert SECRET not in repr(Hidden(SECRET)) and Hidden(SECRET) == SECRET


def test_a_bad_credentials_variable_is_refused_without_its_value(tmp_path):
    done = run_cli(
        "scan", "https://www.example.com/", "--out", str(tmp_path / "o"), "--no-sitemap",
        env={"SCANNER_HTTP_CREDENTIALS": SECRET}, timeout=60,
    )  # fmt: skip
    assert done.returncode == 2 and "SCANNER_HTTP_CREDENTIALS" in done.stderr
    assert SECRET not in done.stdout + done.stderr and done.stderr.count("\n") == 1


def test_a_login_script_error_hides_what_it_read_from_env(tmp_path):
    script = tmp_path / "login.py"
    script.write_text("async def login(page, env):\n    raise ValueError('no luck with ' + env['PW'])\n")
    function = load_script(script)
    with pytest.raises(CannotScan) as err:
        asyncio.run(run_script(function, None, {"PW": SECRET}, "--login-script login.py"))
    assert SECRET not in str(err.value) and "ValueError: no luck with [hidden]" in str(err.value)


@pytest.mark.parametrize(
    ("source", "why"),
    [
        ("def login(page, env):\n    pass\n", "define `async def login(page, env)`"),
        ("async def login(page):\n    pass\n", "two arguments"),
        ("x = = 1\n", ":1: not Python"),
        ("raise RuntimeError('broken')\n", "failed when loaded: RuntimeError: broken"),
        ("", "define `async def login"),
    ],
)
def test_a_login_script_that_cannot_be_used_is_one_line(tmp_path, source, why):
    script = tmp_path / "login.py"
    script.write_text(source)
    with pytest.raises(BadInput, match=why.replace("(", r"\(").replace(")", r"\)")):
        load_script(script)


def test_redaction_takes_every_secret_out_longest_first():
    assert (
        redact("a secret and a secretive thing", ["secret", "secretive"]) == "a [hidden] and a [hidden] thing"
    )
    assert redact("ab", ["ab"]) == "ab"  # too short to be a secret worth hiding


def test_the_state_file_is_private_from_its_creation(tmp_path):
    old = os.umask(0)
    try:
        write_private(tmp_path / "state.json", {"cookies": []})
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "state.json").stat().st_mode) == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["state.json"]  # no temporary file left


def test_login_options_say_how_the_browser_logs_in(tmp_path):
    assert not LoginOptions().active and LoginOptions(check="#m").active
    options = LoginOptions(storage_state=str(tmp_path / "s.json"), steps=tmp_path / "l.toml")
    assert (
        options.methods == ("storage_state", "login_steps") and options.storage_state == tmp_path / "s.json"
    )


def test_a_login_that_carries_a_consent_answer_says_so():
    from dataclasses import replace

    from report_factory import demo_scan

    from scanner.login.session import LoginSession
    from scanner.report.login_text import console_line

    session = LoginSession(LoginOptions(storage_state=None, check="#menu"), timeout_s=5)
    state = {
        "origins": [
            {"origin": "https://www.example.com", "localStorage": [{"name": "didomi_token", "value": "x"}]}
        ]
    }
    session.injected.add(
        [{**GOOD_COOKIE, "name": "OptanonConsent"}], state, "storage_state", lambda host: True
    )
    summary = session.summary()
    assert (
        summary["consent_cookies"] == ["OptanonConsent", "didomi_token"]
        and summary["check"] == "selector:#menu"
    )
    base = demo_scan()
    line = console_line(replace(base, meta=replace(base.meta, login=summary)))
    assert "hold a consent answer (OptanonConsent, didomi_token)" in line
    assert console_line(base) is None  # no login, no line

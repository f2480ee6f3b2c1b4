"""The login world: a members' site whose account area is only reachable logged in, for logged-in audits.

``https://www.members-club.com/`` (registrable domain ``members-club.com``):

* Public pages ``/`` and ``/about`` carry a Google-Analytics-like hit (``_ga`` cookie, a beacon to
  ``region1.google-analytics.com/g/collect``) and link to ``/login`` and ``/account``.
* ``/login``: a form (``username``, ``password``) posted to ``/login`` and checked on the server. A
  right pair sets the session cookie ``mc_session`` (a session cookie: HttpOnly, Secure, SameSite=Lax)
  and redirects to ``next`` (a local path) or ``/account``; a wrong one answers 401 with the form again.
  A logged-in visitor asking for ``/login`` is sent to ``/account``.
* The account area ``/account``, ``/account/orders``, ``/account/settings``, ``/account/profile``: with a
  live session, every page shows ``<nav id="account-menu">`` and runs a Hotjar-like session recorder
  (``static.hotjar.com``, recording over a WebSocket to ``ws.hotjar.com``: a ``session_recording``
  finding) that the public pages never load, and writes ``mc_member`` to localStorage once. Without
  one it redirects to ``/login?next=...``.
* Links that end the session and that a crawler must never follow: ``/logout``, ``/account/delete``
  and ``/newsletter/unsubscribe?list=weekly``. Each one followed is noted in
  ``LoginInbox.followed`` (a test asserts it stays empty) and ends the session.
* An expiring session: ``login_world(session_views=N)`` ends every session after N views of account
  pages (deterministic: the N+1-th account page is answered as to a logged-out visitor, with
  ``mc_session`` cleared). ``LoginInbox.sessions`` says which sessions ended and why.
* ``https://staging.members-club.com/`` (and ``/preview``): a staging copy behind HTTP basic auth
  (``STAGING_USER`` / ``STAGING_PASSWORD``); without the right ``Authorization`` it answers 401 with
  ``WWW-Authenticate: Basic``. Its pages carry a Facebook pixel that the live site does not.

``LoginInbox.issue(user)`` makes a session on the server, as a login would, for a storage-state file
built by hand in a test. ``LoginInbox.recorded`` counts the recorder's WebSocket messages.
"""

from __future__ import annotations

import base64
import binascii
import html
import json
import secrets
import threading
from dataclasses import dataclass, field
from urllib.parse import parse_qs, quote, urlsplit

from scanner.fakenet.behaviour import js
from scanner.fakenet.site import RequestInfo, Response, Site, set_cookie
from scanner.fakenet.websocket import WebSocket

SITE = "www.members-club.com"
DOMAIN = "members-club.com"
STAGING = "staging.members-club.com"
ORIGIN = f"https://{SITE}"
USERNAME = "ada@members-club.com"
PASSWORD = "correct horse battery staple 42"  # a test secret: tests grep every output for it
STAGING_USER = "preview"
STAGING_PASSWORD = "staging-Secret-7781"
SESSION_COOKIE = "mc_session"
MEMBER_KEY = "mc_member"  # the account area's localStorage key, written once
HOTJAR_ID = 7070707
HOTJAR_SCRIPT = f"https://static.hotjar.com/c/hotjar-{HOTJAR_ID}.js?sv=6"
HOTJAR_WS = "wss://ws.hotjar.com/api/v2/client/ws"
FB_PIXEL = "https://www.facebook.com/tr?id=5550001112223&ev=PageView&noscript=1"
ACCOUNT_PAGES = ("/account", "/account/orders", "/account/settings", "/account/profile")
PUBLIC_PAGES = ("/", "/about", "/login")
# Links that end the session: following any of them is a crawler bug (LoginInbox.followed).
DESTRUCTIVE = ("/logout", "/account/delete", "/newsletter/unsubscribe?list=weekly")


@dataclass
class Member:
    """One session on the server."""

    user: str
    views: int = 0  # account pages served to it
    ended: str | None = None  # why it ended: "expired", or the destructive path that was followed


@dataclass
class LoginInbox:
    """What the login world saw: its sessions (token -> Member), the destructive links followed, the
    logins (right and wrong) and the recorder's WebSocket messages."""

    sessions: dict[str, Member] = field(default_factory=dict)
    followed: list[str] = field(default_factory=list)
    logins: int = 0
    failed_logins: int = 0
    recorded: int = 0
    staging_denied: int = 0  # staging requests refused for want of the right credentials
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def issue(self, user: str = USERNAME) -> str:
        """A new live session for ``user``; its token is the ``mc_session`` cookie value."""
        token = secrets.token_urlsafe(24)
        with self.lock:
            self.sessions[token] = Member(user)
        return token

    def live(self, token: str) -> Member | None:
        with self.lock:
            member = self.sessions.get(token)
        return member if member is not None and member.ended is None else None

    def end(self, token: str, why: str) -> None:
        with self.lock:
            member = self.sessions.get(token)
            if member is not None and member.ended is None:
                member.ended = why


STYLE = "body{font:15px/1.5 sans-serif;max-width:50em;margin:1em auto;padding:0 1em}.tall{height:1400px}"

GA_HIT = """(function () {
  var id = document.cookie.match(/(?:^|; )_ga=([^;]*)/);
  var cid = id ? id[1] : 'GA1.2.' + Math.floor(Math.random() * 1e9) + '.' + Math.floor(Date.now() / 1000);
  document.cookie = '_ga=' + cid +
    '; path=/; domain=.members-club.com; max-age=63072000; SameSite=Lax; Secure';
  navigator.sendBeacon('https://region1.google-analytics.com/g/collect?v=2&tid=G-MEMBERS1&cid=' +
    encodeURIComponent(cid.split('.').slice(2).join('.')) + '&en=page_view&dl=' +
    encodeURIComponent(location.href));
})();"""

MEMBER_STORE = (
    "if (!localStorage.getItem('" + MEMBER_KEY + "')) localStorage.setItem('" + MEMBER_KEY + "', 'member-' + "
    "Math.floor(Math.random() * 1e9));"
)

HOTJAR_SNIPPET = js("hotjar_snippet.js").replace("__CONFIG__", str(HOTJAR_ID))


def _script_tag(text: str) -> str:
    return "<script>\n" + text.replace("</", "<\\/") + "\n</script>"


def cookie_value(request: RequestInfo, name: str) -> str:
    for part in request.headers.get("cookie", "").split(";"):
        key, _, value = part.strip().partition("=")
        if key == name:
            return value
    return ""


def _page(title: str, body: str, *, member: Member | None, head: str = "") -> str:
    if member is not None:
        nav = (
            f'<nav id="account-menu">Signed in as {html.escape(member.user)} · '
            '<a href="/account">My account</a> · <a href="/logout">Log out</a></nav>'
        )
    else:
        nav = '<nav id="guest-menu"><a href="/login">Sign in</a> · <a href="/account">My account</a></nav>'
    return (
        f"<!doctype html><html lang=en><head><meta charset=utf-8><title>{html.escape(title)}</title>"
        f"<style>{STYLE}</style>{head}</head><body>\n"
        f'<header><a href="/">Members Club</a> · <a href="/about">About</a></header>\n{nav}\n'
        f"<main><h1>{html.escape(title)}</h1>\n{body}</main></body></html>"
    )


def _clear_session() -> str:
    return set_cookie(SESSION_COOKIE, "", max_age=0, secure=True, http_only=True, same_site="Lax")


def _login_form(message: str = "", next_path: str = "") -> str:
    note = f'<p id="login-error" role="alert">{html.escape(message)}</p>' if message else ""
    hidden = f'<input type="hidden" name="next" value="{html.escape(next_path)}">' if next_path else ""
    return (
        f"{note}<form id=login method=post action=/login>{hidden}\n"
        "<p><label>E-mail <input id=username name=username type=email autocomplete=username></label></p>\n"
        "<p><label>Password <input id=password name=password type=password "
        "autocomplete=current-password></label></p>\n"
        "<p><button id=sign-in type=submit>Sign in</button></p></form>"
    )


def _local(path: str) -> str:
    """``path`` when it is a path of this site (an open redirect is no part of the fixture), else ''."""
    parts = urlsplit(path)
    if parts.scheme or parts.netloc or not path.startswith("/") or path.startswith("//"):
        return ""
    return path


class MembersSite:
    """The members' site (see the module doc); one instance per world."""

    def __init__(self, inbox: LoginInbox, *, username: str, password: str, session_views: int | None) -> None:
        self.inbox = inbox
        self.username = username
        self.password = password
        self.session_views = session_views
        self.site = Site(
            {
                "/": self.public,
                "/about": self.public,
                "/login": self.login,
                "/account": self.account,
                "/account/*": self.account,
                "/logout": self.destructive,
                "/newsletter/unsubscribe": self.destructive,
                "/static/ticker.js": Response.script(js("ticker.js")),
            }
        )

    def __call__(self, request: RequestInfo) -> Response:
        return self.site(request)

    def member(self, request: RequestInfo) -> tuple[str, Member | None]:
        token = cookie_value(request, SESSION_COOKIE)
        return token, self.inbox.live(token) if token else None

    def public(self, request: RequestInfo) -> Response:
        _, member = self.member(request)
        if request.path == "/":
            body = (
                "<p>Welcome to the Members Club.</p>\n"
                '<p><a href="/account/orders">Your orders</a> · <a href="/about">About us</a></p>'
            )
            title = "Members Club"
        else:
            body = "<p>A club for people who like tidy data.</p>"
            title = "About the club"
        return Response.html(_page(title, body, member=member, head=_script_tag(GA_HIT)))

    def login(self, request: RequestInfo) -> Response:
        token, member = self.member(request)
        if request.method == "POST":
            form = parse_qs(request.body.decode("utf-8", "replace"), keep_blank_values=True)
            user = (form.get("username") or [""])[0]
            password = (form.get("password") or [""])[0]
            next_path = _local((form.get("next") or [""])[0])
            if user == self.username and password == self.password:
                with self.inbox.lock:
                    self.inbox.logins += 1
                new = self.inbox.issue(user)
                cookie = set_cookie(SESSION_COOKIE, new, secure=True, http_only=True, same_site="Lax")
                return Response.redirect(next_path or "/account", status=303, cookies=(cookie,))
            with self.inbox.lock:
                self.inbox.failed_logins += 1
            page = _page("Sign in", _login_form("Wrong e-mail or password.", next_path), member=None)
            return Response.html(page, status=401)
        if member is not None:
            return Response.redirect("/account")
        note = "Your session has ended; please sign in again." if request.arg("expired") else ""
        return Response.html(_page("Sign in", _login_form(note, _local(request.arg("next"))), member=None))

    def account(self, request: RequestInfo) -> Response:
        if request.path == "/account/delete":
            return self.destructive(request)
        if request.path not in ACCOUNT_PAGES:
            return Response.not_found()
        token, member = self.member(request)
        if member is not None:
            with self.inbox.lock:
                member.views += 1
                over = self.session_views is not None and member.views > self.session_views
            if over:
                self.inbox.end(token, "expired")
                member = None
        if member is None:
            target = "/login?expired=1&next=" + quote(request.target, safe="/")
            return Response.redirect(target, cookies=(_clear_session(),) if token else ())
        links = " · ".join(
            f'<a href="{p}">{p.rsplit("/", 1)[-1].title()}</a>' for p in ACCOUNT_PAGES if p != request.path
        )
        body = (
            f"<p>Your membership, {html.escape(member.user)}.</p>\n<p>{links}</p>\n"
            '<p><a href="/account/delete">Delete my account</a> · '
            '<a href="/newsletter/unsubscribe?list=weekly">Unsubscribe from the newsletter</a></p>\n'
            '<p id="viewers">people are viewing this page</p><p id="news" data-item="0">News</p>\n'
            '<script src="/static/ticker.js"></script>\n'
            "<label>Message to the club <input id=question name=question type=text></label>\n"
            '<div class="tall">Your recent activity</div><p id=end>End of page.</p>'
        )
        head = _script_tag(GA_HIT) + _script_tag(HOTJAR_SNIPPET) + _script_tag(MEMBER_STORE)
        title = "My account" if request.path == "/account" else request.path.rsplit("/", 1)[-1].title()
        return Response.html(_page(title, body, member=member, head=head))

    def destructive(self, request: RequestInfo) -> Response:
        token, member = self.member(request)
        with self.inbox.lock:
            self.inbox.followed.append(request.target)
        if member is not None:
            self.inbox.end(token, request.path)
        return Response.redirect("/", cookies=(_clear_session(),))


def _staging(inbox: LoginInbox, user: str, password: str):
    def handle(request: RequestInfo) -> Response:
        given = request.headers.get("authorization", "")
        if not _same_credentials(given, user, password):
            with inbox.lock:
                inbox.staging_denied += 1
            return Response(
                401,
                [("Content-Type", "text/html; charset=utf-8"), ("WWW-Authenticate", 'Basic realm="staging"')],
                b"<!doctype html><title>Authorisation required</title><h1>401</h1>",
            )
        if request.path not in ("/", "/preview"):
            return Response.not_found()
        body = (
            '<p>The next release. <a href="/preview">Preview</a></p>\n'
            f'<img alt="" width="1" height="1" src="{html.escape(FB_PIXEL)}">'
        )
        return Response.html(_page("Staging", body, member=None, head=_script_tag(GA_HIT)))

    return handle


def _same_credentials(header: str, user: str, password: str) -> bool:
    scheme, _, encoded = header.partition(" ")
    if scheme.lower() != "basic":
        return False
    try:
        given = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return False
    return secrets.compare_digest(given, f"{user}:{password}")


def _hotjar_socket(inbox: LoginInbox):
    def talk(ws: WebSocket) -> None:
        while (message := ws.receive()) is not None:
            with inbox.lock:
                inbox.recorded += 1
            if isinstance(message, str) and message.startswith('{"type":"hello"'):
                ws.send(json.dumps({"type": "ok", "recording": True}))

    return lambda _request: Response.websocket(talk)


def login_world(
    inbox: LoginInbox | None = None,
    *,
    username: str = USERNAME,
    password: str = PASSWORD,
    session_views: int | None = None,
    staging_credentials: tuple[str, str] = (STAGING_USER, STAGING_PASSWORD),
) -> dict:
    """The members' site, its staging copy and the trackers they use (see the module doc).
    ``session_views``: account pages a session may see before it ends (None: it never ends)."""
    inbox = inbox if inbox is not None else LoginInbox()
    hotjar = js("hotjar.js").replace("__CONFIG__", json.dumps({"siteId": HOTJAR_ID, "ws": HOTJAR_WS}))
    return {
        SITE: MembersSite(inbox, username=username, password=password, session_views=session_views),
        STAGING: _staging(inbox, *staging_credentials),
        "region1.google-analytics.com": Site({"/g/collect": Response.no_content()}),
        "static.hotjar.com": Site({f"/c/hotjar-{HOTJAR_ID}.js": Response.script(hotjar)}),
        "ws.hotjar.com": Site({"/api/v2/client/ws": _hotjar_socket(inbox)}),
        "www.facebook.com": Site({"/tr": Response.pixel()}),
    }

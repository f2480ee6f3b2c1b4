"""A URL is visited as it was given; its de-duplication key never changes what it means (issue 10).

The properties work on a model of a resource (scheme, host, port, path segments, query parameters), not
on URL strings: a resource is written out in many spellings that RFC 3986 (sections 6.2.2 and 6.2.3),
the URL Standard and IDNA make equivalent, and the key must be one for all of them and differ for any
two resources that differ. Beyond RFC 3986 the key relies on two stated assumptions about servers: the
order of parameters with different names does not matter, and tracking parameters do not change the
page. Nothing else: ``?a`` is not ``?a=``, ``%2F`` is not ``/``, ``+`` is not ``%20``.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import pytest
from conftest import scan
from hypothesis import given, settings
from hypothesis import strategies as st

from scanner.attribute.run import first_party_domains
from scanner.crawl.frontier import Frontier
from scanner.crawl.urls import url_key, validate_start_url, visit_url
from scanner.fakenet import FakeInternet, Response, Site
from scanner.scope import Scope

# Spellings of one host: case, Unicode or its punycode (IDNA), as a person or a page may write it.
HOSTS = {
    "www.example.com": ("www.example.com", "WWW.Example.COM"),
    "xn--bcher-kva.de": ("bücher.de", "BÜCHER.de", "xn--bcher-kva.de", "XN--BCHER-KVA.DE"),
    "xn--e1afmkfd.xn--80akhbyknj4f": (
        "пример.испытание",
        "ПРИМЕР.испытание",
        "xn--e1afmkfd.xn--80akhbyknj4f",
    ),
}
DEFAULT_PORT = {"http": 80, "https": 443}

# One character of a path segment or of a query name or value, and what it means:
#   ("u", c)  an unreserved character: ``c`` itself or its percent-encoding (RFC 3986 6.2.2.2)
#   ("r", c)  a reserved character written as itself: not the same as its encoding (RFC 3986 2.2)
#   ("e", c)  a character percent-encoded (its hex digits in either case, RFC 3986 6.2.2.1)
#   ("n", c)  a character a URL may not hold as itself: a browser sends its UTF-8 percent-encoding,
#             so the character and that encoding are the same request (URL Standard)
UNRESERVED = "aZ09-._~"
PATH_RESERVED = ":@!$&'()*+,;="
QUERY_RESERVED = ":@!$()*+,;/?"  # & and = shape the query; ' is encoded by the browser in a query
PATH_ENCODED = PATH_RESERVED + "/?#% "
QUERY_ENCODED = QUERY_RESERVED + "&=#%+ "
PATH_MUST_ENCODE = '"<>é日'
QUERY_MUST_ENCODE = "\"<>'é日"


def atoms(reserved: str, encoded: str, must: str) -> st.SearchStrategy[tuple[str, str]]:
    return st.one_of(
        st.tuples(st.just("u"), st.sampled_from(UNRESERVED)),
        st.tuples(st.just("r"), st.sampled_from(reserved)),
        st.tuples(st.just("e"), st.sampled_from(encoded)),
        st.tuples(st.just("n"), st.sampled_from(must)),
    )


PATH_ATOM = atoms(PATH_RESERVED, PATH_ENCODED, PATH_MUST_ENCODE)
QUERY_ATOM = atoms(QUERY_RESERVED, QUERY_ENCODED, QUERY_MUST_ENCODE)


def is_dot_segment(segment: tuple) -> bool:
    return 0 < len(segment) <= 2 and all(atom == ("u", ".") for atom in segment)


@dataclass(frozen=True)
class Resource:
    scheme: str
    host: str  # the IDNA form: a key of HOSTS
    port: int | None  # None: the scheme's default
    segments: tuple[tuple[tuple[str, str], ...], ...]  # the path is "/" + "/".join(segments)
    query: tuple[tuple[tuple, tuple | None], ...]  # (name, value or None for a bare name)

    def meaning(self) -> tuple:
        """What identifies the resource: the values of one name keep their order, names do not."""
        values: dict[tuple, list] = defaultdict(list)
        for name, value in self.query:
            values[name].append(value)
        return (
            self.scheme,
            self.host,
            self.port,
            self.segments,
            frozenset((k, tuple(v)) for k, v in values.items()),
        )


def resources(path_atom=PATH_ATOM, query_atom=QUERY_ATOM, max_atoms=4, max_segments=3, max_params=3):
    segment = st.lists(path_atom, max_size=max_atoms).map(tuple).filter(lambda s: not is_dot_segment(s))
    param = st.tuples(
        st.lists(query_atom, max_size=max_atoms).map(tuple),
        st.none() | st.lists(query_atom, max_size=max_atoms).map(tuple),
    ).filter(lambda p: p[0] or p[1] is not None)  # a bare empty name is an empty piece ("a&&b")
    return st.builds(
        Resource,
        scheme=st.sampled_from(["http", "https"]),
        host=st.sampled_from(sorted(HOSTS)),
        port=st.sampled_from([None, 8443]),
        segments=st.lists(segment, min_size=1, max_size=max_segments).map(tuple),
        query=st.lists(param, max_size=max_params).map(tuple),
    )


def encode(char: str, upper: bool) -> str:
    hexes = [f"{b:02X}" for b in char.encode()]
    return "".join("%" + (h if upper else h.lower()) for h in hexes)


@st.composite
def spelled(draw, resource: Resource) -> str:
    """One of the many ways to write ``resource`` that a browser fetches as the same thing."""

    def text(parts: tuple) -> str:
        out = []
        for kind, char in parts:
            if kind == "r" or (kind in "un" and draw(st.booleans())):
                out.append(char)
            else:
                out.append(encode(char, draw(st.booleans())))
        return "".join(out)

    scheme = "".join(c.upper() if draw(st.booleans()) else c for c in resource.scheme)
    host = draw(st.sampled_from(HOSTS[resource.host]))
    if resource.port is not None:
        port = f":{resource.port}"
    else:
        port = draw(st.sampled_from(["", f":{DEFAULT_PORT[resource.scheme]}"]))
    segments = [text(s) for s in resource.segments]
    if len(segments) > 1 and draw(st.booleans()):  # "." and "x/.." segments (RFC 3986 5.2.4)
        at = draw(st.integers(0, len(segments) - 2))
        dot = draw(st.sampled_from([".", "%2e", "%2E"]))
        noise = draw(st.sampled_from([[dot], ["zz", dot + dot]]))
        segments[at:at] = noise
    path = "/" + "/".join(segments)
    if path == "/" and draw(st.booleans()):
        path = ""  # an empty path is "/" (RFC 3986 6.2.3)
    params = list(resource.query)
    order = draw(st.permutations(range(len(params))))
    slots: dict[tuple, list] = defaultdict(list)
    for name, value in params:
        slots[name].append(value)
    pieces = []
    for i in order:  # a new order of the names; the values of one name in their order
        name = params[i][0]
        value = slots[name].pop(0)
        pieces.append(text(name) + ("" if value is None else "=" + text(value)))
    for _ in range(draw(st.integers(0, 2))):  # tracking parameters: not part of the page
        tracker = draw(st.sampled_from(["utm_source=news", "gclid=abc", "fbclid=1", "utm_medium"]))
        pieces.insert(draw(st.integers(0, len(pieces))), tracker)
    query = ("?" + "&".join(pieces)) if pieces else draw(st.sampled_from(["", "?"]))
    fragment = draw(st.none() | st.text(max_size=10).map(lambda f: "#" + f))
    url = f"{scheme}://{host}{port}{path}{query}"
    return url + (fragment or "")


@settings(deadline=None)
@given(st.data())
def test_every_spelling_of_a_resource_has_one_key(data):
    resource = data.draw(resources())
    first, second = data.draw(spelled(resource)), data.draw(spelled(resource))
    assert url_key(first) == url_key(second), (first, second)
    assert url_key(url_key(first)) == url_key(first)  # a key is its own key


# A tiny space, so that two drawn resources are often the same one, or close.
TINY_PATH = st.sampled_from([("u", "a"), ("r", "="), ("e", "="), ("e", "/"), ("n", "é"), ("e", "%")])
TINY_QUERY = st.sampled_from([("u", "a"), ("r", "+"), ("e", " "), ("e", "+"), ("r", "/"), ("e", "/")])


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_one_key_means_one_resource(data):
    tiny = resources(TINY_PATH, TINY_QUERY, max_atoms=2, max_segments=2, max_params=2)
    a, b = data.draw(tiny), data.draw(tiny)
    url_a, url_b = data.draw(spelled(a)), data.draw(spelled(b))
    assert (url_key(url_a) == url_key(url_b)) == (a.meaning() == b.meaning()), (url_a, url_b)


@settings(deadline=None)
@given(st.data())
def test_the_visited_url_is_the_given_url_without_its_fragment(data):
    url = data.draw(spelled(data.draw(resources())))
    assert visit_url(url) == url.split("#", 1)[0]
    frontier = Frontier(Scope([f"https://{host}/" for host in HOSTS]), max_pages=10)
    assert frontier.add(url, 0, source="seed")
    target = frontier.pop()
    assert (target.url, target.key) == (url.split("#", 1)[0], url_key(url))


@settings(deadline=None)
@given(st.text(max_size=80) | st.text(max_size=80).map(lambda tail: "https://www.example.com/" + tail))
def test_visit_url_never_rewrites_any_text(text):
    out = visit_url(text)
    if out is not None:
        assert out == text.strip("".join(chr(i) for i in range(0x21))).split("#", 1)[0]
        assert url_key(out) is not None


@pytest.mark.parametrize(
    "a, b",
    [
        ("https://www.example.com/a%2Fb", "https://www.example.com/a/b"),  # %2F is not a path separator
        ("https://www.example.com/%25", "https://www.example.com/%"),
        ("https://www.example.com/%2541", "https://www.example.com/%41"),  # %25 is "%", not a decoding step
        ("https://www.example.com/page?run", "https://www.example.com/page?run="),
        ("https://www.example.com/?q=a+b", "https://www.example.com/?q=a%20b"),
        ("https://www.example.com/?q=a+b", "https://www.example.com/?q=a%2Bb"),
        ("https://www.example.com/x%3Dy", "https://www.example.com/x=y"),
        ("https://www.example.com/?a=1&a=2", "https://www.example.com/?a=2&a=1"),  # values of one name
        ("https://www.example.com/dir/", "https://www.example.com/dir"),
        ("https://www.example.com/", "https://www.example.com:8443/"),
        ("https://www.example.com/", "http://www.example.com/"),
        ("https://straße.de/", "https://strasse.de/"),  # UTS 46 non-transitional, as Chromium
    ],
)
def test_different_resources_have_different_keys(a, b):
    assert url_key(a) != url_key(b)


@pytest.mark.parametrize(
    "a, b",
    [
        ("https://bücher.de/über?q=é", "https://xn--bcher-kva.de/%C3%BCber?q=%c3%a9"),
        ("HTTPS://WWW.EXAMPLE.COM:443", "https://www.example.com/"),
        ("https://www.example.com/%7euser/./a/../b", "https://www.example.com/~user/b"),
        ("https://www.example.com/p?b=2&a=1&utm_source=x#top", "https://www.example.com/p?a=1&b=2"),
        ("https://www.example.com/p?", "https://www.example.com/p"),
        ("https://[::0:1]:443/", "https://[::1]/"),
    ],
)
def test_equivalent_spellings_share_a_key(a, b):
    assert url_key(a) == url_key(b)


def test_keys_keep_what_they_do_not_know_to_be_the_same():
    assert url_key("https://www.example.com/a%2fb%25?run") == "https://www.example.com/a%2Fb%25?run"
    assert url_key("https://Bücher.de/") == "https://xn--bcher-kva.de/"


def test_start_urls_and_links_are_visited_as_given():
    start = validate_start_url(" https://www.example.com/page?run&b=2&a=1&utm_source=x#top ")
    assert start == "https://www.example.com/page?run&b=2&a=1&utm_source=x#top"
    assert validate_start_url("bücher.de/a%2Fb?x") == "https://bücher.de/a%2Fb?x"
    frontier = Frontier(Scope([start, "https://bücher.de/"]), max_pages=20)
    assert frontier.add(start, 0, source="seed")
    assert not frontier.add("https://www.example.com/page?a=1&b=2&run", 1)  # the same key
    assert frontier.add("https://www.example.com/page?run=", 1)
    assert frontier.add("/a%2Fb", 1, referrer="https://www.example.com/page?run")
    assert not frontier.add("/a%2fb#x", 1, referrer="https://www.example.com/page?run")
    assert frontier.add("https://bücher.de/", 0, source="seed")
    assert not frontier.add("https://xn--bcher-kva.de/", 1)  # the punycode of a visited host: seen
    assert frontier.add("https://www.xn--bcher-kva.de/x", 1)  # in scope: the same registrable domain
    targets = []
    while (t := frontier.pop()) is not None:
        targets.append(t)
    assert [t.url for t in targets] == [
        "https://www.example.com/page?run&b=2&a=1&utm_source=x",
        "https://www.example.com/page?run=",
        "https://www.example.com/a%2Fb",
        "https://bücher.de/",
        "https://www.xn--bcher-kva.de/x",
    ]
    assert targets[0].key == "https://www.example.com/page?a=1&b=2&run"
    assert targets[3].key == "https://xn--bcher-kva.de/"


@pytest.mark.browser
def test_the_server_gets_what_was_asked(tmp_path):
    """Over the wire: the start URL's query is exactly ``run``, the link ``/a%2Fb`` arrives as
    ``/a%2Fb``, and a Unicode start host is in scope for the punycode links the browser reports."""
    page = '<title>p</title><a href="/a%2Fb">encoded slash</a><a href="/a/b">slash</a><a href="/q?x">x</a>'
    idn = '<title>b</title><a href="https://xn--bcher-kva.de/">self</a><a href="/seite">next</a>'
    world = {
        "www.example.com": Site(fallback=lambda req: Response.html(page)),
        "xn--bcher-kva.de": Site(fallback=lambda req: Response.html(idn)),
    }
    with FakeInternet(world) as net:
        start = net.url("www.example.com", "/page?run")
        result, _ = scan(
            net, [start, "https://bücher.de/"], tmp_path, max_depth=1, max_pages=10, use_sitemap=False
        )
        sent = [r.path for r in net.log.find(host="www.example.com", method="GET")]
        idn_sent = [r.path for r in net.log.find(host="xn--bcher-kva.de", method="GET")]
    assert "/page?run" in sent and "/page?run=" not in sent
    assert "/a%2Fb" in sent and "/a/b" in sent and "/q?x" in sent
    urls = {p.url for p in result.pages}
    assert {start, "https://www.example.com/a%2Fb", "https://www.example.com/a/b"} <= urls
    assert "https://bücher.de/" in urls and "https://xn--bcher-kva.de/seite" in urls
    assert idn_sent.count("/") == 1  # the punycode link to the start page is the page already seen
    idn_requests = [r for r in result.requests if r.host == "xn--bcher-kva.de"]
    assert idn_requests and not any(r.third_party for r in idn_requests)
    assert first_party_domains(result) == {"example.com", "xn--bcher-kva.de"}  # no Unicode twin

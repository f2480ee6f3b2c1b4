"""Pieces of the policy importer: table grids, column roles, names, links, cookie tables, lists."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup

from scanner.errors import BadInput
from scanner.policy import import_policy_text
from scanner.policy.document import parse, strip_templating
from scanner.policy.links import Link, choose_privacy_link, links_in, name_matches_domain
from scanner.policy.names import is_cookie_like, looks_like_name, vendor_in_label, vendor_named_in
from scanner.policy.tables import column_role, table_grid


def _table(html: str):
    return BeautifulSoup(html, "lxml").find("table")


def test_grid_expands_rowspan_and_colspan() -> None:
    grid = table_grid(
        _table(
            "<table><tr><th>A</th><th colspan=2>B</th></tr>"
            "<tr><td rowspan=2>x</td><td>1</td><td>2</td></tr>"
            "<tr><td>3</td><td>4</td></tr>"
            "<tr><td>y</td><td colspan=2 rowspan=junk>5</td></tr></table>"
        )
    )
    assert [[c.text for c in row] for row in grid] == [
        ["A", "B", "B"],
        ["x", "1", "2"],
        ["x", "3", "4"],
        ["y", "5", "5"],
    ]


def test_rowspan_cell_in_the_middle_of_a_row() -> None:
    grid = table_grid(
        _table(
            "<table><tr><td>a</td><td rowspan=3>m</td><td>b</td></tr>"
            "<tr><td>c</td><td>d</td></tr><tr><td>e</td><td>f</td></tr></table>"
        )
    )
    assert [[c.text for c in row] for row in grid] == [["a", "m", "b"], ["c", "m", "d"], ["e", "m", "f"]]


@pytest.mark.parametrize(
    ("header", "role"),
    [
        ("Name of Subprocessor", "vendor"),
        ("Set by or on behalf of", "vendor"),
        ("Party setting cookie", "vendor"),
        ("Third party", "vendor"),
        ("Cookie name", "cookie"),
        ("Name of Cookie", "cookie"),
        ("Purpose of cookie", "purpose"),
        ("Description of Processing", "purpose"),
        ("When does the cookie expire?", "expiry"),
        ("When is the cookie set?", "other"),
        ("Type of cookie", "category"),
        ("Privacy Policy", "link"),
        ("More information", "link"),
        ("Websites using the cookies", "site"),
        ("Name", "name"),
        ("Location of Processing", "other"),
    ],
)
def test_column_roles(header: str, role: str) -> None:
    assert column_role(header) == role


@pytest.mark.parametrize(
    "text", ["_ga", "__stripe_mid and __stripe_sid", "muxData", "wp-settings-{id}", "fd_fr"]
)
def test_cookie_like(text: str) -> None:
    assert is_cookie_like(text)


@pytest.mark.parametrize("text", ["Google Analytics", "hCaptcha", "33across", "PowerInBox", "leadforensics"])
def test_not_cookie_like(text: str) -> None:
    assert not is_cookie_like(text)


@pytest.mark.parametrize(
    ("purpose", "vendor"),
    [
        ("This cookie is used by Google Analytics.", "Google Analytics"),
        ("Set by Wistia", "Wistia"),
        ("Used by Disqus plugin", "Disqus"),
        ("It is used to add tracking code from Google Tag Manager", "Google Tag Manager"),
        ("Hotjar. Records sessions.", "Hotjar"),
        ("This cookie is used by Gist when running on a separate host.", None),
        ("This cookie is used by Octolytics, our internal analytics service.", None),
        ("Checks if a request originates from GitHub.", None),
        ("From which Search Engine the page is loaded", None),
        ("Session.", None),
    ],
)
def test_vendor_named_in_purpose(purpose: str, vendor: str | None) -> None:
    assert vendor_named_in(purpose) == vendor


@pytest.mark.parametrize(
    ("label", "vendor"),
    [
        ("Google Analytics cookies", "Google Analytics"),
        ("Cookies set by Hotjar", "Hotjar"),
        ("Essential cookies", None),
        ("Analytics cookies (optional)", None),
        ("Marketing Cookies", None),
        ("Jetpack Comments", None),
    ],
)
def test_vendor_in_label(label: str, vendor: str | None) -> None:
    assert vendor_in_label(label) == vendor


@pytest.mark.parametrize("text", ["Send in Blue", "Fluxx.io", "Amazon Web Services", "hCaptcha"])
def test_looks_like_name(text: str) -> None:
    assert looks_like_name(text)


@pytest.mark.parametrize(
    "text", ["here", "privacy policy", "https://x.test/a", "turn on Do Not Track in your browser"]
)
def test_does_not_look_like_name(text: str) -> None:
    assert not looks_like_name(text)


def test_privacy_link_beats_opt_out_and_home_page() -> None:
    links = [
        Link("https://optout.33across.com", ""),
        Link("https://acme.test/", "Acme"),
        Link("https://acme.test/legal/privacy-policy/", ""),
    ]
    assert choose_privacy_link(links) == "https://acme.test/legal/privacy-policy/"
    assert choose_privacy_link([Link("https://tools.google.com/dlpage/gaoptout", "opt out")]) == ""
    # A lone link in a privacy column is taken even when its URL says nothing about privacy...
    assert (
        choose_privacy_link([Link("https://a.test/info", "")], fallback_to_any=True) == "https://a.test/info"
    )
    # ...but never an opt-out page.
    assert choose_privacy_link([Link("https://a.test/opt-out", "")], fallback_to_any=True) == ""


def test_policy_page_beats_agreement_page() -> None:
    links = [
        Link("https://www.shareasale.com/agreement.cfm", ""),
        Link("https://www.shareasale.com/w3c/policy.html", ""),
    ]
    assert choose_privacy_link(links) == "https://www.shareasale.com/w3c/policy.html"


def test_links_in_cell_text_and_anchors() -> None:
    cell = BeautifulSoup(
        '<td><a href="https://a.test/privacy">https://a.test/privacy</a> and https://b.test/policy.</td>',
        "lxml",
    ).td
    assert [link.url for link in links_in(cell)] == ["https://a.test/privacy", "https://b.test/policy"]


@pytest.mark.parametrize(
    ("name", "url"),
    [
        ("Send in Blue", "https://www.sendinblue.com/legal/privacypolicy/"),
        ("Amazon Web Services", "https://aws.amazon.com/privacy/"),
        ("Github", "https://help.github.com/privacy"),
    ],
)
def test_name_matches_domain(name: str, url: str) -> None:
    assert name_matches_domain(name, url)


def test_name_does_not_match_other_domain() -> None:
    assert not name_matches_domain("Site Stats", "https://en.support.wordpress.com/stats/")
    assert not name_matches_domain("Greenhouse", "https://en.example.com/")


def test_templating_and_front_matter_are_dropped() -> None:
    text = "---\ntitle: X\n---\n# Hi {{ site.name }}\n{% if a %}yes{% endif %}\n{: #anchor }\n"
    assert strip_templating(text).split() == ["#", "Hi", "yes"]
    soup = parse("<div><script>var vendor='Evil'</script><p>ok</p></div>", "html")
    assert "Evil" not in soup.get_text()


def test_cookie_table_grouped_by_vendor_column() -> None:
    text = """
| Cookie name | Party setting cookie | Purpose | Expires |
|---|---|---|---|
| `_ga` | Google | Distinguish users | 2 years |
| `_gid` | Google | Distinguish users | 1 day |
| `__stripe_mid` | Stripe | Fraud prevention | 1 year |
"""
    result = import_policy_text(text)
    assert [(r.name, r.cookies) for r in result.rows] == [
        ("Google", ("_ga", "_gid")),
        ("Stripe", ("__stripe_mid",)),
    ]


def test_cookie_table_grouped_by_caption_and_first_party_table_skipped() -> None:
    header = "<tr><th>Name</th><th>Purpose</th><th>Expires</th></tr>"
    html = f"""<h2>Essential cookies</h2><table><caption>Essential cookies</caption>
    {header}<tr><td>session_id</td><td>Login</td><td>1 day</td></tr>
    </table><table><caption>Matomo cookies</caption>
    {header}<tr><td>_pk_id</td><td>Visitor id</td><td>13 months</td></tr>
    <tr><td>_pk_ses</td><td>Session</td><td>30 minutes</td></tr></table>"""
    result = import_policy_text(html, kind="html")
    assert [(r.name, r.cookies) for r in result.rows] == [("Matomo", ("_pk_id", "_pk_ses"))]
    assert any("Essential cookies" in what for what, _ in result.skipped)


def test_vendor_table_with_cookie_rows_naming_vendor_in_purpose() -> None:
    text = """
| Provider | Purpose | Privacy Policy |
|---|---|---|
| Wistia | Video | https://wistia.com/privacy |
| `muxData` | Set by Wistia | https://wistia.com/privacy |
| `disqus_unique` | Used by Disqus plugin | https://help.disqus.com/privacy-policy |
| `fd_fr` | First referrer | |
"""
    result = import_policy_text(text)
    assert [r.name for r in result.rows] == ["Wistia", "Disqus"]
    assert result.rows[1].privacy_policy == "https://help.disqus.com/privacy-policy"


def test_list_of_linked_vendors_under_subprocessor_heading() -> None:
    text = """# Subprocessors

We use these subprocessors:

* [Amazon Web Services](https://aws.amazon.com/privacy/). Hosting.
* **[Sentry](https://sentry.io/privacy/).** Error reports, see [docs](https://docs.sentry.io/).

## Contact

* [Email us](https://example.test/contact)
"""
    result = import_policy_text(text)
    assert [(r.name, r.purpose, r.privacy_policy) for r in result.rows] == [
        ("Amazon Web Services", "Hosting.", "https://aws.amazon.com/privacy/"),
        ("Sentry", "Error reports, see docs.", "https://sentry.io/privacy/"),
    ]
    assert result.rows[0].source == "list under 'Subprocessors' item 1"


def test_list_under_unrelated_heading_is_ignored() -> None:
    text = (
        "# Our team\n\n"
        "* [Alice Smith](https://alice.test/) — founder\n"
        "* [Bob Jones](https://bob.test/) — CTO\n"
    )
    with pytest.raises(BadInput, match="no recognisable vendor declaration"):
        import_policy_text(text)


def test_cookie_table_under_a_vendor_heading_backed_by_a_link() -> None:
    text = """## Hotjar

We record sessions, see [Hotjar's privacy policy](https://www.hotjar.com/legal/policies/privacy/).

| Cookie | Purpose | Duration |
|---|---|---|
| `_hjSessionUser_*` | Session recording | 1 year |

## Jetpack Comments

| Cookie | Purpose | Duration |
|---|---|---|
| `comment_author_*` | Remembers your name | 1 year |
"""
    result = import_policy_text(text)
    assert [(r.name, r.cookies, r.source) for r in result.rows] == [
        ("Hotjar", ("_hjSessionUser_*",), "table 'Hotjar' row 1")
    ]


def test_colon_list_item_needs_the_vendors_own_privacy_link() -> None:
    text = """## Third-party services

* **Plausible**: visit statistics, see the [privacy policy](https://plausible.io/privacy).
* **Metrics**: we count visits, see [Plausible's policy](https://plausible.io/privacy).
"""
    result = import_policy_text(text)
    assert [(r.name, r.privacy_policy) for r in result.rows] == [
        ("Plausible", "https://plausible.io/privacy")
    ]


def test_prose_section_named_after_a_vendor() -> None:
    text = """## Fathom Analytics

Counts visits without cookies. Read the [privacy policy](https://usefathom.com/privacy).

## EU-US Privacy Shield Compliance

See [the list](https://www.privacyshield.gov/list).
"""
    result = import_policy_text(text)
    assert [(r.name, r.privacy_policy) for r in result.rows] == [
        ("Fathom Analytics", "https://usefathom.com/privacy")
    ]


def test_provider_column_with_the_sites_own_domain_is_first_party() -> None:
    html = """<html><head><link rel="canonical" href="https://www.shopexample.com/cookies"></head><body>
    <table><tr><th>Name</th><th>Provider</th><th>Purpose</th><th>Expiry</th></tr>
    <tr><td>cart</td><td>shopexample.com</td><td>Basket</td><td>Session</td></tr>
    <tr><td>_ga</td><td>google.com</td><td>Statistics</td><td>2 years</td></tr>
    <tr><td>_gid</td><td>google.com</td><td>Statistics</td><td>1 day</td></tr></table></body></html>"""
    result = import_policy_text(html, kind="html")
    assert [(r.name, r.cookies) for r in result.rows] == [("google.com", ("_ga", "_gid"))]


def test_unlinked_names_in_a_we_use_list_and_in_examples() -> None:
    text = """## Metrics

* We measure visits with third party services. We use:
    * Matomo Cloud, which places a cookie on your device.
    * Clarity and Hotjar, each of which records sessions.
    * Other tools from time to time.

Payments go to the named third party vendor (e.g., Adyen, Mollie, Stripe).
Some pages are specific to our services (e.g. Shop, Blog).
"""
    result = import_policy_text(text)
    assert [r.name for r in result.rows] == ["Matomo Cloud", "Clarity", "Hotjar", "Adyen", "Mollie", "Stripe"]
    assert all(r.source.startswith("prose (low confidence)") for r in result.rows)


def test_bare_names_under_a_third_party_heading() -> None:
    text = """## Third-party providers

* Google Analytics
* Hotjar
* Facebook Pixel

## Information we collect

* IP Address
* Email Address
"""
    result = import_policy_text(text)
    assert [(r.name, r.source) for r in result.rows] == [
        ("Google Analytics", "list under 'Third-party providers' item 1"),
        ("Hotjar", "list under 'Third-party providers' item 2"),
        ("Facebook Pixel", "list under 'Third-party providers' item 3"),
    ]


def test_definition_list_of_processors() -> None:
    html = """<h2>Our processors</h2><dl>
    <dt><a href="https://www.mailgun.com/legal/privacy-policy/">Mailgun</a></dt><dd>Sends e-mail.</dd>
    <dt>Bunny.net</dt><dd>CDN. <a href="https://bunny.net/privacy">Privacy</a></dd></dl>"""
    result = import_policy_text(html, kind="html")
    assert [(r.name, r.purpose, r.privacy_policy) for r in result.rows] == [
        ("Mailgun", "Sends e-mail.", "https://www.mailgun.com/legal/privacy-policy/"),
        ("Bunny.net", "CDN. Privacy", "https://bunny.net/privacy"),
    ]
    assert result.counts["list"] == 2


def test_onetrust_style_subgroup_table_and_first_party_marker() -> None:
    html = """<h3>Performance Cookies</h3>
    <table><tr><th>Cookie Subgroup</th><th>Cookies</th><th>Cookies used</th></tr>
    <tr><td><a href="https://policies.google.com/privacy">google-analytics.com</a></td><td>_ga, _gid</td>
    <td>Third Party</td></tr>
    <tr><td>shop-example.com</td><td>session</td><td>First Party</td></tr></table>"""
    result = import_policy_text(html, kind="html")
    assert [(r.name, r.privacy_policy, r.cookies) for r in result.rows] == [
        ("google-analytics.com", "https://policies.google.com/privacy", ("_ga", "_gid"))
    ]


def test_grouped_cookie_rows_keep_the_longest_lifetime() -> None:
    text = """
| Cookie | Set by | Purpose | Expiry |
|---|---|---|---|
| `_gat` | Google | Throttle | Session |
| `_ga` | Google | Distinguish users | 2 years |
| `_gid` | Google | Distinguish users | 24 hours |
| `__cf_bm` | Cloudflare | Bot management | 30 minutes |
"""
    result = import_policy_text(text)
    assert [(r.name, r.cookies, r.lifetime) for r in result.rows] == [
        ("Google", ("_gat", "_ga", "_gid"), "2 years"),
        ("Cloudflare", ("__cf_bm",), "30 minutes"),
    ]


def test_page_chrome_and_comments_are_not_content() -> None:
    soup = parse(
        "<header><a href='https://nav.test/'>Nav Co</a></header><main><header><h1>Cookies</h1></header>"
        "<p>Hello<!-- https://hidden.test/privacy --></p></main><form><p>Inside a form</p></form>"
        "<footer>Footer</footer>",
        "html",
    )
    assert soup.get_text().split() == ["Cookies", "Hello", "Inside", "a", "form"]
    assert links_in(soup.body) == []

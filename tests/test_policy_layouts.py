"""Policy layouts the importer was not tuned on: one heading per vendor with its links, and vendor
tables whose purpose column has a less common header."""

from __future__ import annotations

import pytest

from scanner.policy import import_policy_text
from scanner.policy.names import looks_like_name
from scanner.policy.tables import column_role

SECTIONS = """
# Privacy policy of Example Shop

## Third-party services we use

We work with the following service providers.

### Stripe

Stripe processes card payments for orders placed in our shop.

- [Website](https://stripe.com/)
- [Privacy Policy](https://stripe.com/privacy)
- [Terms of Service](https://stripe.com/legal/ssa)

### Google Analytics

We use Google Analytics to count visits.

- [Website](https://marketingplatform.google.com/about/analytics/)
- [Opt-out](https://tools.google.com/dlpage/gaoptout)
- [Privacy Policy](https://policies.google.com/privacy)

### Mailchimp

Mailchimp sends our newsletter to subscribers.

- [Mailchimp website](https://mailchimp.com/)
- [Mailchimp Privacy Policy](https://www.intuit.com/privacy/statement/)
- [Mailchimp Cookie Statement](https://www.intuit.com/privacy/cookie-statement/)

## Contact

Write to [privacy@example-shop.test](mailto:privacy@example-shop.test).
"""


def _rows(text: str, kind: str = "markdown"):
    return import_policy_text(text, kind=kind).rows


def test_heading_per_vendor_gives_one_row_per_vendor_named_by_the_heading() -> None:
    rows = _rows(SECTIONS)
    assert [row.name for row in rows] == ["Stripe", "Google Analytics", "Mailchimp"]
    assert [row.privacy_policy for row in rows] == [
        "https://stripe.com/privacy",
        "https://policies.google.com/privacy",
        "https://www.intuit.com/privacy/statement/",
    ]
    assert rows[0].purpose == "Stripe processes card payments for orders placed in our shop."
    assert rows[2].purpose == "Mailchimp sends our newsletter to subscribers."
    assert all(row.source == f"section '{row.name}'" for row in rows)


def test_link_texts_in_a_vendor_section_are_never_vendor_names() -> None:
    names = [row.name for row in _rows(SECTIONS)]
    assert not any("Privacy" in name or "Statement" in name or "Website" in name for name in names)


def test_vendor_sections_count_as_structured_not_prose() -> None:
    result = import_policy_text(SECTIONS)
    assert result.counts == {"table": 0, "list": 3, "prose": 0}


def test_html_sections_with_linked_heading_and_inline_links() -> None:
    html = """<html><body><main><h2>Our suppliers</h2>
    <section><h3><a href="https://www.typeform.com/">Typeform</a></h3>
      <p>Typeform runs our feedback surveys.</p>
      <p><a href="https://www.typeform.com/help/privacy/">Privacy policy</a> |
         <a href="https://www.typeform.com/terms/">Terms of use</a></p></section>
    <section><h3>Eventbrite</h3><p>Eventbrite sells the tickets for our events.</p>
      <ul><li><a href="https://www.eventbrite.co.uk/">Website</a></li>
      <li><a href="https://www.eventbrite.co.uk/help/privacy-policy/">Privacy policy</a></li></ul></section>
    </main></body></html>"""
    rows = _rows(html, "html")
    assert [(r.name, r.privacy_policy) for r in rows] == [
        ("Typeform", "https://www.typeform.com/help/privacy/"),
        ("Eventbrite", "https://www.eventbrite.co.uk/help/privacy-policy/"),
    ]
    assert rows[0].purpose == "Typeform runs our feedback surveys."


def test_bold_lines_and_numbered_headings_name_vendors_too() -> None:
    text = """## Processors

**Postmark**

Postmark sends account e-mails.

* [Website](https://postmarkapp.com)
* [Privacy](https://wildbit.com/privacy-policy)

### 2.1 Zendesk

Zendesk hosts our help centre.

* [Zendesk Privacy Notice](https://www.zendesk.com/company/privacy-notice/)
"""
    rows = _rows(text)
    assert [(r.name, r.privacy_policy) for r in rows] == [
        ("Postmark", "https://wildbit.com/privacy-policy"),
        ("Zendesk", "https://www.zendesk.com/company/privacy-notice/"),
    ]


def test_opt_out_only_section_is_a_vendor_without_privacy_link() -> None:
    text = """## Analytics

### Matomo Cloud

Matomo Cloud counts visits without cookies.

- [Website](https://matomo.org/)
- [Opt-out](https://matomo.org/opt-out/)
"""
    rows = _rows(text)
    assert [(r.name, r.privacy_policy) for r in rows] == [("Matomo Cloud", "")]


def test_first_party_topic_and_long_sections_are_not_vendors() -> None:
    text = """# Example Shop privacy

Contact [privacy@example-shop.test](mailto:privacy@example-shop.test).

## Services

### Example Shop Rewards

Our own loyalty scheme.

- [Privacy Policy](https://example-shop.test/privacy)

### Your rights

You may complain to the regulator.

- [Website](https://ico.org.uk/)
- [Privacy notice](https://ico.org.uk/privacy-notice/)

### Stripe

Stripe takes card payments.

- [Privacy Policy](https://stripe.com/privacy)
"""
    rows = _rows(text)
    assert [row.name for row in rows] == ["Stripe"]


def test_section_holding_a_cookie_table_is_left_to_the_table_reader() -> None:
    text = """## Cookies

### Hotjar

We use Hotjar for heatmaps. [Privacy policy](https://www.hotjar.com/legal/policies/privacy/)

| Cookie | Purpose | Expiry |
|---|---|---|
| _hjid | Hotjar visitor id | 1 year |
"""
    rows = _rows(text)
    assert [row.name for row in rows] == ["Hotjar"]
    assert rows[0].source.startswith("table")
    assert rows[0].cookies == ("_hjid",)


TABLE = """# Cookies

## {title}

| Provider | {header} | Privacy policy |
|---|---|---|
| Hotjar | Heatmaps and session recordings | https://www.hotjar.com/legal/policies/privacy/ |
| Vimeo | Video hosting | https://vimeo.com/privacy |
"""


@pytest.mark.parametrize(
    "header",
    [
        "Type of service",
        "Service type",
        "Services provided",
        "Nature of the service",
        "What we use it for",
        "Why we use it",
        "Usage",
        "Role",
        "Category",
        "Details",
    ],
)
def test_table_purpose_comes_from_the_column_not_the_section_title(header: str) -> None:
    rows = _rows(TABLE.format(title="Services on this site", header=header))
    assert [(r.name, r.purpose) for r in rows] == [
        ("Hotjar", "Heatmaps and session recordings"),
        ("Vimeo", "Video hosting"),
    ]


def test_table_without_any_purpose_column_falls_back_to_its_title() -> None:
    text = """## Analytics partners

| Provider | Privacy policy |
|---|---|
| Hotjar | https://www.hotjar.com/legal/policies/privacy/ |
"""
    assert [(r.name, r.purpose) for r in _rows(text)] == [("Hotjar", "Analytics partners")]


@pytest.mark.parametrize(
    ("header", "role"),
    [
        ("Type of service", "purpose"),
        ("Service type", "purpose"),
        ("Services provided", "purpose"),
        ("What we use it for", "purpose"),
        ("What is it for?", "purpose"),
        ("Use case", "purpose"),
        ("Service", "vendor"),
        ("Service provider", "vendor"),
        ("Type", "category"),
        ("Type of cookie", "category"),
        ("Details", "other"),
    ],
)
def test_broader_column_roles(header: str, role: str) -> None:
    assert column_role(header) == role


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("Website", "website"),
        ("Privacy Policy", "privacy policy"),
        ("Mailchimp Privacy Policy", "privacy policy"),
        ("Stripe's privacy policy", "privacy policy"),
        ("Opt-out", "opt-out"),
        ("Data processing addendum", "data processing addendum"),
        ("Stripe", None),
        ("Google Analytics", None),
    ],
)
def test_link_labels(text: str, label: str | None) -> None:
    from scanner.policy.names import link_label

    assert link_label(text) == label


def test_names_ending_in_a_document_label_are_not_names() -> None:
    assert not looks_like_name("Mailchimp Privacy Policy")
    assert not looks_like_name("Zendesk Terms of Service")
    assert looks_like_name("Privacy Badger") and looks_like_name("Mailchimp")

"""Realistic newsletters for the e-mail audit tests, built with the standard library as a sender's software
builds them: multipart/alternative with a quoted-printable text part, a multipart/related HTML part with an
inline (cid:) logo, ESP open pixels and click redirects, nested redirectors, and the recipient's address in
URLs in every form a tracker puts it there."""

from __future__ import annotations

import base64
import hashlib
from email.message import EmailMessage
from email.utils import make_msgid
from urllib.parse import quote

RECIPIENT = "Ann.Reader@Example.org"  # as the sender wrote it in To:
ADDRESS = RECIPIENT.lower()  # what trackers hash: the trimmed, lower-cased address
SENDER = "news@shop-demo.com"
MD5 = hashlib.md5(ADDRESS.encode()).hexdigest()
SHA1 = hashlib.sha1(ADDRESS.encode()).hexdigest()
SHA256 = hashlib.sha256(ADDRESS.encode()).hexdigest()
B64 = base64.urlsafe_b64encode(ADDRESS.encode()).decode().rstrip("=")
URLENC = quote(ADDRESS, safe="")
SUBSCRIBER = "9f1c2e7a44"  # Mailchimp's e= (the subscriber id)
UPN = "u001.Zk9xQ3Bv-bT2nR8wL5yH1cJ7eF0gK4sD6aM"  # SendGrid's per-recipient token
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)

# Each reference of the newsletter's HTML and what the audit must make of it.
MAILCHIMP_PIXEL = (
    f"https://shopdemo.us14.list-manage.com/track/open.php?u=6f0c1d2e3b&id=ab12cd34ef&e={SUBSCRIBER}"
)
MAILCHIMP_CLICK = (
    f"https://shopdemo.us14.list-manage.com/track/click?u=6f0c1d2e3b&id=77aa88bb99&e={SUBSCRIBER}"
)
SAFELINKS = (
    "https://eur01.safelinks.protection.outlook.com/?url="
    + quote(MAILCHIMP_CLICK, safe="")
    + f"&data=05%7C02%7C{URLENC}%7C1a2b3c&sdata=x1y2z3&reserved=0"
)
BRANDED_SENDGRID = f"https://url7733.shop-demo.com/ls/click?upn={UPN}"
PARTNER = f"https://partner-demo.org/welcome?e={URLENC}&utm_source=newsletter"
NESTED = (
    "https://www.google.com/url?q="
    + quote("https://click.redirect-demo.net/r?u=" + quote(PARTNER, safe=""), safe="")
    + "&sa=D&source=editors"
)
HIDDEN_MD5_PIXEL = f"https://px.audience-demo.net/p.gif?h={MD5}&c=1"
SHA256_PIXEL = f"https://match.adsync-demo.com/pixel?em={SHA256}"
SHA1_BACKGROUND = f"https://img.sha-demo.io/bg/{SHA1}.png"
B64_PIXEL = f"https://t.b64-demo.net/o/{B64}/open.gif"
PLAIN_LINK = f"https://survey-demo.com/form?email={ADDRESS}"
CSS_IMPORT = "https://fonts.fontcdn-demo.com/css2?family=Inter"
CSS_BACKGROUND = "https://cdn.shop-demo.com/img/hero-bg.jpg"
FACEBOOK = "https://www.facebook.com/shopdemo"
UNSUBSCRIBE = (
    f"https://shopdemo.us14.list-manage.com/unsubscribe?u=6f0c1d2e3b&id=ab12cd34ef&e={SUBSCRIBER}&c=1"
)


def newsletter_html(logo_cid: str) -> str:
    return f"""<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>Weekly deals</title>
<style>@import url("{CSS_IMPORT}"); .hero {{ background-image: url('{CSS_BACKGROUND}'); }}</style></head>
<body style="margin:0">
<!--[if mso]><v:rect xmlns:v="urn:schemas-microsoft-com:vml" style="width:600px"><v:fill type="tile" src="https://cdn.shop-demo.com/img/vml-bg.png"/></v:rect><![endif]-->
<table width="600"><tr><td class="hero" background="https://cdn.shop-demo.com/img/td-bg.png">
<img src="cid:{logo_cid}" width="200" height="60" alt="Shop Demo">
<h1>Café week: 20 % off</h1>
<p><a href="{SAFELINKS}">See the deals</a> · <a href="{BRANDED_SENDGRID}">Your account</a></p>
<p><a href="{NESTED}">Our partner</a> · <a href="{PLAIN_LINK}">Tell us what you think</a></p>
<p><a href="{FACEBOOK}">Follow us</a> · <a href="mailto:help@shop-demo.com">Help</a></p>
<div style="background: url({SHA1_BACKGROUND}) no-repeat">&nbsp;</div>
</td></tr></table>
<img src="{MAILCHIMP_PIXEL}" height="1" width="1" alt="">
<div style="display: none"><img src="{HIDDEN_MD5_PIXEL}"></div>
<img src="{SHA256_PIXEL}" style="width:0;height:0;border:0">
<img src="{B64_PIXEL}" width="1" height="1">
</body></html>"""


def newsletter(
    *, subject: str = "Café week – 20 % off", to: str = RECIPIENT, html: str | None = None
) -> bytes:
    """A multipart/alternative newsletter (text quoted-printable, HTML multipart/related with a cid: logo)."""
    msg = EmailMessage()
    msg["From"] = f"Shop Demo <{SENDER}>"
    msg["To"] = to
    msg["Subject"] = subject
    msg["Date"] = "Tue, 01 Dec 2026 09:00:00 +0000"
    msg["Message-ID"] = "<20261201090000.1234@shop-demo.com>"
    msg["List-Id"] = "Shop Demo deals <deals.shop-demo.com>"
    msg["List-Unsubscribe"] = f"<{UNSUBSCRIBE}>, <mailto:unsubscribe-{SUBSCRIBER}@shop-demo.com>"
    msg["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    msg["X-Mailer"] = "Mailchimp Mailer - **CID77aa88bb99**"
    msg.set_content(
        f"Café week: 20 % off. See the deals: {MAILCHIMP_CLICK}\nUnsubscribe: {UNSUBSCRIBE}\n",
        cte="quoted-printable",
    )
    logo = make_msgid(domain="shop-demo.com")
    msg.add_alternative(html if html is not None else newsletter_html(logo[1:-1]), subtype="html")
    msg.get_payload()[1].add_related(PNG, "image", "png", cid=logo, filename="logo.png")
    return bytes(msg)


def simple(
    html: str, *, charset: str = "utf-8", cte: str = "8bit", body: bytes | None = None, **headers
) -> bytes:
    """A one-part text/html message written byte by byte (for declared charsets that are wrong)."""
    head = {
        "From": f"Shop Demo <{SENDER}>",
        "To": RECIPIENT,
        "Subject": "Test",
        "MIME-Version": "1.0",
        "Content-Type": f'text/html; charset="{charset}"',
        "Content-Transfer-Encoding": cte,
        **headers,
    }
    raw = "".join(f"{k}: {v}\r\n" for k, v in head.items()).encode("ascii") + b"\r\n"
    return raw + (body if body is not None else html.encode("utf-8"))

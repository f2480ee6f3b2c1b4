"""Is this text a vendor's name, a cookie's name or a generic label? And which vendor does a
sentence name?"""

from __future__ import annotations

import re

# Words that label kinds of cookies or topics, not companies.
_GENERIC_LINES = (
    "essential necessary strictly required analytics analytic analytical performance functional",
    "functionality advertising advertisement advertisements ads marketing targeting targeted preference",
    "preferences session sessions persistent first third party parties first-party third-party our other",
    "others social media security statistics statistical tracking optional these those the a an and or of",
    "for in on to cookie cookies technical operational personalisation personalization customisation",
    "customization experience essentials basic strict unclassified miscellaneous misc general consent",
    "data information services service website websites site sites content sharing share interest",
    "interest-based behavioural behavioral measurement metrics email payment payments support embedded",
    "external video videos plugins plugin widgets widget tools tool providers provider partners partner",
    "vendors vendor processors processor subprocessors subprocessor list table name names purpose",
    "purposes description type category categories more this that we us you your with by from all some",
    "any own internal notes note example examples",
)
GENERIC_WORDS = frozenset(word for line in _GENERIC_LINES for word in line.split())
# Headings with these words are about a topic, not named after a vendor.
TOPIC_WORDS = re.compile(
    r"\b(?:privacy|polic(?:y|ies)|compliance|rights?|laws?|cookies?|data|information|children|security|"
    r"changes?|contact|consent|shield|gdpr|ccpa|how|what|why|who|when|where|your|our|we|us|use)\b",
    re.I,
)
_CONNECTORS = frozenset({"in", "of", "and", "&", "for", "the", "de", "du", "la", "von", "on", "by", "a"})
_GENERIC_PHRASES = re.compile(
    r"^(?:here|click here|this link|link|learn more|read more|more information|more info|details|"
    r"website|web ?site|homepage|home page|privacy|privacy policy|privacy notice|privacy statement|"
    r"cookie policy|cookies policy|terms|terms of (?:use|service)|opt[- ]?out|contact us|see here|"
    r"this page|page|online|policy|policies|faq|help|settings|documentation|blog|source|n/?a|none|"
    r"-+|—|yes|no|unknown|various|all|other|others)$",
    re.I,
)


_ABBREVIATION_END = re.compile(
    r"\b(?:Inc|Ltd|Co|Corp|Ltda|Pty|Jr|Sr|S\.A|N\.V|B\.V|L\.P|S\.L|S\.p\.A|A\.G)\.$", re.I
)


def normalise_name(name: str) -> str:
    """Name as written, without Markdown leftovers, trailing punctuation or surrounding quotes."""
    name = re.sub(r"\s+", " ", name.replace("\u00a0", " ")).strip()
    name = name.strip("*_`\"'“”‘’ ")
    keep_dot = bool(_ABBREVIATION_END.search(name))
    name = re.sub(r"[\s.,:;!?–—-]+$", "", name)
    return name + "." if keep_dot else name.strip()


def name_key(name: str) -> str:
    """Key for de-duplication: case and punctuation insensitive."""
    return re.sub(r"[^0-9a-z]+", "", name.lower())


def is_generic(name: str) -> bool:
    words = re.findall(r"[\w&'’-]+", name.lower())
    if not words:
        return True
    if _GENERIC_PHRASES.match(name.strip()):
        return True
    return all(word.strip("'’") in GENERIC_WORDS for word in words)


def looks_like_url(text: str) -> bool:
    text = text.strip().lower()
    return bool(re.match(r"^(?:https?://|www\.)", text) or re.match(r"^[\w-]+(?:\.[\w-]+)+/", text))


def is_cookie_like(text: str) -> bool:
    """Looks like one or more cookie names (`_ga`, `__stripe_mid and __stripe_sid`, `muxData`,
    `ticket-filter-closed`, `wp-settings-{user_id}`) rather than a company's name."""
    text = text.strip().strip("`")
    if not text:
        return False
    pieces = [p.strip(" `") for p in re.split(r"\s*(?:/|,|;|\band\b|\bor\b)\s*|\s+", text) if p.strip(" `")]
    if not pieces:
        return False
    return all(_one_cookie_like(piece) for piece in pieces)


def _one_cookie_like(token: str) -> bool:
    if re.search(r"[_*{}$=\[\]<>#%]", token) or token.startswith((".", "-")):
        return True
    if re.fullmatch(r"[a-z]{2,}[A-Z][A-Za-z0-9]*", token):  # camelCase: muxData, smToken (not hCaptcha)
        return True
    if re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)+", token):  # lower-case-with-hyphens
        return True
    return bool(re.fullmatch(r"[A-Za-z]{1,3}\d+[A-Za-z0-9]*", token))  # NID1, ab123


# What a link to a vendor's own pages is called: "Website", "Privacy Policy", "Terms of Service",
# "Opt-out", "DPA", ... (optionally after the vendor's name: "Mailchimp Privacy Policy").
_LABEL_CORE = (
    r"(?:official\s+)?(?:web\s?site|home\s?page|site|"
    r"privacy(?:\s+(?:and|&)\s+cookies?)?(?:\s+(?:policy|policies|notice|statement|center|centre|page|"
    r"information|info|terms|faq|shield(?:\s+\w+)?))?|"
    r"cookies?\s+(?:policy|policies|notice|statement|information|info|page|settings|declaration)|"
    r"terms(?:\s+(?:of\s+(?:service|use)|and\s+conditions|&\s+conditions))?|"
    r"legal(?:\s+(?:terms|notice|information|info|page))?|"
    r"opt[- ]?out(?:\s+(?:page|tool|link|plugin|add-on|browser\s+add-on))?|"
    r"(?:data\s+)?(?:processing|protection)\s+(?:agreement|addendum|terms|policy|information|info)|"
    r"dpa|gdpr(?:\s+(?:info|information|page|compliance|center|centre))?|"
    r"security(?:\s+(?:page|information|info))?|trust\s+(?:center|centre)|sub-?processors|"
    r"more\s+info(?:rmation)?|learn\s+more|documentation|compliance)"
)
_LINK_LABEL = re.compile(rf"^(?:(?:the|its|their|read|see|view|visit)\s+)*{_LABEL_CORE}$", re.I)
# Whose page it is, in front of the label: "Mailchimp", "Intuit's", "Google Analytics".
_LABEL_OWNER_WORD = re.compile(r"^[A-Z0-9][\w.&+-]*(?:['’]s)?\s+")
# A "name" that ends with a document label is a link text, not a vendor: "Stripe Privacy Policy".
_ENDS_WITH_DOCUMENT = re.compile(
    r"\S\s+(?:privacy\s+(?:policy|notice|statement)|cookies?\s+(?:policy|notice|statement)|"
    r"terms\s+of\s+(?:service|use)|terms\s+and\s+conditions|opt[- ]?out|"
    r"data\s+processing\s+(?:agreement|addendum))$",
    re.I,
)


def split_link_label(text: str) -> tuple[str, str] | None:
    """(owner, label) of a link to a vendor's own pages: ("Mailchimp", "privacy policy") for
    "Mailchimp's Privacy Policy", ("", "website") for "Website"; None when the text is no such label."""
    text = normalise_name(text)
    rest = text
    for _ in range(5):  # up to four words of the owner's name in front
        if _LINK_LABEL.match(rest):
            owner = re.sub(r"['’]s$", "", text[: len(text) - len(rest)].strip())
            return owner, rest.lower()
        word = _LABEL_OWNER_WORD.match(rest)
        if word is None:
            return None
        rest = rest[word.end() :]
    return None


def link_label(text: str) -> str | None:
    """The label of a link to a vendor's own pages, lower-cased ("privacy policy" for "Mailchimp's
    Privacy Policy", "website" for "Website"), or None when the text is not such a label."""
    split = split_link_label(text)
    return split[1] if split else None


def looks_like_name(text: str, *, max_words: int = 6) -> bool:
    """Could this short text be the name of a company or service (as link text, list label, ...)?"""
    text = normalise_name(text)
    if not text or len(text) > 70 or looks_like_url(text) or "@" in text:
        return False
    if _ENDS_WITH_DOCUMENT.search(text):
        return False
    if not re.match(r"[\w(“\"]", text) or is_generic(text):
        return False
    words = text.split()
    if len(words) > max_words:
        return False
    content = [w for w in words if w.lower() not in _CONNECTORS]
    if not content:
        return False
    for word in content:
        bare = word.strip("()“”\"'’,.:;")
        if not bare:
            continue
        if not re.search(r"[A-Z0-9]", bare) and not re.fullmatch(r"[a-z]+\.[a-z]{2,}", bare):
            return False
    return True


# A capitalised name of up to six words ("Google Tag Manager", "Parse.ly", "Send in Blue").
_NAME_WORD = r"[A-Z0-9][\w&+'’.-]*"
NAME_PATTERN = rf"{_NAME_WORD}(?:\s+(?:(?:in|of|and|&|for|de)\s+)?{_NAME_WORD}){{0,5}}"
# What may follow a vendor named plainly in a cookie's purpose.
_PLAIN_END = re.compile(
    r"^\s*(?:$|[.;!]|\((?:[^)]*)\)\s*[.;]?\s*$|(?:plugin|plug-in|widget|pixel|tag|script|snippet|player|"
    r"sdk|api|integration|button|embed|service|code|tracking)s?\b)",
)
_BY_NAME = re.compile(
    rf"\b(?i:used|set|placed|served|provided|dropped|stored|created|managed|owned|operated|loaded|delivered)"
    rf"\s+(?i:by)\s+(?:the\s+)?(?P<name>{NAME_PATTERN})(?P<after>.*)$",
)
_FROM_NAME = re.compile(
    rf"\b(?i:video|videos|code|content|tracking|cookies?|scripts?|data|ads|pixels?|services?|widgets?|tags?)"
    rf"\s+(?i:from)\s+(?P<name>{NAME_PATTERN})(?P<after>.*)$"
)
_LEAD_NAME = re.compile(rf"^(?P<name>{NAME_PATTERN})\.\s")


def _trim_name(name: str) -> str:
    name = name.rstrip(".'’")
    return name.removesuffix("’s").removesuffix("'s")


def vendor_named_in(text: str) -> str | None:
    """The vendor a cookie's purpose names plainly, e.g. "Set by Wistia", "tracking code from Google
    Tag Manager", "Used by Disqus plugin", "Google Analytics. Gathers ..." (but not "set by Gist when
    running on a separate host": a name followed by more clause is read as a feature, not a vendor)."""
    text = re.sub(r"\s+", " ", text).strip()
    lead = _LEAD_NAME.match(text)
    if lead:
        name = _trim_name(lead.group("name"))
        if len(name) >= 2 and not is_generic(name):
            return name
    for pattern in (_BY_NAME, _FROM_NAME):
        for match in pattern.finditer(text):
            name = _trim_name(match.group("name"))
            after = match.group("after")
            if match.group("name").endswith(".") and not re.search(r"\.\w", match.group("name")):
                after = "." + after
            if len(name) >= 2 and not is_generic(name) and _PLAIN_END.match(after):
                return name
    return None


_COOKIES_OF = re.compile(
    r"^(?:cookies?\s+(?:set|used|placed|dropped)\s+by\s+(?:the\s+)?(?P<a>.+?)|(?P<b>.+?)\s+cookies?)$",
    re.I,
)


def vendor_in_label(label: str) -> str | None:
    """Vendor named by a table caption or heading such as "Google Analytics cookies" or "Cookies set
    by Hotjar"; None for labels of a kind ("Essential cookies", "Analytics cookies (optional)")."""
    label = re.sub(r"\([^)]*\)", " ", label)
    label = normalise_name(label)
    match = _COOKIES_OF.match(label)
    if not match:
        return None
    name = normalise_name(match.group("a") or match.group("b") or "")
    if not name or is_generic(name) or not looks_like_name(name, max_words=5):
        return None
    return name

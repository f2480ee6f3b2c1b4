"""Import a privacy or cookie policy (Markdown, HTML, text or URL) as declared vendors.

``import_policy(source, fetch_html=None) -> PolicyImport`` reads SOURCE (a local file, or an http(s)
URL rendered by the scan browser, or by ``fetch_html`` when given), and returns ``rows``
(``scanner.model.Declared``), ``counts`` per reader and ``skipped`` (what, why) pairs. It raises
``BadInput`` for unreadable files and for policies with no recognisable vendor declaration.

How a policy is read (Markdown is first rendered to HTML with markdown-it-py, so one reader serves
both; YAML front matter, Liquid/Jinja tags and kramdown attribute lines are dropped):

1. Tables (most confident). Column roles come from the header text (vendor: Provider, Partner,
   Service, Subprocessor, Entity, Set by, Party setting cookie, ...; purpose: Purpose, Description,
   Usage, What we use it for, Type of service, Services provided, Role, ...; privacy link; cookie
   name; expiry; category). With no purpose header, a column of descriptions under an unknown
   header ("Details"), else a vendor table's category column, gives the purpose; else the table's
   title. A plain "Name" column names vendors unless its values look like cookie names or the
   table has an expiry column. rowspan/colspan are expanded. Cookie tables are grouped by
   the vendor a column, the caption ("Google Analytics cookies"), the heading above (when the
   section backs it up with a link to that vendor or "we use X") or the purpose text ("Set by
   Wistia", "Google Analytics. Gathers ...") names; rows naming no vendor are skipped.
2. Vendor sections (counted as lists): a heading or bold line naming one vendor (a qualifier in
   parentheses after the name, "Sentry (GDPR Compliant)", is dropped), then a short section (a
   paragraph, links to its pages as a list or inline) whose links are labelled "Website",
   "Privacy Policy", "Terms", "Opt-out", "DPA", ... or lead to the vendor's own domain: one row
   named by the heading, purpose from a "Purpose:" field or the first paragraph mostly in its own
   words (not link text), privacy link from those links. Its link list is not read again as a
   list (link texts are never vendor names; a name ending in "Privacy Policy", "Terms of
   Service", ... is never a name anywhere).
   Lists: items that start with a link ("[Vendor](url). Purpose"), "Vendor — purpose" items,
   "Vendor: text" items that link to that vendor's own privacy page, bare names under a heading
   about third parties/processors/partners, and <dl> lists.
3. Prose (low confidence, marked so in ``source``): sentences that say the site uses a service and
   link to it or to its privacy policy, "the privacy policy for X" and "X's Cookie Policy" links,
   sections named after a vendor with its privacy link, the items of a "We use:" list, and
   bracketed examples after "third party vendor (e.g., A, B)".

First party: the site's own registrable domains (the URL, canonical link, contact e-mail domains,
"our Privacy Policy" links, and a domain holding most links outside tables) and their names are
never vendors. The same vendor named twice is merged (first, most confident mention wins).

Privacy link: among a cell's or item's links, the one that looks most like a privacy page
(privacy > policy/notice/cookie statement > legal/terms/agreement); opt-out pages and home pages
are never chosen; on a tie the first link wins. A lone link in a privacy-policy column is taken
even when its URL says nothing. Only that one link is written to ``privacy_policy`` (e.g. the
seed's Shareasale cell "agreement.cfm, w3c/policy.html" gives the policy page).

CSV (``vendors_csv``): UTF-8, header ``name,purpose,privacy_policy,source`` plus ``cookies``
(';'-separated) when cookie tables gave cookie names; newlines in cells become spaces.
"""

from .csv_out import vendors_csv
from .importer import PolicyImport, import_policy, import_policy_text

__all__ = ["PolicyImport", "import_policy", "import_policy_text", "vendors_csv"]

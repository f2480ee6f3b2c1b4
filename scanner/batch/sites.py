"""The SITES file of ``scanner batch``: which sites a campaign scans, each with its own options.

Two forms, told apart by the first line that is not blank or a ``#`` comment:

- a text file: one URL a line (``example.com`` alone means ``https://example.com/``);
- a CSV whose header has a ``url`` column and optionally ``vendors`` (a vendors.csv), ``policy`` (a
  policy file or URL), ``first_party`` (``;``-separated domains) and ``max_pages``.

Relative paths are resolved against the SITES file's folder, so a campaign folder of lists and
declarations can move as a whole. Anything unusable (a bad URL, a duplicate, a bad number, a missing
vendors file, an unknown column) is :class:`~scanner.errors.BadInput` naming the file and line: a batch of
10,000 sites must not start and fail on line 9,000 an hour later.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from scanner.batch.model import SiteJob
from scanner.domains import ascii_host
from scanner.errors import BadInput
from scanner.textfile import MAX_TEXT_BYTES, read_utf8

COLUMNS = ("url", "vendors", "policy", "first_party", "max_pages")
MAX_URL_LENGTH = 2048
MAX_PAGES_LIMIT = 1_000_000
# A host name as DNS spells it after IDNA (labels of letters, digits, '-' and '_'), or an IPv4 address.
_HOST = re.compile(
    r"^(?=.{1,253}$)([a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?)(\.[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?)*$"
)
_DOMAIN = _HOST


def read_sites(path: str | Path) -> list[SiteJob]:
    """The jobs of the SITES file at ``path``, in file order; BadInput on anything unusable."""
    path = Path(path)
    _, text = read_utf8(path, str(path), MAX_TEXT_BYTES)
    return parse_sites(text, base=path.parent, label=str(path))


def parse_sites(text: str, *, base: Path, label: str = "SITES") -> list[SiteJob]:
    """The jobs of a SITES text (``base``: the folder relative paths are resolved against)."""
    text = text.removeprefix("\ufeff")
    if "\x00" in text:
        raise BadInput(f"{label}: contains NUL bytes; not a text or CSV file")
    first = next((ln for ln in text.splitlines() if ln.strip() and not ln.lstrip().startswith("#")), None)
    if first is None:
        raise BadInput(f"{label}: no site to scan (give one URL a line, or a CSV with a url column)")
    header = [cell.strip().lower() for cell in _csv_row(first)]
    jobs = _parse_csv(text, base, label) if "url" in header else _parse_lines(text, label)
    seen: dict[str, int | None] = {}
    for job in jobs:
        if job.url in seen:
            raise BadInput(f"{label}:{job.line}: {job.url} is listed twice (first on line {seen[job.url]})")
        seen[job.url] = job.line
    return jobs


def _csv_row(line: str) -> list[str]:
    try:
        return next(csv.reader([line]), [])
    except csv.Error:
        return []


def _parse_lines(text: str, label: str) -> list[SiteJob]:
    jobs = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        jobs.append(SiteJob(url=check_url(line, f"{label}:{number}"), line=number))
    return jobs


def _parse_csv(text: str, base: Path, label: str) -> list[SiteJob]:
    lines = io.StringIO(text, newline="")
    # The comment and blank lines before the header are skipped, as in a text SITES file.
    skipped = 0
    while True:
        position = lines.tell()
        line = lines.readline()
        if line.strip() and not line.lstrip().startswith("#"):
            lines.seek(position)
            break
        skipped += 1
    reader = csv.reader(lines, strict=True)
    try:
        header = [cell.strip().lower().replace("-", "_") for cell in next(reader)]
        where = f"{label}:{skipped + 1}"
        unknown = [c for c in header if c not in COLUMNS]
        if unknown:
            raise BadInput(f"{where}: unknown column {unknown[0]!r} (columns: {', '.join(COLUMNS)})")
        twice = sorted({c for c in header if header.count(c) > 1})
        if twice:
            raise BadInput(f"{where}: column {twice[0]!r} appears twice")
        jobs = []
        for row in reader:
            number = skipped + reader.line_num
            if not any(cell.strip() for cell in row) or row[0].lstrip().startswith("#"):
                continue
            if len(row) > len(header):
                raise BadInput(f"{label}:{number}: {len(row)} cells but the header has {len(header)} columns")
            cells = {name: (row[i].strip() if i < len(row) else "") for i, name in enumerate(header)}
            jobs.append(_csv_job(cells, base, f"{label}:{number}", number))
    except csv.Error as exc:
        raise BadInput(f"{label}:{skipped + reader.line_num}: not readable as CSV ({exc})") from None
    return jobs


def _csv_job(cells: dict[str, str], base: Path, where: str, number: int) -> SiteJob:
    if not cells.get("url"):
        raise BadInput(f"{where}: the url cell is empty")
    vendors = cells.get("vendors") or None
    policy = cells.get("policy") or None
    if vendors and policy:
        raise BadInput(f"{where}: give vendors or policy, not both (a site has one declaration)")
    if vendors:
        vendors = str(_existing_file(vendors, base, f"{where}: vendors"))
    if policy and not policy.lower().startswith(("http://", "https://")):
        policy = str(_existing_file(policy, base, f"{where}: policy"))
    elif policy:
        policy = check_url(policy, f"{where}: policy")
    return SiteJob(
        url=check_url(cells["url"], where),
        vendors=vendors,
        policy=policy,
        first_party=_domains(cells.get("first_party", ""), where),
        max_pages=_max_pages(cells.get("max_pages", ""), where),
        line=number,
    )


def _existing_file(text: str, base: Path, where: str) -> Path:
    try:
        path = Path(text).expanduser()
        path = path if path.is_absolute() else base / path
        if not path.is_file():
            raise BadInput(f"{where}: no file {path}")
    except (OSError, ValueError):
        raise BadInput(f"{where}: not a usable file name: {text[:100]!r}") from None
    return path.resolve()


def _domains(text: str, where: str) -> tuple[str, ...]:
    domains = []
    for part in text.split(";"):
        part = part.strip().lower().lstrip(".")
        if not part:
            continue
        if not _DOMAIN.match(_idna(part)):
            raise BadInput(f"{where}: first_party {part[:100]!r} is not a domain name")
        domains.append(part)
    return tuple(dict.fromkeys(domains))


def _max_pages(text: str, where: str) -> int | None:
    if not text:
        return None
    if not re.fullmatch(r"[0-9]{1,7}", text) or not 1 <= int(text) <= MAX_PAGES_LIMIT:
        raise BadInput(f"{where}: max_pages {text[:40]!r} is not a whole number from 1 to {MAX_PAGES_LIMIT}")
    return int(text)


def _idna(host: str) -> str:
    try:
        return ascii_host(host)
    except Exception:  # noqa: BLE001 - any label IDNA cannot take is simply not a host
        return ""


def check_url(text: str, where: str) -> str:
    """The start URL of a site (``example.com`` -> ``https://example.com/``); BadInput when it is not an
    http(s) URL with a host name."""
    text = text.strip()
    shown = text[:100]
    if len(text) > MAX_URL_LENGTH:
        raise BadInput(f"{where}: URL longer than {MAX_URL_LENGTH} characters")
    if any(ch.isspace() or ord(ch) < 32 for ch in text):
        raise BadInput(f"{where}: {shown!r} is not a URL (it contains a space or a control character)")
    if "://" not in text:
        text = "https://" + text
    try:
        parts = urlsplit(text)
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError:
        raise BadInput(f"{where}: {shown!r} is not a URL") from None
    if parts.scheme.lower() not in ("http", "https"):
        raise BadInput(f"{where}: {shown!r}: only http and https sites can be scanned")
    host = parts.hostname or ""
    if not host or not _HOST.match(_idna(host)) or parts.username is not None:
        raise BadInput(f"{where}: {shown!r} has no usable host name")
    netloc = host + (f":{parts.port}" if parts.port is not None else "")
    return urlunsplit((parts.scheme.lower(), netloc, parts.path or "/", parts.query, ""))


def site_slug(url: str) -> str:
    """The site's folder name in the campaign (``sites/<slug>/``): its host, made file-name safe, and a
    short hash of the whole URL, so two start URLs on one host never share a folder."""
    host = _idna(urlsplit(url).hostname or "") or "site"
    host = re.sub(r"[^a-z0-9.-]+", "-", host)[:80].strip(".-") or "site"
    return f"{host}-{hashlib.sha256(url.encode('utf-8', 'surrogatepass')).hexdigest()[:8]}"

"""Catalog layers (JSON documents) and how later layers merge over earlier ones.

A layer is ``{"format": "scanner-catalog/1", "version": ..., "vendors": [entry, ...]}`` (a bare
list of entries is accepted too). An entry names a vendor; when a vendor of that name (or
alias) already exists the entry extends it: lists are united, given scalars replace, and
``"replace": true`` makes the given lists replace instead. ``"absorbs": [names]`` folds
earlier vendors into this one (their names become aliases). A domain listed by an entry is
taken away from every other vendor, so each domain pattern belongs to exactly one vendor.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from scanner.catalog.categories import CATEGORIES, normalize_category
from scanner.catalog.entries import CookieRule, EndpointRule, PathRule, VendorEntry
from scanner.errors import BadInput

_LIST_FIELDS = (
    "categories",
    "aliases",
    "former_names",
    "domains",
    "cookies",
    "storage",
    "endpoints",
    "paths",
    "either",
)
_SCALAR_FIELDS = ("parent", "homepage", "privacy_policy")
_KNOWN_KEYS = {"name", "category", "absorbs", "replace", *_LIST_FIELDS, *_SCALAR_FIELDS}


@dataclass
class Draft:
    name: str
    lists: dict[str, list[Any]] = field(default_factory=lambda: {k: [] for k in _LIST_FIELDS})
    scalars: dict[str, str | None] = field(default_factory=lambda: dict.fromkeys(_SCALAR_FIELDS))
    sources: list[str] = field(default_factory=list)

    def names(self) -> list[str]:
        return [self.name, *self.lists["aliases"], *self.lists["former_names"]]

    def add(self, key: str, values: list[Any]) -> None:
        current = self.lists[key]
        for v in values:
            if v not in current:
                current.append(v)

    def freeze(self) -> VendorEntry:
        cats = tuple(self.lists["categories"]) or ("other",)
        own = self.name.lower()
        return VendorEntry(
            name=self.name,
            categories=cats,
            parent=self.scalars["parent"],
            aliases=tuple(
                a
                for a in self.lists["aliases"]
                if a.lower() != own and a.lower() not in {f.lower() for f in self.lists["former_names"]}
            ),
            former_names=tuple(a for a in self.lists["former_names"] if a.lower() != own),
            domains=tuple(self.lists["domains"]),
            cookies=tuple(self.lists["cookies"]),
            storage=tuple(self.lists["storage"]),
            endpoints=tuple(self.lists["endpoints"]),
            paths=tuple(self.lists["paths"]),
            either=tuple(self.lists["either"]),
            homepage=self.scalars["homepage"],
            privacy_policy=self.scalars["privacy_policy"],
            sources=tuple(self.sources),
        )


class Merger:
    """Applies layer entries in order and yields the merged vendor entries."""

    def __init__(self) -> None:
        self._drafts: list[Draft] = []
        self._by_name: dict[str, Draft] = {}
        self._domain_owner: dict[str, Draft] = {}

    def _index(self, draft: Draft) -> None:
        for n in draft.names():
            self._by_name.setdefault(n.lower(), draft)
        self._by_name[draft.name.lower()] = draft

    def _find(self, name: str) -> Draft | None:
        return self._by_name.get(name.lower())

    def _remove(self, draft: Draft) -> None:
        self._drafts = [d for d in self._drafts if d is not draft]
        self._by_name = {k: v for k, v in self._by_name.items() if v is not draft}
        for dom in draft.lists["domains"]:
            if self._domain_owner.get(dom) is draft:
                del self._domain_owner[dom]

    def apply(self, entry: dict[str, Any], source: str) -> None:
        draft = self._find(entry["name"])
        if draft is None:
            draft = Draft(entry["name"])
            self._drafts.append(draft)
        for other_name in entry.get("absorbs", ()):
            other = self._find(other_name)
            if other is None or other is draft:
                continue
            self._remove(other)
            for key in _LIST_FIELDS:
                draft.add(key, other.lists[key])
            for dom in other.lists["domains"]:
                self._domain_owner[dom] = draft
            draft.add("aliases", [other.name])
            for key in _SCALAR_FIELDS:
                draft.scalars[key] = draft.scalars[key] or other.scalars[key]
            draft.sources.extend(s for s in other.sources if s not in draft.sources)
        for key in _LIST_FIELDS:
            if key in entry:
                if entry.get("replace"):
                    draft.lists[key] = []
                if key == "categories":  # the later layer's first category becomes the primary one
                    draft.lists[key] = [c for c in draft.lists[key] if c not in entry[key]]
                    draft.lists[key][:0] = entry[key]
                else:
                    draft.add(key, entry[key])
        for key in _SCALAR_FIELDS:
            if entry.get(key):
                draft.scalars[key] = entry[key]
        if source not in draft.sources:
            draft.sources.append(source)
        for dom in entry.get("domains", ()):
            owner = self._domain_owner.get(dom)
            if owner is not None and owner is not draft and dom in owner.lists["domains"]:
                owner.lists["domains"].remove(dom)
            self._domain_owner[dom] = draft
        if entry.get("replace") and "domains" in entry:
            for dom, owner in list(self._domain_owner.items()):
                if owner is draft and dom not in draft.lists["domains"]:
                    del self._domain_owner[dom]
        self._index(draft)

    def result(self) -> list[VendorEntry]:
        return [d.freeze() for d in self._drafts]


# ---- reading a layer document -------------------------------------------------------------


def _strings(value: Any, where: str) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise BadInput(f"{where}: expected a list of non-empty strings")
    return [v.strip() for v in value]


def _domain(value: str, where: str) -> str:
    dom = value.strip().lower().rstrip(".")
    bare = dom.removeprefix("*.").lstrip(".")
    if not bare or any(c in bare for c in "/ :*?#@"):
        raise BadInput(f"{where}: {value!r} is not a domain (use example.com or *.example.com)")
    return "*." + bare if dom.startswith(("*.", ".")) else bare


def _category(value: str, where: str) -> str:
    cat = normalize_category(value)
    if cat is None:
        raise BadInput(f"{where}: unknown category {value!r} (known: {', '.join(CATEGORIES)})")
    return cat


def _pattern(value: str, where: str) -> str:
    pattern = value.strip()
    if not pattern.replace("*", ""):
        raise BadInput(f"{where}: pattern {value!r} would match every name")
    return pattern


def _cookie_rule(value: Any, where: str) -> CookieRule:
    if isinstance(value, str) and value.strip():
        return CookieRule(pattern=_pattern(value, where))
    if (
        not isinstance(value, dict)
        or not isinstance(value.get("pattern"), str)
        or not value["pattern"].strip()
    ):
        raise BadInput(f"{where}: a cookie is a name pattern or an object with a 'pattern'")
    if not isinstance(value.get("generic", False), bool):
        raise BadInput(f"{where}: generic must be true or false")
    lifetime = value.get("lifetime_days")
    if lifetime is not None and (isinstance(lifetime, bool) or not isinstance(lifetime, (int, float))):
        raise BadInput(f"{where}: lifetime_days must be a number of days")
    return CookieRule(
        pattern=_pattern(value["pattern"], where),
        domains=tuple(_domain(d, where).removeprefix("*.") for d in _strings(value.get("domains"), where)),
        category=_category(value["category"], where) if value.get("category") else None,
        lifetime_days=float(lifetime) if lifetime is not None else None,
        generic=bool(value.get("generic", False)),
    )


def _endpoint_rule(value: Any, where: str) -> EndpointRule:
    if isinstance(value, str):
        value = {"url": value}
    if not isinstance(value, dict) or not isinstance(value.get("url"), str) or "/" not in value["url"]:
        raise BadInput(f"{where}: an endpoint is an object with a 'url' like 'host.example/path'")
    url = value["url"].strip().removeprefix("https://").removeprefix("http://")
    return EndpointRule(
        url=url,
        beacon=bool(value.get("beacon", False)),
        category=_category(value["category"], where) if value.get("category") else None,
        label=value.get("label") if isinstance(value.get("label"), str) else None,
    )


def _path_rule(value: Any, where: str) -> PathRule:
    if isinstance(value, str):
        value = {"path": value}
    path = value.get("path") if isinstance(value, dict) else None
    name = path.strip().removeprefix("/") if isinstance(path, str) else ""
    if not name.replace("*", "") or "/" in name or "?" in name:
        raise BadInput(f"{where}: a path is the last segment of a URL path, like '/matomo.js'")
    return PathRule(
        name=name,
        beacon=bool(value.get("beacon", False)),
        category=_category(value["category"], where) if value.get("category") else None,
        label=value.get("label") if isinstance(value.get("label"), str) else None,
    )


def parse_entry(raw: Any, where: str) -> dict[str, Any]:
    """Validate one vendor entry of a layer; BadInput names the entry and the problem."""
    if not isinstance(raw, dict):
        raise BadInput(f"{where}: a vendor entry must be a JSON object")
    name = raw.get("name")
    if not isinstance(name, str) or not name.strip():
        raise BadInput(f"{where}: a vendor entry needs a non-empty 'name'")
    where = f"{where} ({' '.join(name.split())[:80]})"
    unknown = set(raw) - _KNOWN_KEYS
    if unknown:
        raise BadInput(f"{where}: unknown field(s) {', '.join(sorted(unknown))}")
    entry: dict[str, Any] = {"name": name.strip(), "replace": bool(raw.get("replace", False))}
    if "categories" in raw or "category" in raw:
        given = _strings(raw.get("category"), where) + _strings(raw.get("categories"), where)
        entry["categories"] = list(dict.fromkeys(_category(c, where) for c in given))
    for key in ("aliases", "former_names", "absorbs", "either"):
        if key in raw:
            entry[key] = _strings(raw[key], f"{where} {key}")
    if "storage" in raw:
        entry["storage"] = [_pattern(p, f"{where} storage") for p in _strings(raw["storage"], where)]
    if "domains" in raw:
        entry["domains"] = [_domain(d, f"{where} domains") for d in _strings(raw["domains"], where)]
    if "cookies" in raw:
        if not isinstance(raw["cookies"], list):
            raise BadInput(f"{where}: 'cookies' must be a list")
        entry["cookies"] = [_cookie_rule(c, f"{where} cookies") for c in raw["cookies"]]
    if "endpoints" in raw:
        if not isinstance(raw["endpoints"], list):
            raise BadInput(f"{where}: 'endpoints' must be a list")
        entry["endpoints"] = [_endpoint_rule(e, f"{where} endpoints") for e in raw["endpoints"]]
    if "paths" in raw:
        if not isinstance(raw["paths"], list):
            raise BadInput(f"{where}: 'paths' must be a list")
        entry["paths"] = [_path_rule(e, f"{where} paths") for e in raw["paths"]]
    for key in _SCALAR_FIELDS:
        if raw.get(key) is not None:
            if not isinstance(raw[key], str):
                raise BadInput(f"{where}: '{key}' must be a string")
            entry[key] = raw[key].strip() or None
    return entry


def parse_layer(doc: Any, where: str) -> tuple[str | None, list[dict[str, Any]]]:
    """(version, entries) of a layer document."""
    if isinstance(doc, list):
        vendors, version = doc, None
    elif isinstance(doc, dict) and isinstance(doc.get("vendors"), list):
        vendors, version = doc["vendors"], doc.get("version")
    else:
        raise BadInput(f"{where}: expected a JSON object with a 'vendors' list (or a list of vendors)")
    entries = [parse_entry(raw, f"{where}: vendor #{i + 1}") for i, raw in enumerate(vendors)]
    return (str(version) if version is not None else None), entries

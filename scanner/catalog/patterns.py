"""Name patterns with "*" wildcards (cookie names, storage keys), matched most specific first."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Generic, TypeVar

T = TypeVar("T")


def glob_regex(pattern: str, *, anchored_end: bool = True) -> re.Pattern[str]:
    """'_ga_*' -> ^_ga_.*$ ; only '*' is special, everything else is literal."""
    body = ".*".join(re.escape(part) for part in pattern.split("*"))
    return re.compile("^" + body + ("$" if anchored_end else ""), re.DOTALL)


def specificity(pattern: str) -> int:
    """Number of literal characters: longer literal = more specific."""
    return len(pattern.replace("*", ""))


class NamePatternIndex(Generic[T]):
    """Exact names in a dict; wildcard patterns bucketed by their literal prefix's first char."""

    def __init__(self, items: Iterable[tuple[str, T]]) -> None:
        self._exact: dict[str, list[T]] = {}
        wild: list[tuple[int, int, str, re.Pattern[str], T]] = []
        for order, (pattern, payload) in enumerate(items):
            if "*" not in pattern:
                self._exact.setdefault(pattern, []).append(payload)
            else:
                wild.append((-specificity(pattern), order, pattern, glob_regex(pattern), payload))
        wild.sort(key=lambda w: (w[0], w[1]))
        self._by_first: dict[str, list[tuple[str, re.Pattern[str], T]]] = {}
        self._leading_star: list[tuple[str, re.Pattern[str], T]] = []
        for _, _, pattern, rx, payload in wild:
            if pattern.startswith("*"):
                self._leading_star.append((pattern, rx, payload))
            else:
                self._by_first.setdefault(pattern[0], []).append((pattern, rx, payload))

    def lookup(self, name: str) -> list[tuple[str, T]]:
        """All (pattern, payload) matching name: exact first, then wildcards, most specific first."""
        found = [(name, p) for p in self._exact.get(name, ())]
        if name:
            for pattern, rx, payload in self._by_first.get(name[0], ()):
                if rx.match(name):
                    found.append((pattern, payload))
        for pattern, rx, payload in self._leading_star:
            if rx.match(name):
                found.append((pattern, payload))
        return found

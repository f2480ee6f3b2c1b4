"""Keeping secrets out of what the scanner says: messages are scrubbed of every secret value they could
hold (passwords typed from the environment, values a login script read from its ``env``)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping

MIN_SECRET = 3  # shorter values would blank out ordinary words; such a password is no secret anyway
HIDDEN = "[hidden]"


def redact(text: str, secrets: Iterable[str]) -> str:
    """``text`` with every occurrence of each secret (longest first) replaced by ``[hidden]``."""
    for secret in sorted(
        {s for s in secrets if isinstance(s, str) and len(s) >= MIN_SECRET}, key=len, reverse=True
    ):
        text = text.replace(secret, HIDDEN)
    return text


class WatchedEnv(Mapping[str, str]):
    """The environment as a login script sees it (``env``): reads are noted, so the values it read can be
    kept out of any message about the script."""

    def __init__(self, environ: Mapping[str, str]) -> None:
        self._environ = dict(environ)
        self.read: set[str] = set()

    def __getitem__(self, name: str) -> str:
        value = self._environ[name]
        self.read.add(name)
        return value

    def __iter__(self) -> Iterator[str]:
        return iter(self._environ)

    def __len__(self) -> int:
        return len(self._environ)

    def __repr__(self) -> str:
        return f"<environment: {len(self._environ)} variables>"

    def secrets(self) -> list[str]:
        return [self._environ[name] for name in self.read if name in self._environ]

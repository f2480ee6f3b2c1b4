"""The scan options of a campaign, and what ``scanner batch --resume`` does with them.

A campaign keeps the ``scanner scan`` options it was begun with (the job table's ``scan_tokens``). They
are of two kinds:

- **campaign options** shape its results: the declaration, scope and limits, consent and behaviour
  audits, what the browser presents, the login, the formats and the gate (``--waivers``, ``--fail-on``,
  ``--warn-on``, ...). Every site of a campaign is judged by the same ones: a resume that gives none
  keeps the campaign's, one that gives them must give the same (in meaning: ``--fail-on a,b`` is
  ``--fail-on b --fail-on a``), else it is refused with one line (exit 2) rather than silently judging
  the rest of the sites otherwise;
- **run options** (:data:`RUN_DESTS`) only say how this machine runs the scans (browser, its flags,
  timeouts, parallelism, screenshots, logging): a resume that gives some uses its own, one that gives
  none keeps the campaign's.
"""

from __future__ import annotations

import json
from typing import Any

from scanner.errors import BadInput

# (dest, command-line words) of each scan option, in command-line order
ScanTokens = list[tuple[str, list[str]]]

RUN_DESTS = frozenset(
    {
        "browser",
        "browser_arg",
        "concurrency",
        "debug",
        "ignore_https_errors",
        "no_screenshots",
        "settle",
        "timeout",
    }
)


def split(tokens: ScanTokens) -> tuple[ScanTokens, ScanTokens]:
    """(campaign options, run options) of ``tokens``, each in command-line order."""
    campaign = [(d, list(w)) for d, w in tokens if d not in RUN_DESTS]
    return campaign, [(d, list(w)) for d, w in tokens if d in RUN_DESTS]


def meaning(tokens: ScanTokens) -> dict[str, Any]:
    """What the campaign options of ``tokens`` mean, as `scanner scan` reads them: {dest: value} for each
    one whose value is not the default (lists sorted, statuses and formats normalised)."""
    from scanner.commands.batch import scan_parser

    parser = scan_parser()
    words = [w for dest, ws in tokens if dest not in RUN_DESTS for w in ws]
    try:
        given = parser.parse_args(["https://batch.invalid/", *words])
    except SystemExit:  # argparse printed why
        raise BadInput("the campaign's saved scan options are not valid for this scanner scan") from None
    default = parser.parse_args(["https://batch.invalid/"])
    out = {}
    for dest, value in vars(given).items():
        if dest in RUN_DESTS or dest in ("urls",):
            continue
        mine, usual = _canonical(dest, value), _canonical(dest, getattr(default, dest, None))
        if mine != usual:
            out[dest] = mine
    return out


def _canonical(dest: str, value: Any) -> Any:
    from scanner.gate import normalise_fail_on, normalise_warn_on
    from scanner.report import parse_formats

    if dest == "fail_on":
        return sorted(normalise_fail_on(value))
    if dest == "warn_on":
        return sorted(normalise_warn_on(value))
    if dest == "format":
        return sorted(set(parse_formats(value)))
    if isinstance(value, list | tuple):
        return sorted(str(v) for v in value)
    return json.loads(json.dumps(value, default=str))


def resume_tokens(saved: ScanTokens, given: ScanTokens | None) -> ScanTokens:
    """The scan options of a resumed campaign begun with ``saved``, resumed with ``given`` (None or []:
    none): the campaign options are the saved ones (BadInput when ``given`` names others), the run
    options the resume's own when it gives any, else the saved ones."""
    saved_campaign, saved_run = split(saved)
    given_campaign, given_run = split(given or [])
    if given_campaign:
        then, now = meaning(saved_campaign), meaning(given_campaign)
        if then != now:
            raise BadInput(_difference(then, now))
    return [*saved_campaign, *(given_run or saved_run)]


def _difference(then: dict[str, Any], now: dict[str, Any]) -> str:
    def shown(dest: str, values: dict[str, Any]) -> str:
        if dest not in values:
            return "the default"
        value = values[dest]
        text = ",".join(map(str, value)) if isinstance(value, list) else str(value)
        text = "given" if value is True else text
        return text if len(text) <= 80 else text[:79] + "…"

    changed = sorted(d for d in {*then, *now} if then.get(d) != now.get(d))
    parts = [
        f"--{d.replace('_', '-')} ({shown(d, then)} when it began, {shown(d, now)} now)" for d in changed
    ]
    return (
        "--resume: this campaign's sites are judged with the options it began with, and this command "
        f"changes {'; '.join(parts)}: give the same options, or none to keep the campaign's"
    )

"""`scanner init [DIR]`: a starter scanner.toml (every option of `scanner scan`, commented out, with its
default from the parser) and a starter vendors.csv, then the next steps.

An existing file is kept (and said so) unless ``--force`` replaces it; a file is created exclusively, so
two runs at once never write into each other.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from scanner.errors import BadInput

CONFIGURABLE = False  # a config file setting --force would overwrite files nobody asked to replace

# Options of `scanner scan` written at the top level of scanner.toml: they mean the same wherever they
# are (report, demo, batch). Not --format: `scanner history trend --format` is another matter.
SHARED = ("vendors", "policy", "declared-from", "catalog", "fail-on", "warn-on", "baseline", "waivers")
LEFT_OUT = {"resume"}  # continues one interrupted scan: a command-line matter
HELP_WIDTH = 72
GROUP_TITLES = {"options": "general", "optional arguments": "general"}


def examples() -> dict[str, object]:
    """Values shown for options whose parser default is None (their effective default lives in code)."""
    from scanner.gate import DEFAULT_FAIL_ON
    from scanner.report import DEFAULT_FORMATS

    return {
        "fail_on": list(DEFAULT_FAIL_ON),
        "format": ",".join(DEFAULT_FORMATS),
        "locale": "en-US",
        "timezone": "Europe/Berlin",
        "concurrency": 4,
        "browser": "/usr/bin/chromium",
        "user_agent": "Mozilla/5.0 (compatible; site-audit)",
        "out": "reports/site",
        "baseline": "main-scan/scan.json",
        "history": "scan-history.sqlite",
        "policy": "https://www.example.com/privacy",
    }


STARTER_VENDORS = (
    "name,purpose,privacy_policy,category,domains,cookies,lifetime\n"
    "Google Analytics,Example row: statistics about visits and where visitors come from,"
    "https://policies.google.com/privacy,analytics,google-analytics.com;googletagmanager.com,_ga;_ga_*,"
    "2 years\n"
    "Hotjar,Example row: replace these rows with the vendors your site declares,"
    "https://www.hotjar.com/legal/policies/privacy/,,,,\n"
)


def add_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    p = sub.add_parser(
        "init",
        help="write a starter scanner.toml and vendors.csv",
        description="Write a starter scanner.toml (every option of `scanner scan`, commented out, with "
        "its default) and a starter vendors.csv (the header and two example rows) into DIR, and print "
        "the next steps. Existing files are kept unless --force.",
    )
    p.add_argument(
        "dir", nargs="?", default=".", metavar="DIR", help="where (default: here; created if missing)"
    )
    p.add_argument("--force", action="store_true", help="replace scanner.toml and vendors.csv if they exist")
    return p


def run(args: argparse.Namespace) -> int:
    from scanner.config import CONFIG_NAME, PYPROJECT, read_config

    folder = Path(args.dir)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise BadInput(f"{folder}: cannot create the folder ({err.strerror or err})") from None
    if not folder.is_dir():
        raise BadInput(f"{folder}: not a folder")
    files = {
        CONFIG_NAME: (starter_config(), "settings: every option commented out, with its default"),
        "vendors.csv": (STARTER_VENDORS, "declared vendors: two example rows to replace with your own"),
    }
    for name, (text, what) in files.items():
        path = folder / name
        if write(path, text, force=args.force):
            print(f"wrote {path} ({what})")
        else:
            print(f"kept {path}: it exists (--force replaces it)")
    pyproject = folder / PYPROJECT
    try:
        has_table = pyproject.is_file() and read_config(pyproject) is not None
    except BadInput:
        has_table = False
    if has_table:
        print(
            f"note: {pyproject} has a [tool.scanner] table; {CONFIG_NAME} wins over it (move its "
            f"settings into {CONFIG_NAME} or delete {CONFIG_NAME})",
            file=sys.stderr,
        )
    print(next_steps(folder))
    return 0


def write(path: Path, text: str, *, force: bool) -> bool:
    """Write ``text`` to ``path``; False (nothing written) when it exists and not ``force``."""
    from scanner.safe_write import write_atomic

    try:
        if force:
            write_atomic(path, text)
            return True
        with open(path, "x", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
        return True
    except FileExistsError:
        return False
    except OSError as err:
        raise BadInput(f"{path}: cannot write ({err.strerror or err})") from None


def next_steps(folder: Path) -> str:
    here = folder.resolve() == Path.cwd().resolve()
    scan = "scanner scan https://www.your-site.example/"
    if not here:
        scan = f"cd {folder} && {scan}"
    return "\n".join(
        [
            "next steps:",
            "  1. list the vendors your site declares in vendors.csv (see README: Declared vendors), or",
            "     import them from your privacy policy: scanner policy import URL -o vendors.csv",
            f"  2. {scan}",
            "     (it reads scanner.toml in the current folder; `scanner config scan` shows the settings)",
            "  3. shell completion: scanner completion bash|zsh|tcsh (see README: Configuration)",
        ]
    )


# ---- the starter scanner.toml ----------------------------------------------------------------------


def starter_config() -> str:
    """scanner.toml text from the parser of `scanner scan`: shared options at the top level, the rest
    in [scan], grouped as in `scanner scan --help`; only ``vendors`` is set."""
    from scanner.cli import build_parser
    from scanner.config import command_tree, option_key, options

    scan = command_tree(build_parser())[("scan",)]
    keys = {action: key for key, (action, _) in options(scan).items()}
    lines = [
        "# scanner.toml: settings of the tracker audit `scanner` for this site (written by `scanner init`).",
        "#",
        "# A key is a command-line option without its dashes: max-pages = 5 is --max-pages 5; a switch",
        "# takes true or false, an option that can be repeated a list (or one value).",
        "# Keys at the top apply to every command that has the option; a [scan], [report], [batch] ...",
        "# table applies to that command only. The command line wins, then SCANNER_<OPTION> environment",
        "# variables (SCANNER_MAX_PAGES=5), then this file, then the defaults shown below.",
        "# Relative paths are relative to this file's folder.",
        "# `scanner config scan` shows the settings in effect and where each comes from.",
        "",
        "# What the site declares: compared with what the scan observes (README: Declared vendors).",
    ]
    shared = [a for a in keys if keys[a] in SHARED]
    shared.sort(key=lambda a: SHARED.index(keys[a]))
    for action in shared:
        lines.append(entry(keys[action], action, active=keys[action] == "vendors"))
    lines += ["", "[scan]"]
    for group in scan._action_groups:
        members = [a for a in group._group_actions if a in keys and a not in shared]
        members = [a for a in members if keys[a] not in LEFT_OUT]
        if not members:
            continue
        lines += ["", f"# {GROUP_TITLES.get(group.title, group.title)}"]
        lines += [entry(keys[a], a) for a in members]
    lines += [
        "",
        "# [report], [demo], [batch], [history] ... take the options of those commands",
        "# (scanner COMMAND --help); a key at the top applies to all of them.",
        "",
    ]
    assert all(option_key(k) == k for k in keys.values())
    return "\n".join(lines)


def entry(key: str, action: argparse.Action, *, active: bool = False) -> str:
    """One option: ``# key = default   # help`` (``active``: not commented out, vendors.csv)."""
    value = '"vendors.csv"' if active else toml_value(default_of(action))
    assignment = f"{'' if active else '# '}{key} = {value}"
    return f"{assignment:<36}  # {short_help(action)}"


def default_of(action: argparse.Action) -> object:
    if action.nargs == 0:
        return bool(action.default) if isinstance(action.default, bool) else False
    if action.default is not None and action.default is not argparse.SUPPRESS:
        return action.default
    known = examples()
    if action.dest in known:
        return known[action.dest]
    if action.choices:
        return next(iter(action.choices))
    return (action.metavar or action.dest.upper()).strip("[]")


def toml_value(value: object) -> str:
    """A TOML literal for a default: bool, number, text or a list of them."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    return json.dumps(str(value), ensure_ascii=False)


def short_help(action: argparse.Action) -> str:
    text = " ".join((action.help or "").replace("%%", "%").split())
    text = text.split("; ")[0]
    if len(text) > HELP_WIDTH:
        text = text[: HELP_WIDTH - 4].rsplit(" ", 1)[0]
        if text.count("(") > text.count(")"):  # no half of a parenthesis
            text = text[: text.rindex("(")].rstrip()
        text += " ..."
    return text or action.dest.replace("_", " ")

"""Settings from scanner.toml / pyproject.toml [tool.scanner] and SCANNER_* variables (scanner/config.py),
checked against the real parser of `scanner`: where the file is found, what wins over what, how values
are converted and where relative paths point, and that every bad file, key, value or variable is one
BadInput line (exit 2), never a traceback (Hypothesis: arbitrary TOML documents and variables)."""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import string
import tempfile
from pathlib import Path

import pytest
from conftest import REPO
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from scanner.cli import build_parser, main
from scanner.config import (
    check_all,
    command_tree,
    find_config,
    leaf_commands,
    options,
    parse_args,
    parse_toml,
    read_config,
)
from scanner.errors import BadInput

URL = "https://www.example.com/"
TREE = command_tree(build_parser())
OPTION_KEYS = sorted({key for path in leaf_commands(TREE) for key in options(TREE[path])})
COMMAND_NAMES = sorted({name for path in TREE for name in path})


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def parse(argv, *, cwd, env=None):
    """``scanner ARGV`` parsed in ``cwd`` with only ``env`` as the environment."""
    return parse_args(build_parser(), list(argv), environ=env or {}, cwd=cwd)


def scan_args(tmp_path, toml: str, *extra: str, env=None, name="scanner.toml"):
    write(tmp_path, name, toml)
    return parse(["scan", URL, *extra], cwd=tmp_path, env=env)


def bad(tmp_path, toml: str, *argv: str, env=None) -> str:
    write(tmp_path, "scanner.toml", toml)
    with pytest.raises(BadInput) as err:
        parse(argv or ["scan", URL], cwd=tmp_path, env=env)
    message = str(err.value)
    assert "\n" not in message
    return message


# ---- finding the file -----------------------------------------------------------------------------


def test_scanner_toml_in_the_current_folder(tmp_path):
    args = scan_args(tmp_path, "max-pages = 7\n")
    assert args.max_pages == 7


def test_pyproject_tool_scanner_table(tmp_path):
    write(tmp_path, "pyproject.toml", '[project]\nname = "site"\n\n[tool.scanner.scan]\nmax-depth = 1\n')
    assert parse(["scan", URL], cwd=tmp_path).max_depth == 1


def test_pyproject_without_the_table_is_no_config(tmp_path):
    write(tmp_path, "pyproject.toml", '[project]\nname = "site"\n[tool.other]\nx = 1\n')
    assert find_config(cwd=tmp_path, environ={}) is None
    assert parse(["scan", URL], cwd=tmp_path).max_pages == 50


def test_scanner_toml_wins_over_pyproject_and_says_so(tmp_path, capsys):
    write(tmp_path, "pyproject.toml", "[tool.scanner]\nmax-pages = 3\n")
    write(tmp_path, "scanner.toml", "max-pages = 4\n")
    assert parse(["scan", URL], cwd=tmp_path).max_pages == 4
    warning = capsys.readouterr().err
    assert "scanner.toml is used, [tool.scanner] is ignored" in warning


def test_no_warning_when_pyproject_has_no_table(tmp_path, capsys):
    write(tmp_path, "pyproject.toml", '[project]\nname = "x"\n')
    write(tmp_path, "scanner.toml", "max-pages = 4\n")
    parse(["scan", URL], cwd=tmp_path)
    assert capsys.readouterr().err == ""


def test_explicit_config_and_scanner_config_variable(tmp_path):
    write(tmp_path, "scanner.toml", "max-pages = 4\n")
    ci = tmp_path / "ci"
    ci.mkdir()
    write(ci, "audit.toml", "max-pages = 5\n")
    write(ci, "pyproject.toml", "[tool.scanner]\nmax-pages = 6\n")
    assert parse(["--config", "ci/audit.toml", "scan", URL], cwd=tmp_path).max_pages == 5
    assert parse(["--config=ci/pyproject.toml", "scan", URL], cwd=tmp_path).max_pages == 6
    env = {"SCANNER_CONFIG": "ci/audit.toml"}
    assert parse(["scan", URL], cwd=tmp_path, env=env).max_pages == 5
    # --config wins over the variable
    assert parse(["--config", "ci/pyproject.toml", "scan", URL], cwd=tmp_path, env=env).max_pages == 6


def test_no_config_reads_neither_file_nor_variables(tmp_path):
    write(tmp_path, "scanner.toml", "max-pages = 4\n")
    args = parse(["--no-config", "scan", URL], cwd=tmp_path, env={"SCANNER_MAX_DEPTH": "1"})
    assert (args.max_pages, args.max_depth) == (50, 3)


def test_missing_or_invalid_files(tmp_path):
    with pytest.raises(BadInput, match=r"^--config nope.toml: cannot read"):
        parse(["--config", "nope.toml", "scan", URL], cwd=tmp_path)
    with pytest.raises(BadInput, match=r"^SCANNER_CONFIG=gone.toml: cannot read"):
        parse(["scan", URL], cwd=tmp_path, env={"SCANNER_CONFIG": "gone.toml"})
    assert "scanner.toml: not valid TOML" in bad(tmp_path, "max-pages = = 3\n")
    (tmp_path / "scanner.toml").write_bytes(b"a = 1\nb = '\xff'\n")
    with pytest.raises(BadInput, match=r"^scanner.toml:2: not UTF-8"):
        parse(["scan", URL], cwd=tmp_path)
    assert "nested too deeply" in bad(tmp_path, "a = " + "[" * 3000 + "]" * 3000 + "\n")
    assert "not valid TOML" in bad(tmp_path, "a = " + "1" * 5000 + "\n")
    write(tmp_path, "scanner.toml", "")
    write(tmp_path, "pyproject.toml", "[tool]\nscanner = 3\n")
    with pytest.raises(BadInput, match=r"tool.scanner must be a table"):
        parse(["--config", "pyproject.toml", "scan", URL], cwd=tmp_path)


# ---- precedence ---------------------------------------------------------------------------------


def test_command_line_then_variable_then_table_then_top_level(tmp_path):
    toml = "max-pages = 2\nmax-depth = 1\nsettle = 0.5\n[scan]\nmax-pages = 3\nmax_depth = 2\n"
    env = {"SCANNER_MAX_PAGES": "4"}
    args = scan_args(tmp_path, toml, env=env)
    assert (args.max_pages, args.max_depth, args.settle) == (4, 2, 0.5)
    args = scan_args(tmp_path, toml, "--max-pages", "9", "--settle=1", env=env)
    assert (args.max_pages, args.settle) == (9, 1.0)
    assert scan_args(tmp_path, toml).max_pages == 3


def test_a_repeatable_option_from_the_command_line_replaces_the_configured_list(tmp_path):
    toml = 'fail-on = ["undeclared", "mismatch"]\nbrowser-arg = ["--a=1", "--b"]\ncatalog = "extra.json"\n'
    args = scan_args(tmp_path, toml)
    assert args.fail_on == ["undeclared", "mismatch"]
    assert args.browser_arg == ["--a=1", "--b"]
    assert args.catalog == [str(tmp_path / "extra.json")]
    args = scan_args(tmp_path, toml, "--fail-on", "none", "--browser-arg=--c")
    assert (args.fail_on, args.browser_arg) == (["none"], ["--c"])
    # one value a line in a variable
    args = scan_args(tmp_path, toml, env={"SCANNER_BROWSER_ARG": "--x\n--y=1,2\n", "SCANNER_FAIL_ON": "none"})
    assert (args.browser_arg, args.fail_on) == (["--x", "--y=1,2"], ["none"])


def test_switches(tmp_path):
    toml = "[scan]\nno-sitemap = true\ngpc = false\nquiet = true\n"
    args = scan_args(tmp_path, toml, env={"SCANNER_NO_SCREENSHOTS": "Yes", "SCANNER_QUIET": "off"})
    assert (args.no_sitemap, args.gpc, args.no_screenshots, args.quiet) == (True, False, True, False)


def test_choices_and_types_are_the_options_own(tmp_path):
    args = scan_args(
        tmp_path, 'consent = "reject"\ntimeout = 12\nlocale = "de-DE"\ntimezone = "Europe/Paris"\n'
    )
    assert (args.consent, args.timeout, args.locale, args.timezone) == (
        "reject",
        12.0,
        "de-DE",
        "Europe/Paris",
    )
    assert isinstance(args.timeout, float)


def test_top_level_keys_apply_to_every_command_that_has_the_option(tmp_path):
    toml = 'vendors = "v.csv"\nfail-on = "mismatch"\nmax-pages = 5\n[report]\nfail-on = "none"\n'
    write(tmp_path, "scanner.toml", toml)
    report = parse(["report", "scan.json"], cwd=tmp_path)
    assert (report.vendors, report.fail_on) == (str(tmp_path / "v.csv"), ["none"])
    assert not hasattr(report, "max_pages")
    demo = parse(["demo"], cwd=tmp_path)
    assert (demo.max_pages, demo.fail_on) == ("5", ["mismatch"])  # demo's --max-pages takes text
    history = parse(["history", "scans"], cwd=tmp_path)
    assert history.db is None


def test_nested_command_tables(tmp_path):
    write(tmp_path, "scanner.toml", '[history]\ndb = "h.sqlite"\n[history.trend]\nformat = "csv"\n')
    trend = parse(["history", "trend", "--site", "example.com"], cwd=tmp_path)
    assert (trend.db, trend.format) == (str(tmp_path / "h.sqlite"), "csv")
    compare = parse(["history", "compare", "1", "2"], cwd=tmp_path)
    assert (compare.db, compare.format) == (str(tmp_path / "h.sqlite"), "table")
    write(tmp_path, "scanner.toml", '[policy.import]\noutput = "-"\ntimeout = 5\n')
    imported = parse(["policy", "import", "p.md"], cwd=tmp_path)
    assert (imported.output, imported.timeout) == ("-", 5.0)


def test_a_required_option_can_come_from_the_file_or_a_variable(tmp_path):
    write(tmp_path, "scanner.toml", '[history.trend]\nsite = "example.com"\n')
    assert parse(["history", "trend"], cwd=tmp_path).site == "example.com"
    write(tmp_path, "scanner.toml", "")
    assert parse(["history", "trend"], cwd=tmp_path, env={"SCANNER_SITE": "a.example"}).site == "a.example"
    with pytest.raises(SystemExit):  # neither: argparse's own usage error
        parse(["history", "trend"], cwd=tmp_path)


def test_batch_out_from_the_file(tmp_path):
    write(tmp_path, "scanner.toml", '[batch]\nout = "campaign"\n')
    assert parse(["batch", "sites.txt"], cwd=tmp_path).out == str(tmp_path / "campaign")


def test_options_of_any_kind_a_command_may_add(tmp_path):
    """The mapping knows no option by name: a parser with kinds scanner's own do not use yet."""
    from scanner.config import Parser

    class Upper(argparse.Action):
        def __call__(self, parser, namespace, values, option_string=None):
            namespace.seen = [*getattr(namespace, "seen", []), values.upper()]

    root = Parser(prog="scanner", allow_abbrev=False)
    root.add_argument("--config", dest="config_file")
    sub = root.add_subparsers(dest="command")
    p = sub.add_parser("new")
    p.add_argument("--colour", action=argparse.BooleanOptionalAction, default=True)
    p.add_argument("--no-cache", dest="cache", action="store_false")
    p.add_argument("--tags", nargs="+", action="extend", type=int, default=[])
    p.add_argument("--level", action="count", default=0)
    p.add_argument("--shout", action=Upper)
    p.add_argument("--mode", type=str.lower, choices=("a", "b"))
    write(
        tmp_path,
        "scanner.toml",
        '[new]\ncolour = false\nno-cache = true\ntags = [1, "2"]\nshout = ["x", "y"]\n',
    )
    args = parse_args(
        root, ["new", "--mode", "A"], environ={"SCANNER_LEVEL": "true", "SCANNER_MODE": "b"}, cwd=tmp_path
    )
    assert (args.colour, args.cache, args.tags, args.level, args.seen, args.mode) == (
        False,
        False,
        [1, 2],
        1,
        ["X", "Y"],
        "a",
    )
    write(tmp_path, "scanner.toml", "[new]\nno-colour = true\ntags = 3\n")
    with pytest.raises(BadInput, match=r"tags = 3: expected a list of values"):
        parse_args(root, ["new"], environ={}, cwd=tmp_path)
    write(tmp_path, "scanner.toml", '[new]\nno-colour = true\nmode = "C"\n')  # the same parser again
    with pytest.raises(BadInput, match=r'mode = "C": allowed: a, b \(scanner new\)'):
        parse_args(root, ["new"], environ={}, cwd=tmp_path)


def test_batch_passes_configured_scan_options_on_to_every_site(tmp_path):
    toml = 'max-pages = 4\nvendors = "v.csv"\nfail-on = ["undeclared", "mismatch"]\ngpc = true\n'
    toml += "[batch]\nworkers = 2\n"
    write(tmp_path, "scanner.toml", toml)
    args = parse(["batch", "sites.txt", "--out", "c", "--max-pages", "2"], cwd=tmp_path)
    assert args.workers == 2
    tokens = dict.fromkeys(dest for dest, _ in args.scan_tokens)
    assert set(tokens) == {"max_pages", "vendors", "fail_on", "gpc"}
    assert ("max_pages", ["--max-pages", "2"]) in args.scan_tokens  # the command line's, not the file's
    assert ("max_pages", ["--max-pages", "4"]) not in args.scan_tokens
    assert ("vendors", ["--vendors", str(tmp_path / "v.csv")]) in args.scan_tokens
    assert [w for d, w in args.scan_tokens if d == "fail_on"] == [
        ["--fail-on", "undeclared"],
        ["--fail-on", "mismatch"],
    ]
    assert ("gpc", ["--gpc"]) in args.scan_tokens


def test_exclusive_options(tmp_path):
    # the command line's --policy makes the configured vendors go away, as would typing both
    args = scan_args(tmp_path, 'vendors = "v.csv"\n', "--policy", "p.md")
    assert (args.vendors, args.policy) == (None, "p.md")
    # a stronger source wins over a weaker one for the partner option
    args = scan_args(tmp_path, 'vendors = "v.csv"\n', env={"SCANNER_DECLARED_FROM": "cmp"})
    assert (args.vendors, args.declared_from) == (None, "cmp")
    args = scan_args(tmp_path, 'vendors = "v.csv"\n[scan]\npolicy = "p.md"\n')
    assert (args.vendors, args.policy) == (None, str(tmp_path / "p.md"))
    message = bad(tmp_path, 'vendors = "v.csv"\npolicy = "p.md"\n')
    assert message == "scanner.toml: vendors and policy cannot be used together (scanner scan)"


# ---- paths ----------------------------------------------------------------------------------------


def test_relative_paths_are_relative_to_the_config_files_folder(tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    write(
        site,
        "audit.toml",
        '[scan]\nvendors = "vendors.csv"\nout = "../reports/x"\nbaseline = "/abs/scan.json"\n'
        'browser = "chromium"\nhistory = "~/h.sqlite"\n'
        '[report]\npolicy = "https://www.example.com/privacy"\n',
    )
    args = parse(["--config", "site/audit.toml", "scan", URL], cwd=tmp_path)
    assert args.vendors == str(site / "vendors.csv")
    assert args.out == str(site / "../reports/x")
    assert args.baseline == "/abs/scan.json"
    assert args.browser == "chromium"  # a command name, looked up in PATH
    assert args.history == str(Path("~/h.sqlite").expanduser())
    assert parse(["--config", "site/audit.toml", "report", "x"], cwd=tmp_path).policy.startswith("https://")
    write(site, "audit.toml", '[scan]\nbrowser = "bin/chrome"\npolicy = "privacy.md"\n')
    args = parse(["--config", "site/audit.toml", "scan", URL], cwd=tmp_path)
    assert (args.browser, args.policy) == (str(site / "bin/chrome"), str(site / "privacy.md"))
    # a variable's relative path is the shell's: relative to the current folder, as typed
    args = parse(["--config", "site/audit.toml", "scan", URL], cwd=tmp_path, env={"SCANNER_VENDORS": "v.csv"})
    assert args.vendors == "v.csv"


def test_the_options_treated_as_paths():
    """The explicit list: every option whose value names a file or folder, and no other."""
    named = set()
    for path in leaf_commands(TREE):
        for action, _ in options(TREE[path]).values():
            if action.metavar in ("DIR", "FILE", "CSV", "PATH", "OLD_SCAN_JSON", "CAMPAIGN", "SOURCE"):
                named.add(action.dest)
    from scanner.config import PATH_DESTS

    assert named == PATH_DESTS


# ---- bad keys and values ------------------------------------------------------------------------


def test_unknown_key_names_the_file_the_key_and_the_known_ones(tmp_path):
    message = bad(tmp_path, "[scan]\nmax-page = 3\n")
    assert message.startswith("scanner.toml [scan]: unknown key max-page (did you mean max-pages?): ")
    assert "max-pages" in message and "browser-arg" in message
    message = bad(tmp_path, "[tool.scanner]\nmax-pages = 3\n")  # a pyproject table in scanner.toml
    assert message.startswith("scanner.toml: unknown table [tool]: the commands of scanner are ")
    assert "history" in message and "init" not in message
    assert bad(tmp_path, "[history.trnd]\nsite = 'x'\n").startswith(
        "scanner.toml [history]: unknown table [trnd]"
    )
    assert bad(tmp_path, "scan = 3\n").startswith("scanner.toml: scan must be a table ([scan])")
    assert "unknown key force" in bad(tmp_path, "force = true\n")  # init's: not configurable
    assert "unknown key urls" in bad(tmp_path, '[scan]\nurls = ["https://x/"]\n')  # arguments are not options


def test_pyproject_messages_name_the_table(tmp_path):
    write(tmp_path, "pyproject.toml", "[tool.scanner.scan]\nmax-pages = 0\n")
    with pytest.raises(BadInput) as err:
        parse(["scan", URL], cwd=tmp_path)
    assert str(err.value) == (
        "pyproject.toml [tool.scanner.scan]: max-pages = 0: must be at least 1: 0 (scanner scan)"
    )


@pytest.mark.parametrize(
    ("toml", "expected"),
    [
        (
            "[scan]\nmax-pages = 0\n",
            "scanner.toml [scan]: max-pages = 0: must be at least 1: 0 (scanner scan)",
        ),
        ('consent = "maybe"\n', 'consent = "maybe": allowed: auto, none, accept, reject, all, off'),
        ('max-pages = "many"\n', "max-pages = \"many\": not a whole number: 'many'"),
        ("max-pages = 2.5\n", "max-pages = 2.5: not a whole number"),
        ("max-pages = true\n", "max-pages = true: expected text or a number, not true/false"),
        ("max-pages = [1, 2]\n", "max-pages = [1, 2]: expected one value, not a list"),
        ("max-pages = {a = 1}\n", "expected text or a number, not a table"),
        ('gpc = "yes"\n', 'gpc = "yes": expected true or false'),
        ("fail-on = [[1]]\n", "expected text or a number, not a list"),
        ('timezone = "Mars/Base"\n', "not an IANA time zone"),
        ("max-pages = 3\nmax_pages = 4\n", "scanner.toml: max-pages and max_pages are the same option"),
        ("timeout = nan\n", "timeout = NaN: out of range"),
    ],
)
def test_bad_values(tmp_path, toml, expected):
    assert expected in bad(tmp_path, toml)


def test_bad_variables(tmp_path):
    message = bad(tmp_path, "", env={"SCANNER_MAX_PAGES": "0"})
    assert message == 'SCANNER_MAX_PAGES="0": must be at least 1: 0 (scanner scan --max-pages)'
    assert "expected true or false" in bad(tmp_path, "", env={"SCANNER_GPC": "maybe"})
    assert "allowed: on, off" in bad(tmp_path, "", env={"SCANNER_BEHAVIOUR": "auto"})


def test_a_value_is_checked_for_the_command_that_uses_it(tmp_path):
    """A top-level list suits scan and report (--format can be repeated) but not demo (one text)."""
    write(tmp_path, "scanner.toml", 'format = ["json", "md"]\n')
    assert parse(["scan", URL], cwd=tmp_path).format == ["json", "md"]
    with pytest.raises(
        BadInput, match=r'format = \["json", "md"\]: expected one value, not a list \(scanner demo\)'
    ):
        parse(["demo"], cwd=tmp_path)


def test_reserved_variables_keep_their_meaning(tmp_path):
    args = parse(["scan", URL], cwd=tmp_path, env={"SCANNER_DEBUG": "1", "SCANNER_HISTORY": "h.sqlite"})
    assert (args.debug, args.history) == (False, None)
    assert parse(["scan", URL], cwd=tmp_path, env={"SCANNER_MAX_PAGES": ""}).max_pages == 50  # empty: unset


def test_commands_that_opt_out_read_nothing(tmp_path):
    write(tmp_path, "scanner.toml", "this is not toml")
    args = parse(["init", "x"], cwd=tmp_path, env={"SCANNER_FORCE": "1"})
    assert args.force is False
    assert parse(["completion", "bash"], cwd=tmp_path).shell == "bash"
    with pytest.raises(BadInput, match="not valid TOML"):
        parse(["scan", URL], cwd=tmp_path)


def test_main_reports_a_bad_config_in_one_line(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    write(tmp_path, "scanner.toml", "[scan]\nmax-pages = -1\n")
    assert main(["scan", URL]) == 2
    err = capsys.readouterr().err
    assert (
        err == "scanner: error: scanner.toml [scan]: max-pages = -1: must be at least 1: -1 (scanner scan)\n"
    )


def test_config_command_shows_values_sources_and_variables(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    for name in [n for n in os.environ if n.startswith("SCANNER_")]:
        monkeypatch.delenv(name)
    write(tmp_path, "scanner.toml", 'fail-on = "none"\n[scan]\nmax-pages = 1\n')
    monkeypatch.setenv("SCANNER_USER_AGENT", "secret-token-ua")
    monkeypatch.setenv("SCANNER_MAXPAGES", "3")
    assert main(["config", "scan"]) == 0
    out = capsys.readouterr().out
    rows = {line.split()[0]: line.split() for line in out.splitlines() if line.startswith("  --")}
    assert rows["--max-pages"][1:] == ["1", "scanner.toml", "[scan]", "SCANNER_MAX_PAGES"]
    assert rows["--fail-on"][1:] == ['"none"', "scanner.toml", "SCANNER_FAIL_ON"]
    assert rows["--max-depth"][1:] == ["3", "default", "SCANNER_MAX_DEPTH"]
    assert rows["--debug"][-1] == "-"  # SCANNER_DEBUG keeps its own meaning
    assert "secret-token-ua" not in out and "(not shown)" in out
    assert "ignored (no option of any command has this name): SCANNER_MAXPAGES" in out
    assert main(["config"]) == 0  # every command: only what is set
    out = capsys.readouterr().out
    assert "scanner report\n  --fail-on" in out and "--max-depth" not in out
    write(tmp_path, "scanner.toml", "[report]\nmax-pages = 1\n")
    assert main(["config"]) == 2
    assert "unknown key max-pages" in capsys.readouterr().err


# ---- Hypothesis: no input ends in a traceback ---------------------------------------------------

TEXT = st.text(st.characters(max_codepoint=0xFFFF, blacklist_categories=("Cs",)), max_size=20)
# Mostly the parser's own keys and command names, so that values get as far as their conversion.
KEYS = st.one_of(
    st.sampled_from(OPTION_KEYS),
    st.sampled_from(OPTION_KEYS).map(lambda k: k.replace("-", "_")),
    st.sampled_from(OPTION_KEYS),
    st.sampled_from(COMMAND_NAMES),
    TEXT.filter(bool),
)
SCALARS = st.one_of(
    st.booleans(),
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.floats(),
    TEXT,
    st.sampled_from(["auto", "none", "undeclared,mismatch", "vendors.csv", "1", "0", "-", "https://x/", "~"]),
    st.dates(),
    st.datetimes(),
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(KEYS, inner, max_size=3),
    max_leaves=8,
)


def plausible(key: str):
    """Values the option may well accept (its choices, default, true/false), and anything else."""
    good: list = ["1", 2, "x.csv", "undeclared,mismatch"]
    for path in leaf_commands(TREE):
        action = options(TREE[path]).get(key, (None,))[0]
        if action is None:
            continue
        good += [True, False] if action.nargs == 0 else list(action.choices or ())
        if isinstance(action.default, (int, float, str)) and action.default is not argparse.SUPPRESS:
            good.append(action.default)
    return st.one_of(st.sampled_from(good), st.lists(st.sampled_from(good), max_size=2), VALUES)


SETTINGS = st.lists(
    st.sampled_from(OPTION_KEYS).flatmap(lambda k: st.tuples(st.just(k), plausible(k))), max_size=4
)
TABLE = st.builds(dict, SETTINGS) | st.dictionaries(KEYS, VALUES, max_size=4)
DOCUMENTS = st.builds(
    lambda top, tables: {**top, **tables},
    TABLE,
    st.dictionaries(st.sampled_from(COMMAND_NAMES), TABLE, max_size=2),
)


def toml_text(value) -> str:
    """A TOML literal (tables inline) for a value of the kinds tomllib returns."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return (
            "nan"
            if math.isnan(value)
            else ("inf" if value > 0 else "-inf")
            if math.isinf(value)
            else repr(value)
        )
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return json.dumps(value).replace("\x7f", "\\u007f")
    if isinstance(value, list):
        return "[" + ", ".join(toml_text(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{toml_text(k)} = {toml_text(v)}" for k, v in value.items()) + "}"
    return value.isoformat()  # date, datetime


def toml_document(doc: dict) -> str:
    return "".join(f"{toml_text(k)} = {toml_text(v)}\n" for k, v in doc.items())


def loads_or_bad_input(text: str, env: dict[str, str]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        (Path(folder) / "scanner.toml").write_text(text, encoding="utf-8")
        try:
            config = read_config(Path(folder) / "scanner.toml", "scanner.toml")
            check_all(TREE, config, env)
            event("valid settings")
        except BadInput as err:
            assert "\n" not in str(err)
            event("BadInput")
        for argv in (["scan", URL], ["history", "trend"]):  # check_all has checked every other command
            try:
                args = parse(argv, cwd=folder, env=env)
            except BadInput as err:
                assert "\n" not in str(err)
            except SystemExit:  # a required option still missing: argparse's usage error
                assert argv[0] == "history"
            else:
                assert isinstance(args, argparse.Namespace)


@settings(max_examples=100, suppress_health_check=[HealthCheck.too_slow])
@given(DOCUMENTS)
def test_any_toml_document_is_settings_or_one_bad_input_line(doc):
    text = toml_document(doc)
    assert parse_toml(text, "t") is not None  # the generator writes valid TOML
    loads_or_bad_input(text, {})


@settings(max_examples=50, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(alphabet=string.printable + "[]{}=\"'#\u00e9\u2028", max_size=200))
def test_any_text_is_settings_or_one_bad_input_line(text):
    loads_or_bad_input(text, {})


@settings(max_examples=50, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.dictionaries(
        st.sampled_from(OPTION_KEYS).map(lambda k: "SCANNER_" + k.upper().replace("-", "_")),
        st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=30),
        max_size=5,
    )
)
def test_any_variables_are_settings_or_one_bad_input_line(env):
    loads_or_bad_input("", env)


def test_the_readme_example_is_valid(tmp_path):
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Configuration") :]
    example = re.search(r"```toml\n(.*?)```", section, re.S).group(1)
    write(tmp_path, "scanner.toml", example)
    check_all(TREE, read_config(tmp_path / "scanner.toml"), {})
    args = parse(["scan", URL], cwd=tmp_path)
    assert (args.max_pages, args.fail_on, args.vendors) == (
        20,
        ["undeclared", "mismatch"],
        str(tmp_path / "vendors.csv"),
    )
    assert parse(["history", "trend", "--site", "x"], cwd=tmp_path).format == "csv"

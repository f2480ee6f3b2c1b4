"""`scanner init [DIR]`: the starter scanner.toml and vendors.csv load cleanly (every commented option,
uncommented alone, is valid; the defaults are the parser's), existing files are kept without --force,
and end to end on the fake internet: a scan obeys the edited starter config (max-pages 1, fail-on none,
relative paths from the file's folder) and the command line overrides it (and a SCANNER_ variable)."""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys

import pytest
from conftest import REPO, run_cli

from scanner.catalog import load_catalog
from scanner.cli import build_parser, main
from scanner.commands.init import LEFT_OUT, SHARED
from scanner.config import check_all, command_tree, options, parse_args, parse_toml, read_config
from scanner.declared import load_declared_csv, resolve_declared
from scanner.errors import BadInput

TREE = command_tree(build_parser())
SCAN_OPTIONS = options(TREE[("scan",)])
COMMENTED = re.compile(r"^# ([a-z-]+) = (.*?)\s{2,}# ", re.M)


@pytest.fixture
def init(tmp_path, monkeypatch, capsys):
    """Run `scanner init ARGS` in tmp_path; returns (exit code, stdout, stderr)."""
    monkeypatch.chdir(tmp_path)

    def run(*args: str):
        code = main(["init", *args])
        out = capsys.readouterr()
        return code, out.out, out.err

    return run


def test_writes_both_files_and_the_next_steps(init, tmp_path):
    code, out, _ = init()
    assert code == 0
    assert f"wrote {os.path.join('.', 'scanner.toml')}" in out or "wrote scanner.toml" in out
    assert "vendors.csv" in out and "next steps:" in out
    assert "scanner scan https://" in out and "scanner policy import URL -o vendors.csv" in out
    assert {p.name for p in tmp_path.iterdir()} == {"scanner.toml", "vendors.csv"}


def test_keeps_existing_files_unless_forced(init, tmp_path):
    (tmp_path / "site").mkdir()
    (tmp_path / "site" / "vendors.csv").write_text("name\nMine\n", encoding="utf-8")
    code, out, _ = init("site")
    assert code == 0
    assert "kept site/vendors.csv: it exists (--force replaces it)" in out
    assert "wrote site/scanner.toml" in out and "cd site && scanner scan" in out
    assert (tmp_path / "site" / "vendors.csv").read_text(encoding="utf-8") == "name\nMine\n"
    (tmp_path / "site" / "scanner.toml").write_text("# mine\n", encoding="utf-8")
    code, out, _ = init("site")
    assert out.count("kept ") == 2
    assert (tmp_path / "site" / "scanner.toml").read_text(encoding="utf-8") == "# mine\n"
    code, out, _ = init("site", "--force")
    assert code == 0 and out.count("wrote ") == 2
    assert load_declared_csv(tmp_path / "site" / "vendors.csv")[0].name == "Google Analytics"


def test_creates_the_folder_and_refuses_a_file(init, tmp_path):
    assert init("a/b/c")[0] == 0
    assert (tmp_path / "a/b/c/scanner.toml").is_file()
    (tmp_path / "plain").write_text("x", encoding="utf-8")
    code, _, err = init("plain")
    assert code == 2 and err.startswith("scanner: error: plain: ") and err.count("\n") == 1


def test_notes_a_pyproject_table_that_scanner_toml_will_win_over(init, tmp_path):
    (tmp_path / "pyproject.toml").write_text("[tool.scanner]\nmax-pages = 3\n", encoding="utf-8")
    code, _, err = init()
    assert code == 0 and "has a [tool.scanner] table; scanner.toml wins over it" in err


def test_init_ignores_a_broken_config_and_the_environment(init, tmp_path, monkeypatch):
    (tmp_path / "scanner.toml").write_text("not toml at all", encoding="utf-8")
    monkeypatch.setenv("SCANNER_FORCE", "1")
    code, out, _ = init()
    assert code == 0 and "kept scanner.toml" in out
    assert (tmp_path / "scanner.toml").read_text(encoding="utf-8") == "not toml at all"


# ---- the files load cleanly -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def starter(tmp_path_factory):
    folder = tmp_path_factory.mktemp("starter")
    proc = subprocess.run(
        [sys.executable, "-m", "scanner", "init", str(folder)], capture_output=True, text=True, cwd=REPO
    )
    assert proc.returncode == 0, proc.stderr
    return folder


def test_the_starter_config_loads_for_every_command(starter):
    config = read_config(starter / "scanner.toml")
    check_all(TREE, config, {})
    assert config.table == {"vendors": "vendors.csv", "scan": {}}
    args = parse_args(build_parser(), ["scan", "https://x.example/"], environ={}, cwd=starter)
    assert args.vendors == str(starter / "vendors.csv")
    report = parse_args(build_parser(), ["report", "x"], environ={}, cwd=starter)
    assert report.vendors == str(starter / "vendors.csv")


def test_the_starter_config_lists_every_scan_option_with_the_parsers_default(starter):
    text = (starter / "scanner.toml").read_text(encoding="utf-8")
    written = dict(COMMENTED.findall(text))
    assert set(written) | {"vendors"} == set(SCAN_OPTIONS) - LEFT_OUT
    top, _, scan_table = text.partition("\n[scan]\n")
    assert {k for k in written if f"# {k} = " in top} == set(SHARED) - {"vendors"}
    for key, literal in written.items():
        action = SCAN_OPTIONS[key][0]
        value = parse_toml(f"v = {literal}", key)["v"]
        if action.default is not None and action.default is not argparse.SUPPRESS:
            assert value == action.default, key


def test_every_commented_option_uncommented_alone_is_valid(starter, tmp_path):
    text = (starter / "scanner.toml").read_text(encoding="utf-8")
    lines = text.splitlines(keepends=True)
    exclusive = {"policy", "declared-from"}  # instead of vendors: at the same level they would clash
    tried = 0
    for i, line in enumerate(lines):
        match = COMMENTED.match(line)
        if not match:
            continue
        edited = list(lines)
        edited[i] = line.removeprefix("# ")
        if match.group(1) in exclusive:
            edited = [ln for ln in edited if not ln.startswith("vendors = ")]
        (tmp_path / "scanner.toml").write_text("".join(edited), encoding="utf-8")
        check_all(TREE, read_config(tmp_path / "scanner.toml"), {})
        args = parse_args(build_parser(), ["scan", "https://x.example/"], environ={}, cwd=tmp_path)
        assert getattr(args, SCAN_OPTIONS[match.group(1)][0].dest) is not None
        tried += 1
    assert tried == len(set(SCAN_OPTIONS) - LEFT_OUT) - 1


def test_the_starter_vendors_parse_and_resolve_to_catalog_vendors(starter):
    rows = load_declared_csv(starter / "vendors.csv")
    assert [r.name for r in rows] == ["Google Analytics", "Hotjar"]
    assert rows[0].domains and rows[0].cookies and rows[0].category == "analytics"
    resolved = resolve_declared(rows, load_catalog())
    assert all(r.vendor and r.resolution != "unresolved" for r in resolved), resolved


def test_bad_starter_folder_is_one_line():
    with pytest.raises(BadInput):
        from scanner.commands.init import write

        write(REPO / "no-such-folder" / "x" / "scanner.toml", "", force=False)


# ---- end to end: a scan on the fake internet obeys the starter config, the command line wins ----------


def edit(path, **values) -> None:
    """Uncomment ``# key = ...`` lines of a starter scanner.toml with new values (TOML literals)."""
    text = path.read_text(encoding="utf-8")
    for key, literal in values.items():
        key = key.replace("_", "-")
        text, n = re.subn(rf"^# {re.escape(key)} = .*$", f"{key} = {literal}", text, count=1, flags=re.M)
        assert n == 1, key
    path.write_text(text, encoding="utf-8")


def scanner(*args: str, cwd, env=None, timeout=180) -> subprocess.CompletedProcess:
    """The CLI from ``cwd``, with none of the test environment's SCANNER_* variables but ``env``'s."""
    unset: dict[str, str | None] = {k: None for k in os.environ if k.startswith("SCANNER_")}
    proc = run_cli(*args, cwd=cwd, env=unset | (env or {}), timeout=timeout)
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc


@pytest.fixture(scope="module")
def configured_site(demo_net, tmp_path_factory):
    """A folder set up by `scanner init` and edited for a quick, offline scan of the demo shop."""
    root = tmp_path_factory.mktemp("e2e")
    (root / "site").mkdir()
    (root / "elsewhere").mkdir()
    assert scanner("init", "site", cwd=root).returncode == 0
    edit(
        root / "site" / "scanner.toml",
        fail_on='"none"',
        format='"json"',
        max_pages="1",
        out='"../reports/first"',
        no_sitemap="true",
        settle="0.3",
        no_screenshots="true",
        quiet="true",
        consent='"off"',
        timeout="10.0",
        ignore_https_errors="true",
        browser_arg=json.dumps(demo_net.chromium_args()),
    )
    return root


def scan_json(folder):
    return json.loads((folder / "scan.json").read_text(encoding="utf-8"))


def test_a_scan_obeys_the_config_and_the_command_line_overrides_it(configured_site):
    root = configured_site
    url = "https://www.example.com/"
    proc = scanner("--config", "../site/scanner.toml", "scan", url, cwd=root / "elsewhere")
    assert proc.returncode == 0, proc.stdout + proc.stderr  # fail-on none: not gated
    first = scan_json(root / "reports" / "first")  # out, relative to the config file's folder
    assert len(first["pages"]) == 1
    assert first["meta"]["declared_source"] == str(root / "site" / "vendors.csv")
    assert {d["name"] for d in first["declared"]} == {"Google Analytics", "Hotjar"}
    assert any(f["status"] == "undeclared" for f in first["findings"])

    proc = scanner(
        "--config",
        "../site/scanner.toml",
        "scan",
        url,
        "--max-pages",
        "2",
        "--fail-on",
        "undeclared",
        "--out",
        "second",
        cwd=root / "elsewhere",
        env={"SCANNER_MAX_PAGES": "3"},
    )
    assert proc.returncode == 1, proc.stdout + proc.stderr  # the command line's gate
    second = scan_json(root / "elsewhere" / "second")
    assert len(second["pages"]) == 2  # the command line's --max-pages, over the variable and the file
    assert second["meta"]["declared_source"] == str(root / "site" / "vendors.csv")

"""`scanner completion bash|zsh|tcsh`: the scripts shtab makes from the parser. The bash script is
checked by bash (`bash -n`) and then run the way bash runs it on <Tab>: it completes the commands,
the options, an option's choices and file names."""

from __future__ import annotations

import os
import shlex
import subprocess
import sys

import pytest
from conftest import REPO

from scanner.cli import COMMANDS

BASH = "/bin/bash" if os.path.exists("/bin/bash") else "bash"


def completion(shell: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "scanner", "completion", shell],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=60,
    )


@pytest.fixture(scope="module")
def bash_script(tmp_path_factory):
    proc = completion("bash")
    assert proc.returncode == 0, proc.stderr
    path = tmp_path_factory.mktemp("completion") / "scanner.bash"
    path.write_text(proc.stdout, encoding="utf-8")
    return path


def complete(script, line: str, cwd=None) -> list[str]:
    """What bash offers for ``line`` (the cursor at its end), through the script's own function."""
    words = shlex.split(line) + ([""] if line.endswith(" ") else [])
    program = (
        f"source {shlex.quote(str(script))}\n"
        f"COMP_WORDS=({' '.join(shlex.quote(w) for w in words)})\n"
        f"COMP_CWORD={len(words) - 1}\nCOMP_LINE={shlex.quote(line)}\nCOMP_POINT=${{#COMP_LINE}}\n"
        "_shtab_scanner\nprintf '%s\\n' \"${COMPREPLY[@]}\"\n"
    )
    proc = subprocess.run([BASH, "-c", program], capture_output=True, text=True, cwd=cwd, timeout=30)
    assert proc.returncode == 0, proc.stderr
    return [w for w in proc.stdout.splitlines() if w]


def test_bash_accepts_the_script_and_it_names_commands_and_options(bash_script):
    check = subprocess.run([BASH, "-n", str(bash_script)], capture_output=True, text=True)
    assert check.returncode == 0, check.stderr
    text = bash_script.read_text(encoding="utf-8")
    assert "complete " in text and "--fail-on" in text and "--max-pages" in text
    for command in COMMANDS:
        assert command in text


def test_bash_completes_commands_options_choices_and_files(bash_script, tmp_path):
    assert complete(bash_script, "scanner sc") == ["scan"]
    assert set(complete(bash_script, "scanner ")) >= set(COMMANDS)
    assert complete(bash_script, "scanner scan --fail") == ["--fail-on"]
    assert complete(bash_script, "scanner report --base") == ["--baseline"]
    assert complete(bash_script, "scanner scan --consent ") == [
        "auto",
        "none",
        "accept",
        "reject",
        "all",
        "off",
    ]
    assert complete(bash_script, "scanner completion ") == ["bash", "zsh", "tcsh"]
    assert complete(bash_script, "scanner --con") == ["--config"]
    (tmp_path / "vendors.csv").write_text("name\n", encoding="utf-8")
    assert complete(bash_script, "scanner scan --vendors ven", cwd=tmp_path) == ["vendors.csv"]


@pytest.mark.parametrize(("shell", "marker"), [("zsh", "#compdef scanner"), ("tcsh", "complete scanner")])
def test_zsh_and_tcsh_scripts(shell, marker):
    proc = completion(shell)
    assert proc.returncode == 0, proc.stderr
    assert marker in proc.stdout
    for command in COMMANDS:
        assert command in proc.stdout
    assert "fail-on" in proc.stdout and "max-pages" in proc.stdout


def test_an_unknown_shell_is_a_usage_error():
    proc = completion("fish")
    assert proc.returncode == 2
    assert "invalid choice: 'fish'" in proc.stderr and "Traceback" not in proc.stderr

"""`scanner completion bash|zsh|tcsh`: the shell completion script, made by shtab from the parser itself
(every command and option, the choices of an option, file and folder names where an option takes one)."""

from __future__ import annotations

import argparse
import sys

from scanner.errors import BadInput

CONFIGURABLE = False
SHELLS = ("bash", "zsh", "tcsh")
INSTALL = {
    "bash": "scanner completion bash > ~/.local/share/bash-completion/completions/scanner",
    "zsh": 'scanner completion zsh > "${fpath[1]}/_scanner"   # then start a new shell',
    "tcsh": "scanner completion tcsh > ~/.scanner.tcsh && echo 'source ~/.scanner.tcsh' >> ~/.tcshrc",
}


def add_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    p = sub.add_parser(
        "completion",
        help="print the shell completion script (bash, zsh, tcsh)",
        description="Print the completion script of `scanner` for SHELL on stdout.",
        epilog="Install:\n" + "\n".join(f"  {line}" for line in INSTALL.values()),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("shell", choices=SHELLS, metavar="SHELL", help=", ".join(SHELLS))
    return p


def script(shell: str) -> str:
    """The completion script of the whole `scanner` command line for ``shell``."""
    try:
        import shtab
    except ImportError:  # a dependency: only a broken install lacks it
        raise BadInput("shell completion needs shtab: pip install shtab") from None
    from scanner.cli import build_parser
    from scanner.config import command_tree, is_path_option

    parser = build_parser()
    for command in command_tree(parser).values():
        for action in command._actions:
            if action.option_strings and (is_path_option(action) or action.dest == "config_file"):
                folder = any(word in (action.metavar or "") for word in ("DIR", "CAMPAIGN"))
                action.complete = shtab.DIRECTORY if folder else shtab.FILE
    return shtab.complete(parser, shell=shell)


def run(args: argparse.Namespace) -> int:
    sys.stdout.write(script(args.shell))
    return 0

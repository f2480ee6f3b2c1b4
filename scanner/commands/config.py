"""`scanner config [COMMAND]`: the settings in effect, where each comes from, and the SCANNER_* names.

Checks the config file and the SCANNER_* variables against every command (exit 2 naming the first
problem), then lists what they set; with a COMMAND, every option of that command: its value, where the
value comes from (the config file's table, a variable, or the default) and the variable that sets it.
The value of a variable is not printed: variables are where CI keeps secrets.
"""

from __future__ import annotations

import argparse
import json
import os

from scanner.errors import BadInput

CONFIGURABLE = False  # it reads the configuration itself


def add_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    p = sub.add_parser(
        "config",
        help="show the settings from the config file and SCANNER_* variables, and where each comes from",
        description="Check the config file (--config FILE, $SCANNER_CONFIG, ./scanner.toml or "
        "./pyproject.toml [tool.scanner]) and the SCANNER_<OPTION> variables against every command, "
        "then list what they set. With COMMAND: every option of that command, its value, where it "
        "comes from and its variable. Strongest first: command line, SCANNER_<OPTION>, the command's "
        "table ([scan]), the tables around it, the top level, the default.",
        epilog="Exit codes: 0 the settings are valid, 2 a bad file, table, key, value or variable.",
    )
    p.add_argument(
        "path",
        nargs="*",
        metavar="COMMAND",
        help="a command, e.g. scan or history trend (default: every one)",
    )
    return p


def run(args: argparse.Namespace) -> int:
    from scanner.cli import build_parser
    from scanner.config import check_all, command_tree, configurable, find_config, leaf_commands

    tree = command_tree(build_parser())
    environ = {} if args.no_config else os.environ
    config = None if args.no_config else find_config(args.config_file)
    check_all(tree, config, environ)
    if args.path:
        path = tuple(args.path)
        if path not in tree or not configurable(tree, path):
            known = ", ".join(" ".join(p) for p in leaf_commands(tree))
            raise BadInput(f"no configurable command `scanner {' '.join(path)}` (commands: {known})")
        paths = [p for p in leaf_commands(tree) if p[: len(path)] == path]
    else:
        paths = leaf_commands(tree)
    print(describe_file(config, args.no_config))
    for path in paths:
        print_command(tree, path, config, environ, every=bool(args.path))
    ignored = ignored_variables(tree, environ)
    if ignored:
        print(f"ignored (no option of any command has this name): {', '.join(ignored)}")
    return 0


def describe_file(config, off: bool = False) -> str:
    from scanner.config import CONFIG_NAME, PYPROJECT

    if off:
        return "config file: none and no SCANNER_* variable (--no-config)"
    if config is None:
        return f"config file: none ({CONFIG_NAME} or {PYPROJECT} [tool.scanner] in {os.getcwd()})"
    return f"config file: {config.where()} ({config.path})"


def print_command(tree, path, config, environ, *, every: bool) -> None:
    from scanner.config import RESERVED_ENV, env_name, options, resolve

    settings = {s.action: s for s in resolve(tree, path, config, environ)}
    rows = []
    for parser in [tree[path[:i]] for i in range(1, len(path) + 1)]:
        listed = set()
        for key, (action, option) in options(parser).items():
            if action in listed:
                continue
            listed.add(action)
            setting = settings.get(action)
            if setting is None and not every:
                continue
            if setting is None:
                value, source = shown_default(action.default), "default"
            elif setting.from_env:
                value, source = "(not shown)", setting.key
            else:
                value, source = json.dumps(setting.value, default=str), setting.source
            variable = "-" if env_name(key) in RESERVED_ENV else env_name(key)
            rows.append((option, value, source, variable))
    if not rows:
        return
    print(f"scanner {' '.join(path)}")
    if every:
        rows.insert(0, ("option", "value", "from", "variable"))
    width = [max(len(r[i]) for r in rows) for i in range(3)]
    for option, value, source, variable in rows:
        line = f"  {option:<{width[0]}}  {value:<{width[1]}}  {source:<{width[2]}}"
        print(f"{line}  {variable}" if every else line.rstrip())


def shown_default(default) -> str:
    if default is None or default is argparse.SUPPRESS:
        return "-"
    return json.dumps(default, default=str)


def ignored_variables(tree, environ) -> list[str]:
    from scanner.config import ENV_PREFIX, RESERVED_ENV, configurable, env_name, options

    known = set(RESERVED_ENV)
    for path, parser in tree.items():
        if path and configurable(tree, path):
            known.update(env_name(key) for key in options(parser))
    return sorted(n for n in environ if n.startswith(ENV_PREFIX) and n not in known and environ[n])

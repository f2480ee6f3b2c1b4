"""Settings for the command line from a configuration file and ``SCANNER_*`` environment variables.

Where a setting comes from, strongest first:

1. the command line;
2. an environment variable ``SCANNER_<OPTION>`` (``SCANNER_MAX_PAGES=5``, ``SCANNER_FAIL_ON=undeclared,
   mismatch``; an empty variable counts as unset);
3. the configuration file: ``--config FILE``, else ``$SCANNER_CONFIG``, else ``scanner.toml`` in the
   current folder, else the ``[tool.scanner]`` table of ``pyproject.toml`` there (when both are there,
   scanner.toml wins and a warning says that [tool.scanner] is ignored; ``scanner --no-config`` reads
   neither, nor any variable). Inside the file a command's
   own table (``[scan]``, ``[history.trend]``) wins over the tables around it, up to the top level,
   whose keys apply to every command that has the option;
4. the parser's default.

Nothing here knows an option by name: keys and variables are matched with the long option strings of
the built parser (``max_pages`` and ``max-pages`` are the same key), and values are converted by the
option's own ``type`` and ``choices``, so an option added to any command is configurable at once.
Switches take true/false; an option that can be repeated takes a list (or one value; in a variable,
one value a line). A relative path in the file is relative to the file's folder (:data:`PATH_DESTS`).
Every problem is a one-line BadInput naming the file or variable, the key and what is allowed.

How it is applied, "parse, then fill" (:func:`parse_args`): the command line is parsed as usual (the
parser records which options it took, :class:`Parser`), then every option it did not take and that a
variable or the file sets is applied by calling the option's own argparse action, as if it had been
typed. Setting parser defaults before parsing would be simpler but wrong twice: argparse appends the
values of a repeatable option to its default (``--fail-on mismatch`` on top of a configured
``fail-on``, where the command line must replace it), and an action that keeps what it is given
somewhere else than its ``dest`` (``scanner batch`` passes scan options on as words) never sees a
default. Required options that a variable or the file provides are made optional before the parse.

This is a CLI concern only: ``scanner.scan()`` and the rest of the library never read either source.
"""

from __future__ import annotations

import argparse
import datetime as dt
import difflib
import json
import os
import sys
import tomllib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scanner.errors import BadInput
from scanner.textfile import read_limited

CONFIG_NAME = "scanner.toml"
PYPROJECT = "pyproject.toml"
PYPROJECT_TABLE = ("tool", "scanner")
CONFIG_ENV = "SCANNER_CONFIG"
ENV_PREFIX = "SCANNER_"
MAX_CONFIG_BYTES = 1024 * 1024
# Variables that had a meaning of their own before options could be set from the environment: they keep
# it and set no option (SCANNER_DEBUG does not turn on --debug logging, SCANNER_HISTORY does not make
# every scan record itself).
RESERVED_ENV: dict[str, str] = {
    CONFIG_ENV: "the configuration file (as --config)",
    "SCANNER_DEBUG": "shows the traceback of an internal error",
    "SCANNER_HISTORY": "the database of `scanner history` (as its --db)",
    "SCANNER_SYSTEM_CHROMIUMS": "the system browsers looked for when --browser is not given",
}
# Options (by dest) whose value names a file or folder: relative to the configuration file's folder when
# given there. Not: a policy given as a URL, "-" (stdout) for an output, a browser given as a command
# name (no folder in it: looked up in PATH).
PATH_DESTS = frozenset(
    {
        "out",
        "output",
        "resume",
        "vendors",
        "policy",
        "catalog",
        "baseline",
        "waivers",
        "history",
        "storage_state",
        "login_script",
        "login_steps",
        "db",
        "parquet",
        "browser",
    }
)
TRUE_WORDS = ("true", "1", "yes", "on")
FALSE_WORDS = ("false", "0", "no", "off")
ENV_RANK = 1  # then the file's tables: 2 the command's own, 3 the one around it, ...
GLOBAL_DESTS = frozenset({"config_file", "no_config"})  # options of `scanner` itself, not of a command


class Parser(argparse.ArgumentParser):
    """An ArgumentParser that remembers which options the command line gave (``taken_actions``): a
    configured value never replaces one the user typed. Its subparsers are of this class too."""

    def _get_values(self, action, arg_strings):  # argparse calls it for every option it takes
        if action.option_strings:
            self.__dict__.setdefault("taken_actions", set()).add(action)
        return super()._get_values(action, arg_strings)


# ---- the configuration file ----------------------------------------------------------------------


@dataclass(frozen=True)
class ConfigFile:
    """A loaded configuration: ``table`` is the whole scanner.toml or pyproject's [tool.scanner]."""

    path: Path  # absolute: relative paths in it are relative to its folder
    label: str  # as the user knows it: "scanner.toml", "ci/audit.toml"
    table: dict
    prefix: tuple[str, ...] = ()  # ("tool", "scanner") for pyproject.toml

    def where(self, table: tuple[str, ...] = ()) -> str:
        """``label`` and the table: "pyproject.toml [tool.scanner.scan]", "scanner.toml" (top level)."""
        names = (*self.prefix, *table)
        return f"{self.label} [{'.'.join(_toml_key(n) for n in names)}]" if names else self.label


def _toml_key(name: str) -> str:
    bare = name and all(c.isascii() and (c.isalnum() or c in "-_") for c in name)
    return name if bare else json.dumps(name)


def parse_toml(text: str, label: str) -> dict:
    """A TOML document; BadInput naming ``label`` for anything that is not one."""
    try:
        return tomllib.loads(text.removeprefix("\ufeff"))
    except tomllib.TOMLDecodeError as err:
        raise BadInput(f"{label}: not valid TOML: {err}") from None
    except ValueError as err:  # an integer too long to convert
        raise BadInput(f"{label}: not valid TOML: {str(err)[:120]}") from None
    except RecursionError:
        raise BadInput(f"{label}: not valid TOML: arrays or tables nested too deeply") from None


def read_config(path: Path, label: str | None = None) -> ConfigFile | None:
    """The configuration in ``path``: the [tool.scanner] table of a file named pyproject.toml (None
    when it has none), else the whole file."""
    label = label or str(path)
    raw = read_limited(path, label, MAX_CONFIG_BYTES)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        line = raw[: err.start].count(b"\n") + 1
        raise BadInput(f"{label}:{line}: not UTF-8 text") from None
    document = parse_toml(text, label)
    path = Path(os.path.abspath(path))  # ".." taken out as written, symbolic links kept
    if path.name != PYPROJECT:
        return ConfigFile(path, label, document)
    table: Any = document
    for name in PYPROJECT_TABLE:
        table = table.get(name) if isinstance(table, dict) else None
    if table is None:
        return None
    if not isinstance(table, dict):
        raise BadInput(f"{label}: tool.scanner must be a table ([tool.scanner])")
    return ConfigFile(path, label, table, PYPROJECT_TABLE)


def find_config(
    explicit: str | None = None, cwd: Path | str | None = None, environ: Mapping[str, str] | None = None
) -> ConfigFile | None:
    """The configuration in effect: ``explicit`` (--config), else $SCANNER_CONFIG, else scanner.toml
    in ``cwd``, else pyproject.toml's [tool.scanner] there; None when there is none."""
    environ = os.environ if environ is None else environ
    cwd = Path.cwd() if cwd is None else Path(cwd)
    if explicit is not None:
        return read_config(cwd / explicit, f"--config {explicit}") or ConfigFile(
            Path(os.path.abspath(cwd / explicit)), explicit, {}, PYPROJECT_TABLE
        )
    if environ.get(CONFIG_ENV):
        given = environ[CONFIG_ENV]
        return read_config(cwd / given, f"{CONFIG_ENV}={given}") or ConfigFile(
            Path(os.path.abspath(cwd / given)), given, {}, PYPROJECT_TABLE
        )
    own, pyproject = cwd / CONFIG_NAME, cwd / PYPROJECT
    if own.exists():
        if pyproject.is_file() and _has_scanner_table(pyproject):
            print(
                f"scanner: warning: both {CONFIG_NAME} and {PYPROJECT} [tool.scanner] are here; "
                f"{CONFIG_NAME} is used, [tool.scanner] is ignored",
                file=sys.stderr,
            )
        return read_config(own, CONFIG_NAME)
    if pyproject.exists():
        return read_config(pyproject, PYPROJECT)
    return None


def _has_scanner_table(pyproject: Path) -> bool:
    try:
        return read_config(pyproject) is not None
    except BadInput:  # not our file to judge: scanner.toml is used anyway
        return False


# ---- the parser's commands and options -----------------------------------------------------------


def command_tree(parser: argparse.ArgumentParser) -> dict[tuple[str, ...], argparse.ArgumentParser]:
    """Every (sub)command's parser by its path: () is `scanner` itself, ("history", "trend") ..."""
    tree: dict[tuple[str, ...], argparse.ArgumentParser] = {(): parser}

    def walk(p: argparse.ArgumentParser, path: tuple[str, ...]) -> None:
        for action in p._actions:
            if isinstance(action, argparse._SubParsersAction):
                seen: set[int] = set()
                for name, sub in action.choices.items():
                    if id(sub) not in seen:  # an alias names a parser already listed
                        seen.add(id(sub))
                        tree[(*path, name)] = sub
                        walk(sub, (*path, name))

    walk(parser, ())
    return tree


def configurable(tree: dict, path: tuple[str, ...]) -> bool:
    """False for a command that opted out (``_configurable=False``: init, completion, config)."""
    return all(tree[path[:i]].get_default("_configurable") is not False for i in range(1, len(path) + 1))


def option_key(text: str) -> str:
    """A key, variable suffix or option string in one spelling: ``max-pages``."""
    return text.lstrip("-").replace("_", "-")


def env_name(key: str) -> str:
    return ENV_PREFIX + key.upper().replace("-", "_")


def options(parser: argparse.ArgumentParser) -> dict[str, tuple[argparse.Action, str]]:
    """The configurable options of one parser: key -> (action, its option string)."""
    found: dict[str, tuple[argparse.Action, str]] = {}
    for action in parser._actions:
        if not action.option_strings or action.dest in GLOBAL_DESTS:
            continue
        if isinstance(action, (argparse._HelpAction, argparse._VersionAction, argparse._SubParsersAction)):
            continue
        for option in action.option_strings:
            if option.startswith("--"):
                found[option_key(option)] = (action, option)
    return found


def leaf_commands(tree: dict) -> list[tuple[str, ...]]:
    """The configurable commands that run (no subcommands of their own)."""
    parents = {path[:-1] for path in tree if path}
    return [path for path in tree if path and path not in parents and configurable(tree, path)]


# ---- checking the file -------------------------------------------------------------------------


def _lookup(table: dict, path: tuple[str, ...]) -> dict | None:
    for name in path:
        table = table.get(name)
        if not isinstance(table, dict):
            return None
    return table


def check_tables(config: ConfigFile, tree: dict) -> None:
    """Every table names a command, every key an option of that command or of one below it (the top
    level: of any command), no option twice. Values are checked when a command uses them."""

    def check(table: dict, path: tuple[str, ...]) -> None:
        below = [p for p in tree if p[: len(path)] == path and configurable(tree, p)]
        commands = sorted({p[len(path)] for p in below if len(p) == len(path) + 1})
        known: set[str] = set()
        for p in below:
            known.update(options(tree[p]))
        spelled: dict[str, str] = {}
        for key, value in table.items():
            where = config.where(path)
            if key in commands and (isinstance(value, dict) or option_key(key) not in known):
                if not isinstance(value, dict):  # (a command can share its name with an option: policy)
                    raise BadInput(
                        f"{where}: {_toml_key(key)} must be a table ([{'.'.join((*path, key))}]) "
                        f"of the options of `scanner {' '.join((*path, key))}`"
                    )
                check(value, (*path, key))
                continue
            name = option_key(key)
            if name not in known or not key.strip("-_"):
                raise BadInput(f"{where}: {_unknown(key, value, known, commands, path)}")
            if name in spelled:
                raise BadInput(
                    f"{where}: {_toml_key(spelled[name])} and {_toml_key(key)} are the same option"
                )
            spelled[name] = key

    check(config.table, ())


def _unknown(key: str, value: Any, known: set[str], commands: list[str], path: tuple[str, ...]) -> str:
    shown = _toml_key(key)
    if isinstance(value, dict):
        where = f"`scanner {' '.join(path)}`" if path else "scanner"
        return f"unknown table [{shown}]: the commands of {where} are {', '.join(commands) or 'none'}"
    near = difflib.get_close_matches(option_key(key), sorted(known), n=1)
    hint = f" (did you mean {near[0]}?)" if near else ""
    command = f"`scanner {' '.join(path)}`" if path else "any command"
    return f"unknown key {shown}{hint}: the options of {command} are {', '.join(sorted(known))}"


# ---- resolving the settings of one command -------------------------------------------------------


@dataclass(frozen=True)
class Setting:
    """One option's value from a variable or the file, before conversion."""

    parser: argparse.ArgumentParser  # the parser the option belongs to
    action: argparse.Action
    option: str  # the option string the key or variable names ("--no-sitemap")
    key: str  # as written: "max_pages", "SCANNER_MAX_PAGES"
    value: Any  # a TOML value, or the variable's text
    source: str  # "scanner.toml [scan]", "SCANNER_MAX_PAGES"
    rank: int  # ENV_RANK, then the file's tables from the command's own outwards
    base: Path | None  # the configuration file's folder; None for a variable
    command: str  # "scan", "history trend": for messages

    @property
    def from_env(self) -> bool:
        return self.rank == ENV_RANK

    def fault(self, problem: str) -> BadInput:
        """The one-line error for a bad value: where, the key, the value, what is allowed."""
        if self.from_env:
            shown = json.dumps(str(self.value)[:80])
            return BadInput(f"{self.key}={shown}: {problem} (scanner {self.command} {self.option})")
        shown = _shown(self.value)
        return BadInput(f"{self.source}: {_toml_key(self.key)} = {shown}: {problem} (scanner {self.command})")


def _shown(value: Any) -> str:
    try:
        text = json.dumps(value, ensure_ascii=True, default=str)
    except ValueError:  # an integer too long to print
        text = "a number too long"
    return text if len(text) <= 80 else text[:77] + "..."


def _chain(tree: dict, path: tuple[str, ...]) -> list[argparse.ArgumentParser]:
    return [tree[path[:i]] for i in range(1, len(path) + 1)]


def _candidates(
    tree: dict, path: tuple[str, ...], config: ConfigFile | None, environ: Mapping[str, str]
) -> Iterator[Setting]:
    command = " ".join(path)
    chain = _chain(tree, path)
    for parser in chain:
        for key, (action, option) in options(parser).items():
            name = env_name(key)
            if name not in RESERVED_ENV and environ.get(name, "") != "":
                yield Setting(parser, action, option, name, environ[name], name, ENV_RANK, None, command)
    if config is None:
        return
    known = [(parser, options(parser)) for parser in chain]
    for depth in range(len(path), -1, -1):
        table = _lookup(config.table, path[:depth])
        if table is None:
            continue
        for key, value in table.items():
            for parser, found_options in known:
                found = found_options.get(option_key(key))
                if found and not (isinstance(value, dict) and key in _subcommands(tree, path[:depth])):
                    rank = ENV_RANK + 1 + len(path) - depth
                    yield Setting(
                        parser,
                        *found,
                        key,
                        value,
                        config.where(path[:depth]),
                        rank,
                        config.path.parent,
                        command,
                    )


def _subcommands(tree: dict, path: tuple[str, ...]) -> set[str]:
    return {p[-1] for p in tree if len(p) == len(path) + 1 and p[: len(path)] == path}


def resolve(
    tree: dict,
    path: tuple[str, ...],
    config: ConfigFile | None,
    environ: Mapping[str, str] | None = None,
    taken: set[argparse.Action] | frozenset = frozenset(),
) -> list[Setting]:
    """The settings that apply to the command at ``path``: per option the strongest source, none for
    an option the command line gave (``taken``) or whose mutually exclusive partner it, or a stronger
    source, gave. Two sources of the same strength for one option, or for two exclusive options, are
    a BadInput."""
    environ = os.environ if environ is None else environ
    best: dict[argparse.Action, Setting] = {}
    for setting in _candidates(tree, path, config, environ):
        if setting.action in taken:
            continue
        held = best.get(setting.action)
        if held is not None and held.rank == setting.rank:
            raise _clash(held, setting, "are the same option")
        if held is None or setting.rank < held.rank:
            best[setting.action] = setting
    for parser in _chain(tree, path):
        for group in parser._mutually_exclusive_groups:
            members = group._group_actions
            given = sorted((best[a] for a in members if a in best), key=lambda s: s.rank)
            if any(a in taken for a in members):
                drop = given
            elif len(given) > 1 and given[0].rank == given[1].rank:
                raise _clash(given[0], given[1], "cannot be used together")
            else:
                drop = given[1:]
            for setting in drop:
                del best[setting.action]
    return list(best.values())


def _clash(a: Setting, b: Setting, problem: str) -> BadInput:
    if a.from_env:
        return BadInput(f"{a.key} and {b.key} {problem} (scanner {a.command})")
    return BadInput(f"{a.source}: {_toml_key(a.key)} and {_toml_key(b.key)} {problem} (scanner {a.command})")


# ---- converting and applying ---------------------------------------------------------------------


def is_flag(action: argparse.Action) -> bool:
    return action.nargs == 0


def is_repeatable(action: argparse.Action) -> bool:
    """An option that may be given more than once, each time adding a value: append/extend, and any
    action of the program's own (scanner batch's pass-on options), called once per value."""
    if isinstance(action, (argparse._AppendAction, argparse._ExtendAction)):
        return True
    return type(action).__module__ != argparse.__name__ and action.nargs in (None, "?")


def is_path_option(action: argparse.Action) -> bool:
    return action.dest in PATH_DESTS


def calls(setting: Setting) -> list[tuple[str, Any]]:
    """What applying ``setting`` means: (option string, converted values) per call of its action, as
    argparse would make them from the command line. BadInput for a value the option refuses."""
    action = setting.action
    if is_flag(action):
        on = _switch(setting)
        if isinstance(action, argparse.BooleanOptionalAction):
            positive = [o for o in action.option_strings if o.startswith("--") and not o.startswith("--no-")]
            negative = [o for o in action.option_strings if o.startswith("--no-")]
            wanted = on != setting.option.startswith("--no-")
            return [((positive if wanted else negative)[0], [])]
        return [(setting.option, [])] if on else []
    texts = [_path(setting, t) for t in _texts(setting)]
    values = [_convert(setting, t) for t in texts]
    if action.nargs in (None, "?"):
        return [(setting.option, v) for v in values]
    return [(setting.option, values)]


def _switch(setting: Setting) -> bool:
    value = setting.value
    if setting.from_env:
        word = str(value).strip().lower()
        if word in TRUE_WORDS or word in FALSE_WORDS:
            return word in TRUE_WORDS
        raise setting.fault(f"expected true or false ({'/'.join(TRUE_WORDS)} or {'/'.join(FALSE_WORDS)})")
    if isinstance(value, bool):
        return value
    raise setting.fault("expected true or false")


def _texts(setting: Setting) -> list[str]:
    action, value = setting.action, setting.value
    many = is_repeatable(action) or action.nargs not in (None, "?")
    if setting.from_env:
        return [line for line in str(value).splitlines() if line.strip()] if many else [str(value)]
    if isinstance(value, list):
        if not many:
            raise setting.fault("expected one value, not a list")
        return [_text(setting, item) for item in value]
    if action.nargs not in (None, "?"):
        raise setting.fault("expected a list of values")
    return [_text(setting, value)]


def _text(setting: Setting, value: Any) -> str:
    if isinstance(value, bool):
        raise setting.fault("expected text or a number, not true/false")
    if isinstance(value, (dt.date, dt.time)):  # datetime is a date
        return value.isoformat()
    if isinstance(value, str):
        return value
    if isinstance(value, (int, float)):
        try:
            return str(value)
        except ValueError:  # an integer longer than Python prints
            raise setting.fault("number too long") from None
    kind = "a list" if isinstance(value, list) else "a table"
    raise setting.fault(f"expected text or a number, not {kind}")


def _path(setting: Setting, text: str) -> str:
    """A relative path in the file, made relative to the file's folder."""
    if setting.base is None or not is_path_option(setting.action) or not text:
        return text
    if setting.action.dest == "policy" and "://" in text:
        return text
    if setting.action.dest == "browser" and os.sep not in text and "/" not in text:
        return text
    if text == "-":  # stdout
        return text
    try:
        path = Path(text).expanduser()
    except RuntimeError:  # ~user that does not exist
        path = Path(text)
    return str(path if path.is_absolute() else setting.base / path)


def _convert(setting: Setting, text: str) -> Any:
    action = setting.action
    convert = setting.parser._registry_get("type", action.type, action.type)
    if not callable(convert):
        raise setting.fault(f"the option's type {convert!r} is not callable")
    try:
        value = convert(text)
    except argparse.ArgumentTypeError as err:
        raise setting.fault(str(err)) from None
    except (TypeError, ValueError):
        raise setting.fault(f"not a valid {getattr(convert, '__name__', 'value')}") from None
    if action.choices is not None and value not in action.choices:
        raise setting.fault(f"allowed: {', '.join(map(str, action.choices))}")
    return value


def apply(setting: Setting, namespace: argparse.Namespace) -> None:
    """Give ``setting`` to its option's action, as if typed: a configured list replaces the default."""
    action = setting.action
    todo = calls(setting)
    if todo and isinstance(action, (argparse._AppendAction, argparse._ExtendAction)):
        setattr(namespace, action.dest, None)
    for option, values in todo:
        try:
            action(setting.parser, namespace, values, option)
        except (argparse.ArgumentError, argparse.ArgumentTypeError, TypeError, ValueError) as err:
            problem = getattr(err, "message", None) or str(err)
            raise setting.fault(problem) from None


def check_all(tree: dict, config: ConfigFile | None, environ: Mapping[str, str] | None = None) -> None:
    """Check the file and the variables against every command (``scanner config`` and the tests)."""
    if config is not None:
        check_tables(config, tree)
    for path in leaf_commands(tree):
        for setting in resolve(tree, path, config, environ):
            calls(setting)


# ---- the hook in scanner.cli.main ----------------------------------------------------------------


def config_argument(argv: list[str]) -> tuple[str | None, bool]:
    """(--config FILE, --no-config) as given before the command (the root takes no abbreviation)."""
    found, off = None, False
    for i, word in enumerate(argv):
        if word == "--config" and i + 1 < len(argv):
            found = argv[i + 1]
        elif word.startswith("--config="):
            found = word.partition("=")[2]
        elif word == "--no-config":
            off = True
        elif not word.startswith("-") and (i == 0 or argv[i - 1] != "--config"):
            break  # the command: what follows is its own
    return found, off


def chosen_path(tree: dict, args: argparse.Namespace) -> tuple[str, ...]:
    """The path of the command the parsed ``args`` run."""
    path: tuple[str, ...] = ()
    while True:
        sub = next((a for a in tree[path]._actions if isinstance(a, argparse._SubParsersAction)), None)
        if sub is None or sub.dest == argparse.SUPPRESS:
            return path
        name = getattr(args, sub.dest, None)
        if name not in (sub.choices or {}):
            return path
        chosen = sub.choices[name]
        path = next(p for p in tree if tree[p] is chosen)


def parse_args(
    parser: argparse.ArgumentParser,
    argv: list[str] | None = None,
    environ: Mapping[str, str] | None = None,
    cwd: Path | str | None = None,
) -> argparse.Namespace:
    """``parser.parse_args(argv)``, then the options it did not take filled from SCANNER_* variables
    and the configuration file (see the module's docstring). A command that opted out
    (``_configurable=False``) reads neither, nor does any with ``scanner --no-config``. BadInput for a
    bad file, table, key or value."""
    argv = sys.argv[1:] if argv is None else list(argv)
    environ = os.environ if environ is None else environ
    tree = command_tree(parser)
    for p in tree.values():  # a parser used before starts afresh
        p.__dict__.pop("taken_actions", None)
    explicit, off = config_argument(argv)
    config, problem = None, None
    if off:
        environ = {}
    else:
        try:
            config = find_config(explicit, cwd, environ)
        except BadInput as err:  # reported only if the command reads the configuration
            problem = err
    relaxed = _relax_required(tree, config, environ)
    args = parser.parse_args(argv)
    path = chosen_path(tree, args)
    if not path or not configurable(tree, path):
        return args
    if problem is not None:
        raise problem
    if config is not None:
        check_tables(config, tree)
    taken: set[argparse.Action] = set()
    for p in _chain(tree, path):
        taken |= p.__dict__.get("taken_actions", set())
    settings = resolve(tree, path, config, environ, taken)
    for setting in settings:
        apply(setting, args)
    applied = {s.action for s in settings}
    for p in _chain(tree, path):
        for action in p._actions:
            if action in relaxed and action not in taken and action not in applied:
                p.error(f"the following arguments are required: {'/'.join(action.option_strings)}")
    return args


def _relax_required(
    tree: dict, config: ConfigFile | None, environ: Mapping[str, str]
) -> set[argparse.Action]:
    """Required options that a variable or the file gives are no longer required on the command line."""
    relaxed: set[argparse.Action] = set()
    for path in tree:
        if not path or not configurable(tree, path):
            continue
        keys = set(_keys_along(config, path)) if config else set()
        for action in tree[path]._actions:
            if getattr(action, "required_on_the_command_line", False):  # relaxed by an earlier parse
                action.required = True
            if not action.required or not action.option_strings:
                continue
            names = {option_key(o) for o in action.option_strings if o.startswith("--")}
            if names & keys or any(
                environ.get(env_name(n), "") for n in names if env_name(n) not in RESERVED_ENV
            ):
                action.required = False
                action.required_on_the_command_line = True
                relaxed.add(action)
    return relaxed


def _keys_along(config: ConfigFile, path: tuple[str, ...]) -> Iterator[str]:
    for depth in range(len(path) + 1):
        table = _lookup(config.table, path[:depth])
        if table:
            yield from (option_key(k) for k, v in table.items() if not isinstance(v, dict))

"""Errors that end a command with one clear line and a documented exit code."""

from __future__ import annotations

EXIT_OK = 0
EXIT_FINDINGS = 1  # findings at or above --fail-on
EXIT_BAD_INPUT = 2  # bad input or usage
EXIT_CANNOT_SCAN = 3  # the scan could not run (no browser, site unreachable, ...)
EXIT_PARTIAL = 4  # partial scan (meta.interrupted) and no finding fails the gate: it cannot pass


class ScannerError(Exception):
    """Base: str(err) is the one line shown to the user. ``result``: the (partial) ScanResult of a scan
    that stopped with this error, already saved, when there is one."""

    exit_code = EXIT_CANNOT_SCAN
    result = None


class BadInput(ScannerError):
    """The user gave something we cannot use (URL, CSV, file, option)."""

    exit_code = EXIT_BAD_INPUT


class CannotScan(ScannerError):
    """The scan could not run: no browser, site unreachable, TLS error, ..."""

    exit_code = EXIT_CANNOT_SCAN


class ScanInterrupted(ScannerError):
    """The scan was stopped (Ctrl-C, SIGTERM) before it finished; ``result`` holds the finished pages."""

    exit_code = 130


class ScannerWarning(UserWarning):
    """Something the user should know that does not stop the command (``warnings.warn``): the CLI prints
    it as one line, ``scanner: warning: ...``; a library caller sees a Python warning."""

"""A reader that closes the output early (``scanner config | head``) ends the command quietly.

The command's stdout is a pipe whose reading end is already closed, so its first write fails with EPIPE
(no race: the reader is gone before the command starts). It must exit with 141 (128 + SIGPIPE) and print
nothing on stderr: no "internal error", no "Exception ignored ... BrokenPipeError" at interpreter exit."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from conftest import REPO


def run_into_closed_pipe(*args: str) -> subprocess.CompletedProcess:
    read_end, write_end = os.pipe()
    os.close(read_end)
    env = dict(os.environ, PYTHONPATH=str(REPO), CI="true")
    try:
        return subprocess.run(
            [sys.executable, "-m", "scanner", *args],
            stdout=write_end,
            stderr=subprocess.PIPE,
            stdin=subprocess.DEVNULL,
            text=True,
            cwd=REPO,
            env=env,
            timeout=120,
        )
    finally:
        os.close(write_end)


@pytest.mark.parametrize(
    "args",
    [
        ("config",),  # many lines, written with print()
        ("completion", "bash"),  # one sys.stdout.write of the whole script
        ("--no-config", "config", "scan"),  # every option of one command
    ],
)
def test_a_closed_reader_ends_the_command_quietly(args):
    proc = run_into_closed_pipe(*args)
    assert proc.stderr == ""
    assert proc.returncode == 141

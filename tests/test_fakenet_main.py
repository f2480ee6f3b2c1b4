"""`python -m scanner.fakenet WORLD --port N`: the world is served on the port asked for (it used to be
parsed and then ignored: the server took a free port), and a bad or taken port is one line, exit 2."""

from __future__ import annotations

import http.client
import os
import socket
import subprocess
import sys

from conftest import REPO


def fakenet(*args: str) -> subprocess.Popen:
    env = dict(os.environ, PYTHONPATH=str(REPO), PYTHONUNBUFFERED="1")
    return subprocess.Popen(
        [sys.executable, "-m", "scanner.fakenet", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=REPO,
        env=env,
    )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_the_world_is_served_on_the_port_asked_for():
    port = free_port()
    proc = fakenet("batch", "--port", str(port))
    try:
        first = proc.stdout.readline()
        assert f"on 127.0.0.1:{port} " in first, first
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        conn.request("GET", "/", headers={"Host": "www.alpha-news.com"})
        response = conn.getresponse()
        assert response.status == 200
        assert b"www.alpha-news.com" in response.read()
        conn.close()
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_a_taken_or_impossible_port_is_one_line():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        busy = fakenet("demo", "--port", str(port))
        try:
            _, err = busy.communicate(timeout=30)
        finally:
            busy.kill()  # a server that took another port instead would serve until killed
    assert busy.returncode == 2, err
    assert f"cannot serve on 127.0.0.1:{port}" in err and "Traceback" not in err
    wrong = fakenet("demo", "--port", "70000")
    _, err = wrong.communicate(timeout=60)
    assert wrong.returncode == 2 and "a port is 0 to 65535, not 70000" in err, err

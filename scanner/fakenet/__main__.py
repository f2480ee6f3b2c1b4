"""Run a fake world by hand: ``python -m scanner.fakenet WORLD [--port N]`` (demo, hostile, bench, consent,
behaviour, login, batch).

Prints the Chromium flag that routes the world's hosts here, then serves until Ctrl-C.
"""

from __future__ import annotations

import argparse
import time

from scanner.fakenet import (
    FakeInternet,
    behaviour_world,
    bench_world,
    consent_world,
    demo_world,
    hostile_world,
    login_world,
)
from scanner.fakenet.batch_world import ALPHA, batch_world

WORLDS = {
    "demo": demo_world,
    "hostile": hostile_world,
    "bench": bench_world,
    "consent": consent_world,
    "behaviour": behaviour_world,
    "login": login_world,  # a members' site with a login (scanner/fakenet/login.py)
    "batch": batch_world,  # several sites for scanner batch (scanner/fakenet/batch_world.py)
}
START_PAGES = {
    "demo": ("www.example.com", "/"),
    "hostile": ("www.hostile-example.com", "/"),
    "bench": ("bench.example.org", "/"),
    "consent": ("www.ot-daily.com", "/"),
    "behaviour": ("www.behave-shop.com", "/"),
    "login": ("www.members-club.com", "/"),
    "batch": (ALPHA, "/"),
}


def port_number(text: str) -> int:
    """A TCP port, 0 to 65535 (0: a free one)."""
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a port number: {text!r}") from None
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"a port is 0 to 65535, not {port}")
    return port


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m scanner.fakenet", description=__doc__)
    parser.add_argument("world", nargs="?", choices=sorted(WORLDS), default="demo")
    parser.add_argument("--port", type=port_number, default=0, help="port on 127.0.0.1 (default: a free one)")
    args = parser.parse_args(argv)
    net = FakeInternet(WORLDS[args.world](), port=args.port)
    try:
        net.start()
    except OSError as exc:  # the port is taken (or not ours to use): one line, as argparse says it
        parser.error(f"cannot serve on 127.0.0.1:{args.port}: {exc.strerror or exc}")
    with net:
        host, path = START_PAGES[args.world]
        print(f"serving {len(net.hosts)} hosts on 127.0.0.1:{net.port} (HTTP and HTTPS)")
        print(f"start page: {net.url(host, path)}")
        print("chromium flags: --ignore-certificate-errors '" + net.chromium_args()[0] + "'", flush=True)
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            print(f"\n{len(net.log)} requests served")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

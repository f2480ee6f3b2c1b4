"""Estimate the wall time of the suite under xdist's --dist loadfile from one run's per-test times.

Replays the scheduler (pytest-xdist 3.x LoadScope: a worker is handed the next whole file when it has
at most 2 of its tests left) with each test taking the time it took in that run, for two file orders:
xdist's default (files with more tests first) and the slowest files first by that very run's times (the
best a fixed file order could do, as it knows the times in advance). The figure
assumes a test takes as long whatever runs beside it, which holds while the CPU is not saturated (CI:
4 workers on 2 cores, mostly waiting on browsers); on a machine loaded by other work it does not.

Usage: python3 tools/suite_schedule.py JUNIT_XML [WORKERS]  (tools/suite_timing.sh writes LOG.xml)
"""

from __future__ import annotations

import sys
import xml.etree.ElementTree as ET


def per_file(xml_path: str) -> dict[str, list[float]]:
    files: dict[str, list[float]] = {}
    for case in ET.parse(xml_path).iter("testcase"):
        name = (case.get("classname") or "").rsplit(".", 1)[-1] + ".py"
        files.setdefault(name, []).append(float(case.get("time", 0)))
    return files


def makespan(order: list[str], files: dict[str, list[float]], workers: int) -> float:
    queue = list(order)
    clock = [0.0] * workers
    todo: list[list[float]] = [[] for _ in range(workers)]

    def refill(w: int) -> None:
        while queue and len(todo[w]) <= 2:
            todo[w].extend(files[queue.pop(0)])
            if len(todo[w]) > 2:
                break

    for w in range(workers):  # one file each, then at least two each (xdist #277)
        if queue:
            todo[w].extend(files[queue.pop(0)])
    for w in range(workers):
        refill(w)
    while any(todo):
        w = min((i for i in range(workers) if todo[i]), key=lambda i: clock[i])
        clock[w] += todo[w].pop(0)
        refill(w)
    return max(clock)


def main() -> None:
    files = per_file(sys.argv[1])
    workers = int(sys.argv[2]) if len(sys.argv) > 2 else 4
    alphabetical = sorted(files)
    by_count = sorted(alphabetical, key=lambda f: -len(files[f]))  # xdist's --loadscope-reorder
    slow_first = sorted(alphabetical, key=lambda f: -sum(files[f]))
    work = sum(map(sum, files.values()))
    print(f"{len(files)} files, {work:.0f} s of test time, {workers} workers: at best {work / workers:.0f} s")
    print(f"xdist default order (most tests first): {makespan(by_count, files, workers):.0f} s")
    print(f"slowest files first (this run's times): {makespan(slow_first, files, workers):.0f} s")


if __name__ == "__main__":
    main()

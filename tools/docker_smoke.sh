#!/usr/bin/env bash
# Build the Docker image and smoke-test it: `scanner --version`, a non-root default user, and `scanner demo`
# (the offline demo site, a real crawl in the image's Chromium) writing its reports into a mounted folder.
# Usage: tools/docker_smoke.sh [IMAGE]     (default tracker-audit:smoke; needs a working Docker daemon)
# Exit: 0 all good; 3 no Docker daemon; anything else: the step that failed says why.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
image="${1:-tracker-audit:smoke}"

if ! docker info >/dev/null 2>&1; then
  echo "docker_smoke: no Docker daemon (docker info failed)" >&2
  exit 3
fi

echo "== build $image"
docker build --tag "$image" "$here"

echo "== scanner --version"
version="$(docker run --rm "$image" --version)"
echo "$version"
[[ "$version" == "scanner (tracker-audit) "[0-9]* ]] || { echo "docker_smoke: unexpected --version output: $version" >&2; exit 1; }

echo "== the default user is not root"
uid="$(docker run --rm --entrypoint id "$image" -u)"
[ "$uid" != 0 ] || { echo "docker_smoke: the image runs as root" >&2; exit 1; }

echo "== scanner demo, reports in a mounted folder"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
docker run --rm --user "$(id -u):$(id -g)" -v "$out:/work/reports" "$image" \
  demo --out reports/demo --max-pages 8 --consent-sample 2 --quiet
for name in report.html scan.json summary.md; do
  [ -s "$out/demo/$name" ] || { echo "docker_smoke: demo wrote no $name" >&2; exit 1; }
done
echo "docker_smoke: ok ($version; demo report in the mounted folder)"

#!/usr/bin/env bash
# Fetch the third-party-web npm package (MIT) into a cache folder, outside the repository.
# Used by tools/build_catalog.py (to refresh the shipped catalog) and by the catalog tests
# (as an oracle). Usage: tools/fetch_third_party_web.sh [VERSION]   (prints the package dir)
set -euo pipefail
VERSION="${1:-0.30.0}"
DEST="${TPW_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/scanner-test-data/third-party-web}"
if [ -f "$DEST/package/dist/entities.json" ] && grep -q "\"version\": \"$VERSION\"" "$DEST/package/package.json"; then
    echo "$DEST/package"
    exit 0
fi
mkdir -p "$DEST"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent "third-party-web@$VERSION" >/dev/null)
rm -rf "$DEST/package"
tar -xzf "$tmp"/third-party-web-*.tgz -C "$DEST"
echo "$DEST/package"

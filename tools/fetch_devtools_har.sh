#!/usr/bin/env bash
# Bundle Chrome DevTools' own HAR importer for the HAR tests (tests/test_har_consumers.py):
#   npm chrome-devtools-frontend (BSD-3-Clause): front_end/models/har (HARFormat + Importer) and what
#       they import, as TypeScript sources;
#   npm esbuild (MIT): strips the types and bundles tools/devtools_har/read_har.mjs with those sources
#       into one file that node runs              -> .cache/devtools-har/read_har.mjs (+ LICENSE)
# DevTools' own build generates front_end/core/i18n/locales.js from its GN settings; the npm package
# ships only its declaration (locales.d.ts), so it is written here with the default locale alone.
# Usage: tools/fetch_devtools_har.sh [DEST]   (idempotent; the tests skip outside CI when it is absent)
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
dest="${1:-$here/.cache/devtools-har}"
devtools_version="1.0.1705227"
esbuild_version="0.28.2"
stamp="chrome-devtools-frontend@$devtools_version esbuild@$esbuild_version"
if [ -f "$dest/read_har.mjs" ] && [ "$(cat "$dest/VERSION" 2>/dev/null)" = "$stamp" ] \
  && [ "$dest/read_har.mjs" -nt "$here/tools/devtools_har/read_har.mjs" ]; then
  exit 0
fi
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack "chrome-devtools-frontend@$devtools_version" --silent >/dev/null)
tar xzf "$tmp/chrome-devtools-frontend-$devtools_version.tgz" -C "$tmp" package/front_end package/LICENSE
cat > "$tmp/package/front_end/core/i18n/locales.js" <<'JS'
export const LOCALES = ['en-US'];
export const BUNDLED_LOCALES = ['en-US'];
export const DEFAULT_LOCALE = 'en-US';
export const REMOTE_FETCH_PATTERN = '';
export const LOCAL_FETCH_PATTERN = '';
JS
mkdir -p "$tmp/esbuild"
(cd "$tmp/esbuild" && npm install --silent --no-audit --no-fund --no-save "esbuild@$esbuild_version" >/dev/null)
mkdir -p "$dest"
NODE_PATH="$tmp/package" "$tmp/esbuild/node_modules/.bin/esbuild" "$here/tools/devtools_har/read_har.mjs" \
  --bundle --platform=node --format=esm --log-level=error --outfile="$dest/read_har.mjs"
cp "$tmp/package/LICENSE" "$dest/LICENSE"
echo "$stamp" > "$dest/VERSION"
echo "bundled Chrome DevTools' HAR importer ($stamp) into $dest"

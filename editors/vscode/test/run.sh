#!/usr/bin/env bash
# End-to-end test of the VS Code extension in real VS Code: code-server 4.100.3 (VS Code 1.100.3)
# driven in headless Chromium. Runs as root from a clean checkout; installs what it needs:
#   - Debian: chromium, CJK fonts for it, ripgrep and the libraries code-server's native modules build against;
#   - npm ci in editors/vscode (only when package-lock.json changed since the last one);
#   - code-server@4.100.3 into $MARGINALIA_E2E_CACHE (default ~/.cache/marginalia-vscode-e2e),
#     offline (its ripgrep comes from Debian's through @vscode/ripgrep's download cache).
# Builds the .vsix with the server binary $MARGINALIA_SERVER (default <repo>/target/release/
# marginalia), then test/e2e.mjs serves a workspace holding the seed, runs the self-test command
# in the workbench, asserts, and saves test/out/workbench.png. Exit status 0 only if all passed.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)   # editors/vscode
REPO=$(cd "$HERE/../.." && pwd)
CACHE=${MARGINALIA_E2E_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/marginalia-vscode-e2e}
CS_VERSION=4.100.3
CS_DIR="$CACHE/code-server-$CS_VERSION"
OUT="$HERE/test/out"
export MARGINALIA_SERVER=${MARGINALIA_SERVER:-$REPO/target/release/marginalia}

now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f s", b - a }'; }
T_ALL=$(now)

if [ ! -x "$MARGINALIA_SERVER" ]; then
  echo "e2e: no server binary at $MARGINALIA_SERVER: run \`cargo build --release\` in $REPO, or set MARGINALIA_SERVER" >&2
  exit 2
fi

# --- Debian packages
T=$(now)
DEBS=(chromium fonts-noto-cjk ripgrep libkrb5-dev libx11-dev libxkbfile-dev libsecret-1-dev)
if ! dpkg -s "${DEBS[@]}" >/dev/null 2>&1; then
  echo "== apt-get install ${DEBS[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${DEBS[@]}" >/dev/null
fi
echo "== debian packages ready ($(since "$T"))"

# --- npm ci (skipped when node_modules was installed from this very package-lock.json)
T=$(now)
cd "$HERE"
LOCK_SUM=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ "$(cat node_modules/.e2e-lock-sum 2>/dev/null || true)" != "$LOCK_SUM" ]; then
  echo "== npm ci"
  npm ci --no-audit --no-fund --loglevel=error
  echo "$LOCK_SUM" > node_modules/.e2e-lock-sum
fi
echo "== node_modules ready ($(since "$T"))"

# --- code-server, offline
T=$(now)
if [ ! -x "$CS_DIR/node_modules/.bin/code-server" ] || [ ! -f "$CS_DIR/.complete" ]; then
  echo "== npm install code-server@$CS_VERSION into $CS_DIR"
  rm -rf "$CS_DIR"
  mkdir -p "$CS_DIR"
  RG_TMP=$(mktemp -d)
  mkdir -p "$RG_TMP/vscode-ripgrep-cache-1.15.11" "$RG_TMP/rg"
  cp "$(command -v rg)" "$RG_TMP/rg/rg"
  tar czf "$RG_TMP/vscode-ripgrep-cache-1.15.11/ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz" -C "$RG_TMP/rg" rg
  echo '{"private": true}' > "$CS_DIR/package.json"
  (cd "$CS_DIR" && TMPDIR="$RG_TMP" npm_config_unsafe_perm=true npm_config_yes=true \
    npm install "code-server@$CS_VERSION" --foreground-scripts --no-audit --no-fund > install.log 2>&1) || {
    tail -30 "$CS_DIR/install.log" >&2; rm -rf "$RG_TMP"; exit 1; }
  rm -rf "$RG_TMP"
  touch "$CS_DIR/.complete"
fi
echo "== code-server $(node -p "require('$CS_DIR/node_modules/code-server/package.json').version") ready ($(since "$T"))"

# --- the .vsix (with the server bundled) and the self-test extension
T=$(now)
mkdir -p "$OUT"
if ! npm run --silent package > "$OUT/package.log" 2>&1; then
  cat "$OUT/package.log" >&2; echo "e2e: npm run package failed" >&2; exit 1
fi
VSIX=$(tail -1 "$OUT/package.log")
if [ ! -f "$VSIX" ]; then cat "$OUT/package.log" >&2; exit 1; fi
# and the universal package, without a server: the test's no-server case
if ! npm run --silent package -- --no-server > "$OUT/package-universal.log" 2>&1; then
  cat "$OUT/package-universal.log" >&2; echo "e2e: npm run package -- --no-server failed" >&2; exit 1
fi
UNIVERSAL_VSIX=$(tail -1 "$OUT/package-universal.log")
SELFTEST_VSIX="$OUT/marginalia-selftest.vsix"
(cd test/selftest && "$HERE/node_modules/.bin/vsce" package --no-dependencies \
  --allow-missing-repository --skip-license -o "$SELFTEST_VSIX" > "$OUT/selftest-package.log" 2>&1) || {
  cat "$OUT/selftest-package.log" >&2; exit 1; }
echo "== built $(basename "$VSIX") ($(du -h "$VSIX" | cut -f1)), $(basename "$UNIVERSAL_VSIX") and the self-test ($(since "$T"))"

# --- the test itself
T=$(now)
set +e
CODE_SERVER="$CS_DIR/node_modules/.bin/code-server" VSIX="$VSIX" SELFTEST_VSIX="$SELFTEST_VSIX" \
  UNIVERSAL_VSIX="$UNIVERSAL_VSIX" \
  SEED="$REPO/seeds/000_f8c5198825835df1.txt" OUT="$OUT" node "$HERE/test/e2e.mjs"
STATUS=$?
set -e
echo "== e2e $([ $STATUS = 0 ] && echo passed || echo FAILED) ($(since "$T"); everything $(since "$T_ALL"))"
exit $STATUS

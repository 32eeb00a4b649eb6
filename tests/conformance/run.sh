#!/usr/bin/env bash
# The LSP conformance suite: pytest-lsp drives the server as VS Code, Neovim and Emacs would
# (their captured client capabilities) and lsprotocol checks every message. See README.md.
#
#   tests/conformance/run.sh [pytest arguments…]
#
# The server is $MARGINALIA_SERVER, or else target/release/marginalia of this checkout.
# The Python packages (requirements.txt, pinned) go into tests/conformance/.venv, made on the
# first run and again whenever requirements.txt changes. Exits with pytest's status.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"

server="${MARGINALIA_SERVER:-$repo/target/release/marginalia}"
case "$server" in
  /*) ;;
  *) server="$PWD/$server" ;;
esac
if [ ! -x "$server" ]; then
  echo "run.sh: no server at $server: run 'cargo build --release' or set MARGINALIA_SERVER" >&2
  exit 2
fi

venv="$here/.venv"
stamp="$venv/requirements.installed"
if [ ! -x "$venv/bin/python" ] || ! cmp -s "$here/requirements.txt" "$stamp"; then
  echo "run.sh: installing the suite's packages into $venv" >&2
  rm -rf "$venv"
  "${PYTHON:-python3}" -m venv "$venv"
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
    -r "$here/requirements.txt"
  cp "$here/requirements.txt" "$stamp"
fi

export MARGINALIA_SERVER="$server"
cd "$here"
exec "$venv/bin/python" -m pytest "$@"

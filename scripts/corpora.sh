#!/usr/bin/env bash
# Runs `marginalia check --summary` over each real corpus under corpora/ (git-ignored; see
# docs/corpora.md for where each comes from and how to bring it here) and prints the figures:
# files, bytes, problems by code, the files with the most errors, and the wall time.
#   scripts/corpora.sh [CORPUS...]     (default: every folder under corpora/)
set -euo pipefail
cd "$(dirname "$0")/.."
binary=${MARGINALIA:-target/release/marginalia}
if [ ! -x "$binary" ]; then
  cargo build --release --quiet
fi
if [ "$#" -eq 0 ]; then
  set -- corpora/*/
fi
for corpus in "$@"; do
  corpus=${corpus%/}
  echo "== ${corpus#corpora/}"
  start=$(date +%s.%N)
  "$binary" check --summary "$corpus" || true
  end=$(date +%s.%N)
  echo "wall time: $(echo "$end - $start" | bc) s"
done

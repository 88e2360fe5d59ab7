#!/bin/sh
# Extraction quality and speed: rasid's cleaner and Readability.js side by side on one corpus.
#   bench/extraction.sh [CORPUS_DIR ...]        (default: ../shared/corpus/zyte and arabic-dev;
#   a corpus named wcxb* is scored with --metric words, the WCXB benchmark's own)
# Env: RASID_CLEAN_CMD (default "build/rasid clean --json", falling back to build-clean/clean_cli
# --json when the daemon binary is not built), SCORER (default ../shared/bench/score_extraction.py).
# Readability.js (@mozilla/readability + linkedom) is installed with npm into bench/.readability
# on first use; it is a benchmark peer only, never a runtime dependency.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
shared=$(cd "$root/../shared" 2>/dev/null && pwd) || { echo "../shared not found" >&2; exit 1; }
scorer=${SCORER:-$shared/bench/score_extraction.py}

if [ -z "${RASID_CLEAN_CMD:-}" ]; then
  if [ -x "$root/build/rasid" ] && "$root/build/rasid" clean --help >/dev/null 2>&1; then
    RASID_CLEAN_CMD="$root/build/rasid clean --json"
  elif [ -x "$root/build-clean/clean_cli" ]; then
    RASID_CLEAN_CMD="$root/build-clean/clean_cli --json"
  else
    echo "build rasid (or the clean_cli target) first" >&2; exit 1
  fi
fi

rdir="$here/.readability"
if [ ! -d "$rdir/node_modules/@mozilla/readability" ] || [ ! -d "$rdir/node_modules/linkedom" ]; then
  command -v npm >/dev/null || { echo "npm is needed for the Readability.js peer" >&2; exit 1; }
  mkdir -p "$rdir"
  [ -f "$rdir/package.json" ] || echo '{"name":"rasid-bench-readability","private":true}' > "$rdir/package.json"
  printf '*\n' > "$rdir/.gitignore"
  (cd "$rdir" && npm install --no-audit --no-fund --silent @mozilla/readability linkedom)
fi

[ $# -gt 0 ] || set -- "$shared/corpus/zyte" "$shared/corpus/arabic-dev"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
for corpus in "$@"; do
  name=$(basename "$corpus")
  # WCXB is scored with its own metric (word F1 over title + text).
  case "$name" in wcxb*) metric="--metric words" ;; *) metric="" ;; esac
  printf '%-12s %-14s ' "$name" "rasid"
  python3 "$scorer" --corpus "$corpus" $metric --cmd "$RASID_CLEAN_CMD"
  printf '%-12s %-14s ' "$name" "readability.js"
  python3 "$scorer" --corpus "$corpus" $metric --cmd "node $here/readability_cli.js --json"
done

#!/bin/sh
# Site templates (clean/template.h): quality of `rasid clean --same-site` against the single-page
# path on the multi-page corpus bench/template_corpus.py generates, and what --same-site costs.
#   bench/template_bench.sh [BUILD_DIR]      (needs ../shared/corpus/ant and ../shared/corpus/zyte)
# Prints, per site, the scorer's line for both paths, then the wall time of both over the zyte
# pages (one process each, best of 3) and over the generated corpus.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
build=${1:-$here/../build}
shared=$here/../../shared
rasid=$build/rasid
corpus=$build/template-corpus
score=$shared/bench/score_extraction.py
python3 "$here/template_corpus.py" --out "$corpus"
for site in "$corpus"/*/; do
  name=$(basename "$site")
  printf '%-6s single    ' "$name"
  python3 "$score" --corpus "$site" --cmd "$rasid clean --json" | tail -1
  printf '%-6s same-site ' "$name"
  python3 "$score" --corpus "$site" --cmd "$rasid clean --json --same-site" | tail -1
done

best_of_3() {  # prints the best wall time in seconds of "$@" over 3 runs
  best=""
  for _ in 1 2 3; do
    t0=$(date +%s.%N)
    "$@" >/dev/null
    t1=$(date +%s.%N)
    t=$(echo "$t1 - $t0" | bc)
    if [ -z "$best" ] || [ "$(echo "$t < $best" | bc)" = 1 ]; then best=$t; fi
  done
  echo "$best"
}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for f in "$shared"/corpus/zyte/html/*.html.gz; do
  gzip -dc "$f" >"$tmp/$(basename "$f" .gz)"
done
n=$(ls "$tmp" | wc -l)
single=$(best_of_3 "$rasid" clean --json "$tmp"/*.html)
same=$(best_of_3 "$rasid" clean --json --same-site "$tmp"/*.html)
echo "zyte ($n pages, one process): single ${single}s  same-site ${same}s  ratio $(echo "scale=2; $same / $single" | bc)"
single=$(best_of_3 "$rasid" clean --json "$corpus"/*/*.html)
same=$(best_of_3 "$rasid" clean --json --same-site "$corpus"/*/*.html)
echo "template corpus (one process): single ${single}s  same-site ${same}s  ratio $(echo "scale=2; $same / $single" | bc)"

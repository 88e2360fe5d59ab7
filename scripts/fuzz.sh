#!/usr/bin/env bash
# Builds every libFuzzer target under fuzz/ with clang (ASan + UBSan) and runs each for a bounded
# time. Usage: scripts/fuzz.sh [SECONDS_PER_TARGET]   (CI: 30)
# Seeds: fuzz/corpus/<name>/ (committed, small) plus what earlier runs found (build-fuzz/corpus).
set -euo pipefail
cd "$(dirname "$0")/.."
secs="${1:-30}"
BUILD=build-fuzz
CC=clang CXX=clang++ cmake -S . -B "$BUILD" -DRASID_FUZZ=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$BUILD" -j "$(nproc)" --target fuzz_all
status=0
ran=0
for bin in "$BUILD"/fuzz/fuzz_*; do
  [ -x "$bin" ] || continue
  ran=$((ran + 1))
  name="${bin##*/fuzz_}"
  work="$BUILD/corpus/$name"
  mkdir -p "$work"
  seeds=()
  [ -d "fuzz/corpus/$name" ] && seeds+=("fuzz/corpus/$name")
  echo "fuzz: $name for ${secs}s"
  if ! "$bin" -max_total_time="$secs" -max_len=65536 -rss_limit_mb=2048 -timeout=10 \
      -print_final_stats=1 "$work" "${seeds[@]}" >"$BUILD/$name.log" 2>&1; then
    echo "fuzz: $name FAILED (see $BUILD/$name.log)"; tail -40 "$BUILD/$name.log"; status=1
  else
    grep -E "stat::number_of_executed_units|Done" "$BUILD/$name.log" | tail -2 | sed "s/^/  /"
  fi
done
[ "$ran" -gt 0 ] || { echo "fuzz: no targets were built"; exit 1; }
echo "fuzz: $ran targets run"
exit $status

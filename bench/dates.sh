#!/bin/sh
# Publication dates against a corpus's ground truth ("published", YYYY-MM-DD): how many pages
# rasid dates right, wrong, or not at all.
#   bench/dates.sh [CORPUS_DIR]        (default: ../shared/corpus/wcxb-dev)
# Env: RASID (default build/rasid). Compares the day as the page wrote it (the first 10
# characters of "published") with the ground truth's; pages without a ground-truth date are left out.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
corpus=${1:-$root/../shared/corpus/wcxb-dev}
rasid=${RASID:-$root/build/rasid}
[ -f "$corpus/ground-truth.json" ] || { echo "no $corpus/ground-truth.json" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for f in "$corpus"/html/*; do
  b=$(basename "$f" .gz)
  case "$f" in *.gz) gunzip -c "$f" >"$tmp/$b" ;; *) cp "$f" "$tmp/$b" ;; esac
done
"$rasid" clean --json "$tmp"/* >"$tmp/out.jsonl" 2>/dev/null
python3 - "$corpus/ground-truth.json" "$tmp/out.jsonl" <<'PY'
import json, os, sys
truth = json.load(open(sys.argv[1]))
got = {}
for line in open(sys.argv[2]):
    j = json.loads(line)
    got[os.path.basename(j["file"]).split(".")[0]] = j.get("published") or ""
n = right = wrong = none = 0
for k, v in truth.items():
    gt = (v.get("published") or "")[:10]
    if not gt:
        continue
    n += 1
    p = got.get(k, "")
    if not p:
        none += 1
    elif p[:10] == gt:
        right += 1
    else:
        wrong += 1
print(f"pages_with_date={n} right={right} wrong={wrong} none={none} accuracy={right / max(n, 1):.3f}")
PY

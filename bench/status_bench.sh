#!/usr/bin/env bash
# bench/status_bench.sh RASID_BINARY [ARTICLES] — latency of the status endpoint on a filled
# database: a python3 http.server serves one feed of ARTICLES (default 300) Arabic articles,
# `rasid once` stores them (3 topics match most of them), `rasid run` serves the status page;
# each path is requested 50 times with curl (one connection each) and the median / p95 of
# time_total are printed with the answer size, plus the daemon's RSS from /metrics.
set -euo pipefail
RASID=${1:?usage: status_bench.sh RASID_BINARY [ARTICLES]}
N=${2:-300}
WORK=$(mktemp -d)
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT
mkdir -p "$WORK/site/news"
python3 -u -m http.server 0 --bind 127.0.0.1 --directory "$WORK/site" >"$WORK/site.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 100); do
  PORT=$(sed -n 's/.*port \([0-9][0-9]*\).*/\1/p' "$WORK/site.log" | head -n1)
  [[ -n "${PORT:-}" ]] && break
  sleep 0.1
done
BASE="http://127.0.0.1:$PORT"
python3 - "$WORK/site" "$BASE" "$N" <<'PY'
import sys, random
root, base, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
random.seed(7)
words = ("سوريا إيران العراق لبنان أسعار القمح الطحين الحكومة وزارة الاقتصاد الطاقة النقل دمشق حلب "
         "بغداد بيروت الأسواق المزارعون الموسم الزراعة الشتاء المنتخب المباراة البطولة الجمهور").split()
items = []
for i in range(n):
    title = " ".join(random.choice(words) for _ in range(8)) + f" {i}"
    paras = [" ".join(random.choice(words) for _ in range(40)) + "." for _ in range(5)]
    with open(f"{root}/news/a{i}.html", "w") as f:
        f.write(f'<!doctype html><html lang="ar" dir="rtl"><head><meta charset="utf-8"><title>{title}</title></head>'
                f'<body><article><h1>{title}</h1>' + "".join(f"<p>{p}</p>" for p in paras) + "</article></body></html>")
    items.append(f"<item><title>{title}</title><link>{base}/news/a{i}.html</link><guid>a{i}</guid></item>")
with open(f"{root}/feed.xml", "w") as f:
    f.write('<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>t</title>'
            + "".join(items) + "</channel></rss>")
PY
cat > "$WORK/rasid.toml" <<TOML
[daemon]
database = "$WORK/rasid.db"
allow_private = ["127.0.0.0/8"]
status_listen = "127.0.0.1:0"
max_body_bytes = 67108864
per_host_delay_ms = 0
[[source]]
name = "bench"
feed = "$BASE/feed.xml"
alert_on_first_poll = true
[[source]]
name = "missing"
feed = "$BASE/missing.xml"
[[topic]]
name = "syria"
query = 'سوريا'
[[topic]]
name = "wheat"
query = '"أسعار القمح" OR الطحين'
[[topic]]
name = "iraq-lebanon"
query = 'العراق AND لبنان'
TOML
"$RASID" once --config "$WORK/rasid.toml" 2>"$WORK/once.err"
"$RASID" run --config "$WORK/rasid.toml" 2>"$WORK/run.err" &
PIDS+=($!)
for _ in $(seq 100); do
  SPORT=$(sed -n 's|.*status: listening on http://127\.0\.0\.1:\([0-9][0-9]*\)/.*|\1|p' "$WORK/run.err" | head -n1)
  [[ -n "${SPORT:-}" ]] && break
  sleep 0.1
done
echo "articles stored: $(curl -s "http://127.0.0.1:$SPORT/api/articles?limit=500&since=1d" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["articles"]))')"
for path in / "/?lang=en" /metrics /api/sources "/api/articles?limit=50" "/api/articles?topic=syria&limit=50" "/api/articles?q=%D8%A7%D9%84%D9%82%D9%85%D8%AD" /api/topics /healthz; do
  for _ in $(seq 50); do
    curl -s -o /dev/null -w '%{time_total} %{size_download}\n' "http://127.0.0.1:$SPORT$path"
  done | sort -n | awk -v p="$path" '{t[NR]=$1; s=$2} END {printf "%-40s median %6.2f ms  p95 %6.2f ms  %7d bytes\n", p, t[int(NR/2)]*1000, t[int(NR*0.95)]*1000, s}'
done
curl -s "http://127.0.0.1:$SPORT/metrics" | grep '^process_resident_memory_bytes'

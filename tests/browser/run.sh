#!/usr/bin/env bash
# tests/browser/run.sh RASID_BINARY ARTIFACT_DIR — the status page in a real browser.
#
# A python3 http.server serves a news site (a feed whose article title carries a <script>, and a
# feed address that answers 404); `rasid once` fills a fresh database, `rasid run` serves the
# status page on a free port; Debian's chromium (headless) loads it and we assert on the DOM it
# rendered: RTL, the failing source listed first, a <mark> highlight, the script shown as text and
# never run. Screenshots (phone and desktop width) are kept in ARTIFACT_DIR.
# Exit 77 (ctest: skipped) when chromium or python3 is missing — never a silent pass.
set -euo pipefail

RASID=${1:?usage: run.sh RASID_BINARY ARTIFACT_DIR}
ART=${2:?usage: run.sh RASID_BINARY ARTIFACT_DIR}
CHROMIUM=$(command -v chromium || command -v chromium-browser || true)
if [[ -z "$CHROMIUM" ]]; then
  echo "SKIPPED: chromium is not installed (apt-get install chromium)"
  exit 77
fi
if ! command -v python3 >/dev/null; then
  echo "SKIPPED: python3 is not installed (it serves the test site)"
  exit 77
fi
mkdir -p "$ART"
WORK=$(mktemp -d)
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT
fail() {
  echo "FAIL: $*"
  echo "--- rasid log:"; tail -n 30 "$WORK/run.err" 2>/dev/null || true
  exit 1
}

# ---- the site ---------------------------------------------------------------------------------
SITE="$WORK/site"
mkdir -p "$SITE/news"
TITLE_XML="&lt;script&gt;document.title='pwned';document.documentElement.setAttribute('data-pwned','1')&lt;/script&gt; محادثات بين سوريا وإيران حول إعادة الإعمار"
article() {  # slug title-escaped paragraph...
  local slug=$1 title=$2; shift 2
  {
    echo "<!doctype html><html lang=\"ar\" dir=\"rtl\"><head><meta charset=\"utf-8\"><title>$title</title></head><body>"
    echo "<nav><a href=\"/\">الرئيسية</a> <a href=\"/news\">أخبار</a></nav><article><h1>$title</h1>"
    for p in "$@"; do echo "<p>$p</p>"; done
    echo "</article><footer>جميع الحقوق محفوظة</footer></body></html>"
  } > "$SITE/news/$slug.html"
}
article talks "$TITLE_XML" \
  "عقد وفدان من سوريا وإيران اجتماعاً مطولاً في دمشق يوم الأحد، ناقشا خلاله ملفات إعادة الإعمار والطاقة والنقل بين البلدين." \
  "وقال مسؤول في وزارة الخارجية إن الجانبين اتفقا على تشكيل لجنة مشتركة تجتمع كل ثلاثة أشهر، وتتابع تنفيذ الاتفاقات الموقعة سابقاً." \
  "ويأتي الاجتماع بعد أسابيع من زيارة قام بها وزير الاقتصاد الإيراني إلى العاصمة السورية."
article wheat "ارتفاع أسعار القمح في الأسواق مع اقتراب الشتاء" \
  "شهدت أسواق حلب وحمص ارتفاعاً ملحوظاً في أسعار القمح والطحين خلال الأسبوع الماضي، بحسب تجار تحدثوا لمراسلنا." \
  "ويعزو التجار الارتفاع إلى تراجع الكميات المستوردة وارتفاع تكاليف النقل."

python3 -u -m http.server 0 --bind 127.0.0.1 --directory "$SITE" >"$WORK/site.log" 2>&1 &
PIDS+=($!)
SITE_PORT=""
for _ in $(seq 100); do
  SITE_PORT=$(sed -n 's/.*port \([0-9][0-9]*\).*/\1/p' "$WORK/site.log" | head -n1)
  [[ -n "$SITE_PORT" ]] && break
  sleep 0.1
done
[[ -n "$SITE_PORT" ]] || fail "python3 http.server did not start"
BASE="http://127.0.0.1:$SITE_PORT"
cat > "$SITE/feed.xml" <<XML
<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>موقع الخبر</title><link>$BASE/</link>
<item><title>$TITLE_XML</title><link>$BASE/news/talks.html</link><guid>talks</guid></item>
<item><title>ارتفاع أسعار القمح في الأسواق مع اقتراب الشتاء</title><link>$BASE/news/wheat.html</link><guid>wheat</guid></item>
</channel></rss>
XML

cat > "$WORK/rasid.toml" <<TOML
[daemon]
database = "$WORK/rasid.db"
allow_private = ["127.0.0.0/8"]
status_listen = "127.0.0.1:0"

[[source]]
name = "khabar"
feed = "$BASE/feed.xml"
alert_on_first_poll = true

[[source]]
name = "broken-site"
feed = "$BASE/missing.xml"

[[topic]]
name = "syria-iran"
query = 'سوريا AND إيران'
webhooks = ["ops"]

[[topic]]
name = "wheat"
query = '"أسعار القمح"'

[[webhook]]
name = "ops"
url = "$BASE/hook"
TOML

# ---- the daemon -------------------------------------------------------------------------------
"$RASID" once --config "$WORK/rasid.toml" 2>"$WORK/once.err" || fail "rasid once: $(tail -n 5 "$WORK/once.err")"
"$RASID" run --config "$WORK/rasid.toml" 2>"$WORK/run.err" &
PIDS+=($!)
PORT=""
for _ in $(seq 100); do
  PORT=$(sed -n 's|.*status: listening on http://127\.0\.0\.1:\([0-9][0-9]*\)/.*|\1|p' "$WORK/run.err" | head -n1)
  [[ -n "$PORT" ]] && break
  sleep 0.1
done
[[ -n "$PORT" ]] || fail "rasid run did not report its status port"
URL="http://127.0.0.1:$PORT/"

# ---- the browser ------------------------------------------------------------------------------
browse() {  # extra flags...
  timeout 90 "$CHROMIUM" --headless --no-sandbox --disable-gpu --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --disable-dev-shm-usage --user-data-dir="$(mktemp -d -p "$WORK")" \
    --virtual-time-budget=3000 "$@" "$URL" 2>>"$WORK/chromium.err"
}
browse --dump-dom > "$WORK/dom.html" || fail "chromium --dump-dom failed: $(tail -n 5 "$WORK/chromium.err")"
cp "$WORK/dom.html" "$ART/status-page.dom.html"
browse --screenshot="$ART/status-page-phone.png" --window-size=412,1400 --hide-scrollbars >/dev/null ||
  fail "chromium --screenshot failed"
browse --screenshot="$ART/status-page-desktop.png" --window-size=1280,1000 --hide-scrollbars >/dev/null ||
  fail "chromium --screenshot failed"
[[ -s "$ART/status-page-phone.png" ]] || fail "no screenshot"

# ---- assertions on the rendered DOM -----------------------------------------------------------
DOM="$WORK/dom.html"
check() {  # description, grep -E pattern
  if grep -qE -- "$2" "$DOM"; then echo "ok: $1"; else fail "$1 (pattern: $2)"; fi
}
refute() {
  if grep -qE -- "$2" "$DOM"; then fail "$1 (found: $(grep -oE -- "$2" "$DOM" | head -n1))"; else echo "ok: $1"; fi
}
check "the document is right-to-left Arabic" '<html dir="rtl" lang="ar"'
check "the hostile title is shown as text" "&lt;script&gt;document\.title='pwned'"
refute "the injected script did not run (no data-pwned on <html>)" 'data-pwned="1"'
refute "the page title was not changed by the script" '<title>pwned'
refute "no <script> element exists in the DOM" '<script'
check "a matched term is highlighted" '<mark>(سوريا|إيران)</mark>'
check "the failing source shows its reason" 'HTTP 404'
FAILING=$(grep -bo 'data-source="broken-site"' "$DOM" | head -n1 | cut -d: -f1)
OK=$(grep -bo 'data-source="khabar"' "$DOM" | head -n1 | cut -d: -f1)
[[ -n "$FAILING" && -n "$OK" ]] || fail "both sources are listed"
(( FAILING < OK )) || fail "the failing source is listed first ($FAILING vs $OK)"
echo "ok: the failing source is listed first"
check "the undeliverable alert is listed" 'data-endpoint="ops"'
echo "screenshots: $ART/status-page-phone.png $ART/status-page-desktop.png"
echo "PASS"

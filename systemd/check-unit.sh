#!/bin/sh
# systemd/check-unit.sh — static checks of the shipped unit and snippets, run by ctest
# (systemd/tests.cmake, label "systemd"). Exit 77 = skipped (the tool is missing).
#   check-unit.sh verify   SRC_DIR RASID_BINARY
#   check-unit.sh security SRC_DIR
#   check-unit.sh sysusers SRC_DIR
#   check-unit.sh tmpfiles SRC_DIR
#   check-unit.sh man      SRC_DIR
set -eu
mode=$1
src=$2
need() { command -v "$1" >/dev/null 2>&1 || { echo "SKIP: $1 not installed"; exit 77; }; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

case $mode in
verify)
  need systemd-analyze
  bin=$3
  [ -x "$bin" ] || { echo "rasid binary not built: $bin"; exit 1; }
  # verify insists that ExecStart= exists and that Documentation=man:rasid(8) resolves: point
  # both at this build (a copy of the unit; the shipped one keeps /usr/bin/rasid).
  sed "s#/usr/bin/rasid#$bin#g" "$src/systemd/rasid.service" >"$tmp/rasid.service"
  mkdir -p "$tmp/man/man8"
  cp "$src/systemd/rasid.8" "$tmp/man/man8/rasid.8"
  out=$(MANPATH="$tmp/man" systemd-analyze verify "$tmp/rasid.service" 2>&1) || {
    echo "$out"; exit 1; }
  # verify also exits 0 on some warnings: any output is a failure.
  if [ -n "$out" ]; then echo "$out"; exit 1; fi
  echo "systemd-analyze verify: clean"
  ;;
security)
  need systemd-analyze
  out=$(systemd-analyze security --offline=yes --threshold=15 "$src/systemd/rasid.service" 2>&1) || {
    echo "$out"; echo "exposure above 1.5"; exit 1; }
  line=$(echo "$out" | grep 'Overall exposure level')
  echo "$line"
  score=$(echo "$line" | sed -n 's/.*: \([0-9.]*\) .*/\1/p')
  # the threshold check above is the contract; also refuse a silent format change
  awk -v s="$score" 'BEGIN { exit !(s != "" && s + 0 <= 1.5) }' || { echo "score '$score'"; exit 1; }
  # what the unit must keep allowing: AF_UNIX (curl's threaded resolver uses a socketpair)
  grep -q '^RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6$' "$src/systemd/rasid.service"
  ;;
sysusers)
  need systemd-sysusers
  mkdir -p "$tmp/root/etc"
  out=$(systemd-sysusers --dry-run --root="$tmp/root" "$src/systemd/rasid.sysusers" 2>&1)
  echo "$out"
  echo "$out" | grep -q "Creating user 'rasid'"
  ;;
tmpfiles)
  need systemd-tmpfiles
  mkdir -p "$tmp/root/etc"
  printf 'root:x:0:0::/root:/bin/sh\nrasid:x:990:990::/var/lib/rasid:/usr/sbin/nologin\n' \
    >"$tmp/root/etc/passwd"
  printf 'root:x:0:\nrasid:x:990:\n' >"$tmp/root/etc/group"
  systemd-tmpfiles --create --root="$tmp/root" "$src/systemd/rasid.tmpfiles"
  [ "$(stat -c '%a %u %g' "$tmp/root/var/lib/rasid")" = "750 990 990" ]
  [ -d "$tmp/root/etc/rasid" ]
  echo "tmpfiles: /var/lib/rasid 0750 rasid:rasid, /etc/rasid"
  ;;
man)
  need man
  # groff warnings (bad macros, unknown escapes) go to stderr
  err=$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -E UTF-8 -l "$src/systemd/rasid.8" 2>&1 >"$tmp/out")
  if [ -n "$err" ]; then echo "$err"; exit 1; fi
  grep -q 'rasid - watch Arabic news sites' "$tmp/out"
  echo "man page renders without warnings"
  ;;
*)
  echo "unknown mode $mode"; exit 2 ;;
esac

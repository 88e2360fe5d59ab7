#!/bin/sh
# Runs inside the nspawn container as a oneshot unit (see nspawn-test.sh). Drives rasid.service
# through start, HTTPS fetches, reload, a bad reload, a watchdog restart, sandbox checks and stop;
# writes a transcript and the verdict to /var/log/rasid-nspawn/.
set -u
out=/var/log/rasid-nspawn
mkdir -p $out
: >$out/transcript
fails=0
log() { echo "$*" | tee -a $out/transcript; }
check() {  # check NAME COMMAND...
  name=$1; shift
  if "$@" >>$out/transcript 2>&1; then log "PASS $name"; else log "FAIL $name"; fails=$((fails + 1)); fi
}
prop() { systemctl show -P "$1" rasid.service; }
wait_for() {  # wait_for SECONDS COMMAND...
  n=$1; shift
  i=0
  while [ $i -lt $((n * 5)) ]; do "$@" >/dev/null 2>&1 && return 0; sleep 0.2; i=$((i + 1)); done
  return 1
}

log "systemd $(systemctl --version | head -1)"

# HTTPS set-up, before rasid starts. Two test CAs made here with the openssl CLI: "system" goes
# into the system store with update-ca-certificates, "private" only into the config's ca_file.
# Three loopback TLS servers (openssl s_server -WWW serves files) carry a feed and its article:
# 8443 with a leaf of the system CA, 8444 of the private CA, 8445 self-signed.
tls=/srv/rasid-tls
servers=
mkdir -p $tls
ossl() { openssl "$@" >>$out/transcript 2>&1; }
mkca() {  # mkca NAME
  ossl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
    -subj "/CN=rasid nspawn $1 CA" -keyout $tls/$1.key -out $tls/$1.pem
}
mkleaf() {  # mkleaf NAME [CA] — signed by CA, or self-signed without one
  printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n' >$tls/leaf.ext
  if [ $# = 1 ]; then
    ossl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj /CN=127.0.0.1 \
      -addext subjectAltName=IP:127.0.0.1 -keyout $tls/$1.key -out $tls/$1.pem
  else
    ossl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj /CN=127.0.0.1 \
      -keyout $tls/$1.key -out $tls/$1.csr
    ossl x509 -req -in $tls/$1.csr -CA $tls/$2.pem -CAkey $tls/$2.key -CAcreateserial -days 2 \
      -extfile $tls/leaf.ext -out $tls/$1.pem
  fi
}
serve() {  # serve PORT CERT WORD — a feed with one article about WORD
  www=$tls/www-$1
  mkdir -p $www
  cat >$www/feed.xml <<FEED
<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>$3</title><link>https://127.0.0.1:$1/</link>
<item><title>خبر $3 عن سوريا</title><link>https://127.0.0.1:$1/article-$1.html</link><guid>$3-1</guid></item>
</channel></rss>
FEED
  cat >$www/article-$1.html <<PAGE
<!DOCTYPE html><html lang="ar" dir="rtl"><head><meta charset="utf-8"><title>خبر $3 عن سوريا</title></head>
<body><article><h1>خبر $3 عن سوريا</h1>
<p>عقد وفدان من سوريا وإيران اجتماعاً مطولاً في دمشق يوم الأحد، ناقشا خلاله ملفات إعادة الإعمار والطاقة والنقل بين البلدين.</p>
<p>وقال مسؤول في وزارة الخارجية إن الجانبين اتفقا على تشكيل لجنة مشتركة تجتمع كل ثلاثة أشهر وتتابع تنفيذ الاتفاقات.</p>
</article></body></html>
PAGE
  (cd $www && exec openssl s_server -quiet -accept 127.0.0.1:$1 -cert $tls/$2.pem -key $tls/$2.key \
    -WWW </dev/null >>$out/s_server.log 2>&1) &
  servers="$servers $!"
}
mkca system
mkca private
mkleaf leaf-system system
mkleaf leaf-private private
mkleaf leaf-self
cp $tls/system.pem /usr/local/share/ca-certificates/rasid-nspawn-system.crt
check ca-installed sh -c 'update-ca-certificates && test -e /etc/ssl/certs/rasid-nspawn-system.pem'
install -m 0644 $tls/private.pem /etc/rasid/private-ca.pem
serve 8443 leaf-system system
serve 8444 leaf-private private
serve 8445 leaf-self self
for port in 8443 8444 8445; do
  check tls-server-$port wait_for 10 sh -c "openssl s_client -connect 127.0.0.1:$port </dev/null"
done

check start systemctl start rasid.service
check active [ "$(prop ActiveState)" = active ]
pid=$(prop MainPID)
log "MainPID=$pid StatusText=$(prop StatusText)"
# STATUS= is the health verdict, then the counts (daemon/status.h): "ok | 4 sources, …"
check status-text wait_for 10 sh -c 'systemctl show -P StatusText rasid.service | grep -qE "^(ok|degraded|failing)(: .*)? \| 4 sources"'
check not-root [ "$(stat -c %u /proc/$pid)" != 0 ]
check state-dir wait_for 10 test -f /var/lib/private/rasid/rasid.db
check state-symlink [ -L /var/lib/rasid ]
awk '$5 == "/" || $5 ~ "^/(etc|var/lib)" {print "mount:", $5, $6}' /proc/$pid/mountinfo >>$out/transcript
uid=$(stat -c %u /proc/$pid)
gid=$(stat -c %g /proc/$pid)
as_service() { nsenter -t $pid -m setpriv --reuid=$uid --regid=$gid --clear-groups "$@"; }
# The sandbox, at the mount level (even root in its namespace cannot write) and as its user.
check root-read-only sh -c "! nsenter -t $pid -m touch /etc/written-by-service"
check etc-rasid-read-only sh -c "! nsenter -t $pid -m touch /etc/rasid/written-by-service"
check etc-rasid-user sh -c "! nsenter -t $pid -m setpriv --reuid=$uid --regid=$gid --clear-groups touch /etc/rasid/written-by-service"
check etc-untouched [ ! -e /etc/rasid/written-by-service -a ! -e /etc/written-by-service ]
check state-rw-mount sh -c "awk '\$5 == \"/var/lib/private/rasid\" {print \$6}' /proc/$pid/mountinfo | grep -q '^rw'"
check state-writable as_service sh -c 'cd /var/lib/rasid && touch probe && rm probe'
check home-hidden sh -c "nsenter -t $pid -m sh -c 'ls -A /root | wc -l' | grep -qx 0"

# HTTPS from inside the sandbox: the system store and the private ca_file are readable by the
# service user and both are trusted; the self-signed server is refused with its reason.
check ca-store-readable as_service sh -c 'test -r /etc/ssl/certs/ca-certificates.crt && ls /etc/ssl/certs/ >/dev/null'
check ca-file-readable as_service test -r /etc/rasid/private-ca.pem
check https-system-ca wait_for 30 sh -c 'journalctl -u rasid.service -o cat | grep -q "source=https-system-ca stored"'
check https-private-ca wait_for 30 sh -c 'journalctl -u rasid.service -o cat | grep -q "source=https-private-ca stored"'
check https-self-signed-refused wait_for 30 sh -c 'journalctl -u rasid.service -o cat | grep "source=https-self-signed" | grep -q "tls: certificate not trusted"'
check https-self-signed-not-stored sh -c '! journalctl -u rasid.service -o cat | grep -q "source=https-self-signed stored"'
journalctl -u rasid.service -o cat --no-pager | grep 'source=https-' >>$out/transcript

# Reload with a valid config: same process, RELOADING then READY.
check reload systemctl reload rasid.service
check reload-same-pid [ "$(prop MainPID)" = "$pid" ]
check reload-logged wait_for 10 sh -c 'journalctl -u rasid.service -o cat | grep -q "reloaded"'
# Reload with an invalid config: keeps running on the old one and says so.
cp /etc/rasid/rasid.toml /tmp/good.toml
echo 'bogus_key = 1' >>/etc/rasid/rasid.toml
check bad-reload systemctl reload rasid.service
check bad-reload-alive wait_for 5 sh -c '[ "$(systemctl show -P ActiveState rasid.service)" = active ]'
check bad-reload-same-pid [ "$(prop MainPID)" = "$pid" ]
check bad-reload-logged wait_for 10 sh -c 'journalctl -u rasid.service -o cat | grep -q "reload refused"'
check bad-reload-status wait_for 10 sh -c 'systemctl show -P StatusText rasid.service | grep -q "reload failed"'
cp /tmp/good.toml /etc/rasid/rasid.toml

# Watchdog: a daemon whose loop stops turning (frozen with SIGSTOP) sends no pings; systemd must
# kill and restart the service (it sends SIGCONT after its watchdog signal).
restarts=$(prop NRestarts)
kill -STOP "$(prop MainPID)"
check watchdog-restart wait_for 30 sh -c "[ \$(systemctl show -P NRestarts rasid.service) -gt $restarts ]"
check watchdog-logged sh -c 'journalctl -u rasid.service | grep -qi "watchdog timeout"'
check active-after-restart wait_for 20 sh -c '[ "$(systemctl show -P ActiveState rasid.service)" = active ]'
check new-pid [ "$(prop MainPID)" != "$pid" ]

# Stop: STOPPING=1, exit 0, well within TimeoutStopSec.
t0=$(date +%s)
check stop systemctl stop rasid.service
t1=$(date +%s)
log "stop took $((t1 - t0))s"
check stop-fast [ $((t1 - t0)) -lt 20 ]
check stop-clean [ "$(prop Result)" = success ]
check stop-exit-0 [ "$(prop ExecMainStatus)" = 0 ]
check db-kept test -f /var/lib/private/rasid/rasid.db

journalctl -u rasid.service --no-pager >$out/journal.txt 2>&1
kill $servers 2>/dev/null  # the TLS servers
log "security: $(systemd-analyze security rasid.service 2>/dev/null | tail -1)"
if [ $fails = 0 ]; then echo "ALL PASS" >$out/result; else echo "FAILED $fails" >$out/result; fi
sync

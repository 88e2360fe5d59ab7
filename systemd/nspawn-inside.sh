#!/bin/sh
# Runs inside the nspawn container as a oneshot unit (see nspawn-test.sh). Drives rasid.service
# through start, reload, a bad reload, a watchdog restart, sandbox checks and stop; writes a
# transcript and the verdict to /var/log/rasid-nspawn/.
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
check start systemctl start rasid.service
check active [ "$(prop ActiveState)" = active ]
pid=$(prop MainPID)
log "MainPID=$pid StatusText=$(prop StatusText)"
check status-text wait_for 10 sh -c 'systemctl show -P StatusText rasid.service | grep -q "polling 1 sources"'
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

# Watchdog: withhold the pings; systemd must kill and restart the service.
restarts=$(prop NRestarts)
touch /etc/rasid/stop-watchdog
check watchdog-restart wait_for 30 sh -c "[ \$(systemctl show -P NRestarts rasid.service) -gt $restarts ]"
rm -f /etc/rasid/stop-watchdog
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
log "security: $(systemd-analyze security rasid.service 2>/dev/null | tail -1)"
if [ $fails = 0 ]; then echo "ALL PASS" >$out/result; else echo "FAILED $fails" >$out/result; fi
sync

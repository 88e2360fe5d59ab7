#!/bin/sh
# systemd/nspawn-test.sh — rasid under a real systemd 252 as PID 1 (ctest systemd.nspawn).
#   nspawn-test.sh SRC_DIR RASID_BINARY WORK_DIR
# Builds (once, cached in WORK_DIR) a minimal Debian root with mmdebstrap, installs rasid into it
# with the project's own install rules (cmake --install), boots it with systemd-nspawn, and lets a
# oneshot unit inside (nspawn-inside.sh) exercise start, status, reload (good and bad config),
# a watchdog timeout leading to a restart, the sandbox, and stop. The verdict comes back in the
# root's /var/log/rasid-nspawn/. Exit 77 (skipped, with the reason) when the machine cannot do
# it — never a silent pass. HTTPS inside: the root gets a CA of its own in its system store
# (update-ca-certificates) and another as the config's ca_file; the sandboxed unit fetches from
# loopback TLS servers through both and refuses a self-signed one (see nspawn-inside.sh).
set -eu
src=$1
bin=$2
work=$3
skip() { echo "SKIP: $*"; exit 77; }

[ "$(id -u)" = 0 ] || skip "needs root (systemd-nspawn)"
command -v systemd-nspawn >/dev/null || skip "systemd-nspawn missing (apt-get install systemd-container)"
command -v mmdebstrap >/dev/null || skip "mmdebstrap missing (apt-get install mmdebstrap)"
[ -x "$bin" ] || { echo "rasid binary not built: $bin"; exit 1; }
builddir=$(dirname "$bin")

mkdir -p "$work"
pkgs=systemd,systemd-sysv,dbus,procps,util-linux,sqlite3
# rasid's runtime libraries, as the .deb would pull them in
pkgs=$pkgs,libcurl4,libsqlite3-0,libicu72,libxml2,libpugixml1v5,libsystemd0,libssl3,libtomlplusplus3,libpq5
# the system CA store and the openssl CLI (test CAs and TLS servers inside)
pkgs=$pkgs,ca-certificates,openssl
# The cached root is named after its package list: a changed list builds a new one.
tar="$work/root-$(echo "$pkgs" | cksum | cut -d' ' -f1).tar"
if [ ! -s "$tar" ]; then
  echo "building the Debian root (mmdebstrap bookworm; cached in $tar)"
  if ! mmdebstrap --format=tar --variant=minbase --include=$pkgs bookworm "$tar.part" >"$work/mmdebstrap.log" 2>&1
  then
    tail -5 "$work/mmdebstrap.log"
    rm -f "$tar.part"
    skip "mmdebstrap could not build a root (no Debian mirror reachable?)"
  fi
  mv "$tar.part" "$tar"
fi

root="$work/root"
rm -rf "$root"
mkdir -p "$root"
tar -C "$root" -xf "$tar"

# Install with the project's install rules, as `make install` would.
DESTDIR="$root" cmake --install "$builddir" --prefix /usr >"$work/install.log"
missing=$(chroot "$root" ldd /usr/bin/rasid 2>/dev/null | grep 'not found' || true)
[ -z "$missing" ] || { echo "libraries missing in the root: $missing"; exit 1; }

# Test config: one source on a closed loopback port (it fails and backs off — harmless) and three
# HTTPS sources on loopback TLS servers that nspawn-inside.sh starts: a CA in the system store,
# a private CA given as ca_file (which nspawn-inside.sh writes before rasid starts), and a
# self-signed certificate. No network needed. State in /var/lib/rasid like the shipped config.
cat >"$root/etc/rasid/rasid.toml" <<'TOML'
[daemon]
database = "/var/lib/rasid/rasid.db"
allow_private = ["127.0.0.1/8"]
ca_file = "/etc/rasid/private-ca.pem"
status_listen = ""

[[source]]
name = "loopback"
feed = "http://127.0.0.1:9/feed"
interval = "10m"

[[source]]
name = "https-system-ca"
feed = "https://127.0.0.1:8443/feed.xml"
interval = "10m"

[[source]]
name = "https-private-ca"
feed = "https://127.0.0.1:8444/feed.xml"
interval = "10m"

[[source]]
name = "https-self-signed"
feed = "https://127.0.0.1:8445/feed.xml"
interval = "10m"

[[webhook]]
name = "local"
url = "http://127.0.0.1:9/hook"

[[topic]]
name = "syria"
query = "سوريا"
webhooks = ["local"]
TOML

# Test-only drop-in: a short watchdog, a quick restart.
mkdir -p "$root/etc/systemd/system/rasid.service.d"
cat >"$root/etc/systemd/system/rasid.service.d/test.conf" <<'UNIT'
[Service]
WatchdogSec=4s
RestartSec=1s
UNIT

install -m 0755 "$src/systemd/nspawn-inside.sh" "$root/usr/local/sbin/rasid-nspawn-inside"
cat >"$root/etc/systemd/system/rasid-nspawn-test.service" <<'UNIT'
[Unit]
Description=rasid nspawn test driver
After=multi-user.target
[Service]
Type=oneshot
ExecStart=/usr/local/sbin/rasid-nspawn-inside
ExecStopPost=/bin/systemctl --no-block poweroff
StandardOutput=journal+console
UNIT
mkdir -p "$root/etc/systemd/system/multi-user.target.wants"
ln -sf ../rasid-nspawn-test.service \
  "$root/etc/systemd/system/multi-user.target.wants/rasid-nspawn-test.service"
echo rasid-test >"$root/etc/hostname"
rm -f "$root/etc/machine-id"  # systemd makes one at boot

echo "booting systemd in nspawn"
set +e
timeout 300 systemd-nspawn --quiet --keep-unit --register=no --private-network \
  -D "$root" --machine=rasid-test -b >"$work/nspawn.log" 2>&1 </dev/null
rc=$?
set -e
result="$root/var/log/rasid-nspawn/result"
if [ ! -f "$result" ]; then
  tail -20 "$work/nspawn.log"
  skip "systemd did not boot in nspawn here (rc=$rc; log: $work/nspawn.log)"
fi
cat "$root/var/log/rasid-nspawn/transcript"
grep -q '^ALL PASS$' "$result" || { echo "nspawn test failed (root kept: $root)"; exit 1; }
echo "nspawn: all checks passed"
rm -rf "$root"  # ~700 MB; the tarball stays cached

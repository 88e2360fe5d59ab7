#!/usr/bin/env bash
# Installs the Debian 12 packages rasid needs to build and test, only when some are missing.
set -euo pipefail
PKGS=(
  g++ cmake make pkg-config python3
  libcurl4-openssl-dev libpugixml-dev libboost-dev libsqlite3-dev libicu-dev
  libgtest-dev libgmock-dev libxml2-dev libtomlplusplus-dev nlohmann-json3-dev
  libcli11-dev libsystemd-dev libssl-dev systemd zlib1g-dev libzstd-dev libbrotli-dev
  hunspell-ar  # the Arabic word list the analyzer reads at run time (text/lexicon.h)
  libpq-dev  # the PostgreSQL client library of the second storage backend (storage/pg.h)
  postgresql-15  # initdb/postgres for the throwaway clusters of the tests (tests/support/pg_cluster.h)
)
# Extra packages for CI-only checks (fuzzers, browser): RASID_EXTRA_PKGS="clang ..."
if [ -n "${RASID_EXTRA_PKGS:-}" ]; then read -r -a extra <<<"$RASID_EXTRA_PKGS"; PKGS+=("${extra[@]}"); fi
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "rasid: installing missing Debian packages: ${missing[*]}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"

#!/bin/sh
# Installs the Debian packages the test suite needs, when they are missing.
# The suite starts its own private servers from these binaries (tests/servers.py).
set -e
missing=""
# command:debian-package pairs. PostgreSQL's binaries live in /usr/lib/postgresql/<version>/bin,
# which is not on PATH on Debian, hence the second test.
DEPS="initdb:postgresql pg_ctl:postgresql redis-server:redis-server"
for spec in $DEPS; do
  cmd=${spec%%:*}; pkg=${spec#*:}
  if ! command -v "$cmd" >/dev/null 2>&1 && ! ls /usr/lib/postgresql/*/bin/"$cmd" >/dev/null 2>&1; then
    case " $missing " in *" $pkg "*) ;; *) missing="$missing $pkg" ;; esac
  fi
done
[ -z "$missing" ] && exit 0
echo "system-deps: installing Debian packages:$missing"
SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
# other apt users (unattended upgrades, a parallel make) hold the dpkg lock: wait for it
$SUDO apt-get -o DPkg::Lock::Timeout=300 update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get -o DPkg::Lock::Timeout=300 install -y -qq \
  --no-install-recommends $missing >/dev/null
# the packages' own clusters and services are not needed: the tests start private servers
echo "system-deps: installed:$missing"

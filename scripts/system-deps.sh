#!/bin/sh
# Installs the Debian packages the test suite needs, when they are missing.
# The suite starts its own private servers from these binaries (tests/servers.py).
set -e
missing=""
# command:debian-package pairs; a later issue adds the database servers here
DEPS=""
for spec in $DEPS; do
  cmd=${spec%%:*}; pkg=${spec#*:}
  command -v "$cmd" >/dev/null 2>&1 || ls /usr/lib/postgresql/*/bin/"$cmd" >/dev/null 2>&1 || missing="$missing $pkg"
done
[ -z "$missing" ] && exit 0
echo "system-deps: installing Debian packages:$missing"
SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $missing >/dev/null

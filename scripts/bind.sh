#!/usr/bin/env bash
# Installs BIND 9 (named, tsig-keygen) from Debian packages when it is missing.
# The package does not start a service; tests run their own named.
set -euo pipefail

if command -v named >/dev/null 2>&1 || [[ -x /usr/sbin/named ]]; then
	echo "bind: named present"
	exit 0
fi

sudo=""
if [[ "$(id -u)" -ne 0 ]]; then
	if ! command -v sudo >/dev/null 2>&1; then
		echo "bind: named missing; install bind9 and bind9-dnsutils as root" >&2
		exit 1
	fi
	sudo="sudo -n"
fi

start=$(date +%s)
echo "bind: installing bind9 and bind9-dnsutils"
$sudo apt-get update
$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y bind9 bind9-dnsutils
echo "bind: installed in $(($(date +%s) - start))s"

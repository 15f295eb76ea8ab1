#!/usr/bin/env bash
# Installs BIND 9 (named, tsig-keygen) from Debian packages when it is missing.
# The package does not start a service; tests run their own named.
set -euo pipefail

if command -v named >/dev/null 2>&1 || [[ -x /usr/sbin/named ]]; then
	echo "bind: named present"
	exit 0
fi

exec "$(dirname "$0")/apt-install.sh" bind bind9 bind9-dnsutils

#!/usr/bin/env bash
# Installs Knot DNS (knotd) from Debian packages when it is missing. The tests
# run their own knotd on a loopback port; the package's service must not hold
# port 53, so it is kept from starting (apt-install.sh --no-start).
set -euo pipefail

if command -v knotd >/dev/null 2>&1 || [[ -x /usr/sbin/knotd ]]; then
	echo "knot: knotd present"
	exit 0
fi

"$(dirname "$0")/apt-install.sh" --no-recommends --no-start knot.service knot knot

#!/usr/bin/env bash
# Installs promtool (Debian's prometheus package) when it is missing.
# The tests only run promtool; the package's server is not used.
set -euo pipefail

if command -v promtool >/dev/null 2>&1 || [[ -x /usr/bin/promtool ]]; then
	echo "prometheus: promtool present"
	exit 0
fi

exec "$(dirname "$0")/apt-install.sh" --no-recommends prometheus prometheus

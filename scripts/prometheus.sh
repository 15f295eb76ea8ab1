#!/usr/bin/env bash
# Installs promtool (Debian's prometheus package) when it is missing.
# The tests only run promtool; the package's server is not used.
set -euo pipefail

if command -v promtool >/dev/null 2>&1 || [[ -x /usr/bin/promtool ]]; then
	echo "prometheus: promtool present"
	exit 0
fi

sudo=""
if [[ "$(id -u)" -ne 0 ]]; then
	if ! command -v sudo >/dev/null 2>&1; then
		echo "prometheus: promtool missing; install prometheus as root" >&2
		exit 1
	fi
	sudo="sudo -n"
fi

start=$(date +%s)
echo "prometheus: installing prometheus"
$sudo apt-get update
$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends prometheus
echo "prometheus: installed in $(($(date +%s) - start))s"

#!/usr/bin/env bash
# Installs Chromium from Debian packages when it is missing.
# The status page's browser test drives it headless; nothing is started here.
set -euo pipefail

for bin in chromium chromium-browser google-chrome; do
	if command -v "$bin" >/dev/null 2>&1; then
		echo "chromium: $bin present"
		exit 0
	fi
done

sudo=""
if [[ "$(id -u)" -ne 0 ]]; then
	if ! command -v sudo >/dev/null 2>&1; then
		echo "chromium: chromium missing; install chromium as root" >&2
		exit 1
	fi
	sudo="sudo -n"
fi

start=$(date +%s)
echo "chromium: installing chromium"
$sudo apt-get update
$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y chromium
echo "chromium: installed in $(($(date +%s) - start))s"

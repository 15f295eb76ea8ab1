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

exec "$(dirname "$0")/apt-install.sh" chromium chromium

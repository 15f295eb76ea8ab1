#!/usr/bin/env bash
# Installs Knot DNS (knotd) from Debian packages when it is missing. The tests
# run their own knotd on a loopback port; the package's service must not hold
# port 53, so it is kept from starting during the install (policy-rc.d) and
# stopped and disabled afterwards if it started anyway.
set -euo pipefail

if command -v knotd >/dev/null 2>&1 || [[ -x /usr/sbin/knotd ]]; then
	echo "knot: knotd present"
	exit 0
fi

sudo=""
if [[ "$(id -u)" -ne 0 ]]; then
	sudo="sudo -n"
fi

# invoke-rc.d and deb-systemd-invoke ask policy-rc.d before starting a
# service; exit 101 means "not allowed". Only ours is removed afterwards.
policy=/usr/sbin/policy-rc.d
ours=""
if [[ ! -e "$policy" ]] && { [[ -z "$sudo" ]] || command -v sudo >/dev/null 2>&1; }; then
	printf '#!/bin/sh\nexit 101\n' | $sudo tee "$policy" >/dev/null
	$sudo chmod 755 "$policy"
	ours=1
fi
cleanup() {
	if [[ -n "$ours" ]]; then
		$sudo rm -f "$policy"
	fi
}
trap cleanup EXIT

"$(dirname "$0")/apt-install.sh" --no-recommends knot knot

if command -v systemctl >/dev/null 2>&1 && [[ -d /run/systemd/system ]]; then
	$sudo systemctl disable --now knot.service >/dev/null 2>&1 || true
fi

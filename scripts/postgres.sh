#!/usr/bin/env bash
# Installs PostgreSQL (initdb, pg_ctl, pg_basebackup under
# /usr/lib/postgresql/VERSION/bin) from Debian packages when it is missing.
# Tests run their own primary and replicas, as the package's postgres user,
# on loopback ports; the package's own cluster must not start on port 5432,
# so services are kept from starting during the install (policy-rc.d) and
# the package's service is stopped and disabled afterwards if it started anyway.
set -euo pipefail

for b in /usr/lib/postgresql/*/bin/pg_ctl; do
	if [[ -x "$b" ]]; then
		echo "postgres: $b present"
		exit 0
	fi
done

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

# postgresql-contrib (a recommendation) is not needed.
"$(dirname "$0")/apt-install.sh" --no-recommends postgres postgresql

if command -v systemctl >/dev/null 2>&1 && [[ -d /run/systemd/system ]]; then
	$sudo systemctl disable --now postgresql.service >/dev/null 2>&1 || true
fi

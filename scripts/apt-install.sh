#!/usr/bin/env bash
# apt-install.sh [--no-recommends] [--no-start SERVICE] NAME PACKAGE...
# installs Debian packages (as root, or through sudo without a password),
# saying how long it took. The scripts that check for each tool call it only
# when the tool is missing. --no-start keeps the package's own SERVICE from
# starting (the tests run their own servers on loopback ports): policy-rc.d
# refuses every start during the install, and SERVICE is stopped and
# disabled afterwards if it started anyway.
set -euo pipefail

opts=()
service=""
while [[ "${1:-}" == --* ]]; do
	case "$1" in
	--no-recommends) opts=(--no-install-recommends); shift ;;
	--no-start) service=$2; shift 2 ;;
	*) echo "apt-install.sh: unknown option $1" >&2; exit 2 ;;
	esac
done
name=$1
shift
sudo=""
if [[ "$(id -u)" -ne 0 ]]; then
	if ! command -v sudo >/dev/null 2>&1; then
		echo "$name: missing; install $* as root" >&2
		exit 1
	fi
	sudo="sudo -n"
fi

# invoke-rc.d and deb-systemd-invoke ask policy-rc.d before starting a
# service; exit 101 means "not allowed". Only ours is removed afterwards.
policy=/usr/sbin/policy-rc.d
ours=""
if [[ -n "$service" && ! -e "$policy" ]]; then
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

start=$(date +%s)
echo "$name: installing $*"
$sudo apt-get update
$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y "${opts[@]}" "$@"
echo "$name: installed in $(($(date +%s) - start))s"

if [[ -n "$service" ]] && command -v systemctl >/dev/null 2>&1 && [[ -d /run/systemd/system ]]; then
	$sudo systemctl disable --now "$service" >/dev/null 2>&1 || true
fi

#!/usr/bin/env bash
# apt-install.sh [--no-recommends] NAME PACKAGE... installs Debian packages
# (as root, or through sudo without a password), saying how long it took.
# The scripts that check for each tool call it only when the tool is missing.
set -euo pipefail

opts=()
if [[ "${1:-}" == --no-recommends ]]; then
	opts=(--no-install-recommends)
	shift
fi
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

start=$(date +%s)
echo "$name: installing $*"
$sudo apt-get update
$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y "${opts[@]}" "$@"
echo "$name: installed in $(($(date +%s) - start))s"

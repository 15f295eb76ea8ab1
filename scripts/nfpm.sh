#!/usr/bin/env bash
# scripts/nfpm.sh [--with-test-tools] installs what `make release` needs:
#   .tools/bin/nfpm   nfpm (deb and rpm packager), built with `go install` at the
#                     pinned version; not in lifeboat's go.mod, a tool only
# and with --with-test-tools (make tools) what the packaging test needs too:
#   dpkg-deb, systemd-analyze   from Debian packages, when missing (the test
#                     unpacks the .deb and verifies the systemd unit)
# Idempotent: nfpm is rebuilt only when missing or at another version.
set -euo pipefail

NFPM_VERSION=v2.48.0

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bin="$root/.tools/bin"
mkdir -p "$bin"

if [[ -x "$bin/nfpm" ]] && go version -m "$bin/nfpm" 2>/dev/null | grep -q "mod[[:space:]]*github.com/goreleaser/nfpm/v2[[:space:]]*$NFPM_VERSION"; then
	echo "nfpm: $NFPM_VERSION present ($bin/nfpm)"
else
	start=$(date +%s)
	echo "nfpm: building $NFPM_VERSION (about a minute the first time)"
	# From outside the module, so lifeboat's go.mod is neither read nor changed.
	(cd / && GOBIN="$bin" GOFLAGS= go install "github.com/goreleaser/nfpm/v2/cmd/nfpm@$NFPM_VERSION")
	echo "nfpm: built in $(($(date +%s) - start))s"
fi

[[ "${1:-}" == --with-test-tools ]] || exit 0

if ! command -v dpkg-deb >/dev/null 2>&1; then
	"$root/scripts/apt-install.sh" --no-recommends dpkg-deb dpkg
fi
if ! command -v systemd-analyze >/dev/null 2>&1; then
	"$root/scripts/apt-install.sh" --no-recommends systemd-analyze systemd
fi

#!/usr/bin/env bash
# Builds SeaweedFS (`weed`, an S3-compatible server the backup tests store
# objects in) into the ignored folder .tools/bin/weed, from the Go module
# proxy. `go install` refuses the module (its go.mod has replace directives),
# so the module is downloaded and built inside a writable copy of itself.
# Idempotent: does nothing when .tools/bin/weed is there and reports the
# pinned commit (`weed version`); otherwise builds it (about 5 minutes and a
# 230 MB binary the first time on 2 cores).
set -euo pipefail

module=github.com/seaweedfs/seaweedfs
version=v0.0.0-20261109003541-7506e5f91cd6
commit=${version##*-} # the pseudo-version's commit, stamped into `weed version`

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
tools="$root/.tools"
bin="$tools/bin/weed"
mkdir -p "$tools/bin"

present() { [[ -x "$bin" ]] && "$bin" version 2>/dev/null | grep -q "$commit"; }

if present; then
	echo "seaweedfs: weed $commit present ($bin)"
	exit 0
fi

# One build at a time (shared with scripts/tools.sh): these builds are large.
if command -v flock >/dev/null 2>&1; then
	exec 9>"$tools/.lock"
	flock 9
	if present; then
		echo "seaweedfs: weed $commit present ($bin)"
		exit 0
	fi
fi

start=$(date +%s)
echo "seaweedfs: building weed $commit (about 5 minutes the first time)"
dir=$(go mod download -json "$module@$version" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",*$/\1/p')
if [[ -z "$dir" || ! -d "$dir" ]]; then
	echo "seaweedfs: go mod download $module@$version failed" >&2
	exit 1
fi
src=$(mktemp -d)
trap 'rm -rf "$src"' EXIT
cp -r "$dir/." "$src"
chmod -R u+w "$src"
(cd "$src" && GOFLAGS="-mod=mod -buildvcs=false" go build -trimpath \
	-ldflags "-s -w -X $module/weed/util/version.COMMIT=$commit" -o "$bin.tmp" ./weed)
mv "$bin.tmp" "$bin"
echo "seaweedfs: built weed in $(($(date +%s) - start))s"

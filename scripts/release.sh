#!/usr/bin/env bash
# Builds lifeboat's release into dist/ (make release):
#   lifeboat-VERSION-linux-ARCH       static binaries (CGO_ENABLED=0, -trimpath)
#   lifeboat_VERSION_ARCH.deb, lifeboat-VERSION-1.ARCH.rpm   packages (nfpm,
#                                     from packaging/nfpm.yaml)
#   SHA256SUMS                        of all of the above
# Settings, from the environment:
#   LIFEBOAT_VERSION   what `lifeboat --version` prints; default
#                      `git describe --tags --always --dirty` (on a tagged
#                      commit: the tag itself, v1.2.3)
#   RELEASE_ARCHES     default "amd64 arm64"
#   DIST               default dist/ at the repository's root
#   NFPM               default .tools/bin/nfpm (scripts/nfpm.sh installs it)
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

version="${LIFEBOAT_VERSION:-$(git describe --tags --always --dirty 2>/dev/null || echo dev)}"
arches="${RELEASE_ARCHES:-amd64 arm64}"
dist="${DIST:-$root/dist}"
nfpm="${NFPM:-$root/.tools/bin/nfpm}"

if [[ ! -x "$nfpm" ]]; then
	echo "release: nfpm not found at $nfpm: run scripts/nfpm.sh (make tools)" >&2
	exit 1
fi
# The binary's version must not carry a space or quote into -ldflags.
if [[ ! "$version" =~ ^[A-Za-z0-9._+~-]+$ ]]; then
	echo "release: version $version: only letters, digits and ._+~- are allowed" >&2
	exit 1
fi

# Packages need a version that sorts: a tag (v1.2.3, v1.2.3-rc.1) as it is,
# anything else (an untagged commit: e7682a7-dirty) as a 0.0.0 pre-release,
# which deb and rpm order below every real release.
if [[ "$version" =~ ^v?[0-9]+\.[0-9]+\.[0-9]+([-+].*)?$ ]]; then
	pkg_version="$version"
else
	pkg_version="0.0.0-dev.${version//[^A-Za-z0-9.]/.}"
fi

mkdir -p "$dist"
# Only what an earlier run made, so DIST may be a folder that holds more.
rm -f "$dist"/lifeboat-*-linux-* "$dist"/lifeboat_*.deb "$dist"/lifeboat-*.rpm "$dist"/SHA256SUMS

for arch in $arches; do
	bin="$dist/lifeboat-$version-linux-$arch"
	echo "release: lifeboat $version linux/$arch"
	CGO_ENABLED=0 GOOS=linux GOARCH="$arch" go build -trimpath \
		-ldflags "-s -w -X main.version=$version" -o "$bin" ./cmd/lifeboat
	for packager in deb rpm; do
		LIFEBOAT_PKG_VERSION="$pkg_version" LIFEBOAT_ARCH="$arch" LIFEBOAT_BIN="$bin" \
			"$nfpm" package --config packaging/nfpm.yaml --packager "$packager" --target "$dist/" >/dev/null
	done
done

(cd "$dist" && sha256sum lifeboat-*-linux-* lifeboat_*.deb lifeboat-*.rpm >SHA256SUMS)
echo "release: $dist"
sed 's/^/  /' "$dist/SHA256SUMS"

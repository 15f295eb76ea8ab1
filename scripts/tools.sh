#!/usr/bin/env bash
# Builds the real parts the tests drive, into the ignored folder .tools/:
#   .tools/bin/tofu          OpenTofu, from the tools module tools/tofu
#   .tools/mirror/...        providers local, null, dns, each from tools/providers/NAME,
#                            laid out as an OpenTofu filesystem mirror
#   .tools/tofurc            CLI config that points OpenTofu at that mirror
# Idempotent: a part that is already there is not built again (delete it to rebuild).
# Needs only Go and access to the Go module proxy.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
tools="$root/.tools"
mkdir -p "$tools/bin" "$tools/mirror"
# The physical path: a .tools shared by symlink between checkouts must not
# point OpenTofu at the mirror of whichever checkout wrote tofurc last.
tools="$(cd "$tools" && pwd -P)"

# One build at a time: the OpenTofu build alone peaks near 1.8 GB.
if command -v flock >/dev/null 2>&1; then
	exec 9>"$tools/.lock"
	flock 9
fi

platform="$(go env GOOS)_$(go env GOARCH)"

elapsed() { echo "$(($(date +%s) - $1))s"; }

tofu_bin="$tools/bin/tofu"
if [[ -x "$tofu_bin" ]]; then
	echo "tools: tofu present ($tofu_bin)"
else
	start=$(date +%s)
	echo "tools: building OpenTofu (takes about 3 minutes and 1.8 GB the first time)"
	(cd "$root/tools/tofu" &&
		go build -trimpath -ldflags "-s -w -X github.com/opentofu/opentofu/version.dev=no" \
			-o "$tofu_bin.tmp" github.com/opentofu/opentofu/cmd/tofu)
	mv "$tofu_bin.tmp" "$tofu_bin"
	echo "tools: built tofu in $(elapsed "$start")"
fi

# name version package: the module version is pinned in tools/providers/NAME/go.mod;
# the version here is the release it corresponds to, which the mirror layout needs.
providers=(
	"local 2.9.0 github.com/terraform-providers/terraform-provider-local"
	"null 2.1.2 github.com/terraform-providers/terraform-provider-null"
	"dns 2.2.0 github.com/terraform-providers/terraform-provider-dns"
)
for p in "${providers[@]}"; do
	read -r name version pkg <<<"$p"
	dir="$tools/mirror/registry.opentofu.org/hashicorp/$name/$version/$platform"
	bin="$dir/terraform-provider-${name}_v$version"
	if [[ -x "$bin" ]]; then
		echo "tools: provider $name $version present"
		continue
	fi
	start=$(date +%s)
	echo "tools: building provider $name $version"
	mkdir -p "$dir"
	# Same flags every time: .terraform.lock.hcl records the binary's hash.
	(cd "$root/tools/providers/$name" && go build -trimpath -o "$bin.tmp" "$pkg")
	mv "$bin.tmp" "$bin"
	echo "tools: built provider $name in $(elapsed "$start")"
done

cat >"$tools/tofurc.tmp" <<RC
provider_installation {
  filesystem_mirror {
    path    = "$tools/mirror"
    include = ["registry.opentofu.org/hashicorp/*"]
  }
}
RC
mv "$tools/tofurc.tmp" "$tools/tofurc"
echo "tools: wrote $tools/tofurc"

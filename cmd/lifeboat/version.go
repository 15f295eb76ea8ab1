package main

import "runtime/debug"

// A release build sets version with -ldflags (make build, make release:
// the output of git describe, the tag itself on a tagged commit). A binary
// from `go install module@v1.2.3` has no ldflags but carries its module
// version in the build information, so it reports that instead of "dev".
func init() {
	version = resolveVersion(version, debug.ReadBuildInfo)
}

// resolveVersion is the version to report: the stamped one when there is
// one, else the main module's version from the build information, else
// "dev". A build from a checkout reports "(devel)" or a pseudo-version
// there; "(devel)" says nothing, so it stays "dev".
func resolveVersion(stamped string, readBuildInfo func() (*debug.BuildInfo, bool)) string {
	if stamped != "" && stamped != "dev" {
		return stamped
	}
	if bi, ok := readBuildInfo(); ok && bi != nil {
		if v := bi.Main.Version; v != "" && v != "(devel)" {
			return v
		}
	}
	return "dev"
}

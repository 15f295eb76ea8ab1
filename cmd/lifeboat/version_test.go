package main

import (
	"runtime/debug"
	"testing"
)

func TestResolveVersion(t *testing.T) {
	info := func(v string) func() (*debug.BuildInfo, bool) {
		return func() (*debug.BuildInfo, bool) {
			return &debug.BuildInfo{Main: debug.Module{Path: "github.com/lifeboat-dev/lifeboat/cmd/lifeboat", Version: v}}, true
		}
	}
	none := func() (*debug.BuildInfo, bool) { return nil, false }
	for _, tc := range []struct {
		name    string
		stamped string
		read    func() (*debug.BuildInfo, bool)
		want    string
	}{
		{"ldflags tag wins over module version", "v1.2.3", info("v1.0.0"), "v1.2.3"},
		{"ldflags describe output kept as is", "v1.2.3-4-gabcdef0-dirty", info("(devel)"), "v1.2.3-4-gabcdef0-dirty"},
		{"go install of a tag", "dev", info("v1.4.0"), "v1.4.0"},
		{"go install of a commit: pseudo-version", "dev", info("v0.0.0-20261207183000-e7682a7abcde"), "v0.0.0-20261207183000-e7682a7abcde"},
		{"go build in a checkout", "dev", info("(devel)"), "dev"},
		{"empty module version", "dev", info(""), "dev"},
		{"no build information", "dev", none, "dev"},
		{"empty stamp", "", none, "dev"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := resolveVersion(tc.stamped, tc.read); got != tc.want {
				t.Errorf("resolveVersion(%q) = %q, want %q", tc.stamped, got, tc.want)
			}
		})
	}
}

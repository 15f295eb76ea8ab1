package daemon

import (
	"slices"
	"testing"
)

// A lowering ends without a recovery only when every service it covered
// runs elsewhere now: one service still placed at the provider, or with
// no placement known, keeps it.
func TestMovedAway(t *testing.T) {
	known := func(s string) bool { return s != "gone" }
	for _, tc := range []struct {
		name     string
		services []string
		placed   map[string]string
		want     bool
		lines    int
	}{
		{"every service moved", []string{"api", "www"}, map[string]string{"api": "bravo", "www": "charlie"}, true, 2},
		{"one still at alpha", []string{"api", "www"}, map[string]string{"api": "bravo", "www": "alpha"}, false, 0},
		{"placement unknown", []string{"www"}, map[string]string{}, false, 0},
		{"removed from the configuration", []string{"gone", "www"}, map[string]string{"www": "bravo"}, true, 2},
		{"nothing lowered", nil, map[string]string{"www": "bravo"}, false, 0},
	} {
		got, lines := movedAway(tc.services, tc.placed, "alpha", known)
		if got != tc.want || len(lines) != tc.lines {
			t.Errorf("%s: movedAway = %v %q, want %v with %d lines", tc.name, got, lines, tc.want, tc.lines)
		}
		if got && !slices.ContainsFunc(lines, func(l string) bool { return len(l) > 0 }) {
			t.Errorf("%s: no evidence line", tc.name)
		}
	}
}

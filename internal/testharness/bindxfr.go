package testharness

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Transfers counts the zone transfers (AXFR) named has served since it
// first started, from its own log: what a DNS provider's API read costs
// at a real server, counted by the server.
func (b *BIND) Transfers(t testing.TB) int {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(b.Dir, "named.log"))
	if err != nil {
		t.Fatalf("testharness: named's log: %v", err)
	}
	return strings.Count(string(data), ": AXFR started")
}

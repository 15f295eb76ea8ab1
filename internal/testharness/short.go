package testharness

import (
	"os"
	"testing"
)

// Real marks a test as one that drives a real part (OpenTofu, BIND, Knot,
// Chromium, promtool, etcd, a built binary): `go test -short` (make unit)
// skips it. CI runs with LIFEBOAT_REQUIRE_REAL=1, where -short is refused,
// so no real-part test is ever skipped there in silence.
func Real(t testing.TB, part string) {
	t.Helper()
	if !testing.Short() {
		return
	}
	if os.Getenv(RequireRealEnv) == "1" {
		t.Fatalf("%s: -short skips the real parts, but %s=1 requires them; run without one of the two", part, RequireRealEnv)
	}
	t.Skipf("%s: a real part, skipped under -short (make e2e runs it)", part)
}

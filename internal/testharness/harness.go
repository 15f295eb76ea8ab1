// Package testharness starts the real parts lifeboat's tests run against:
// OpenTofu with an offline provider mirror, BIND 9 and Knot DNS as RFC 2136
// DNS servers with TSIG, a parent zone, embedded etcd, Chromium for the
// status page, and HTTP servers on loopback addresses that stand in for hosts.
//
// It is imported only by tests. A part that is not installed makes the test
// skip, or fail when LIFEBOAT_REQUIRE_REAL=1 (as in CI), so a missing tool
// never turns into a silently green run there.
package testharness

import (
	"bytes"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"sync/atomic"
	"testing"
)

// RequireRealEnv names the variable that turns a missing real part into a failure.
const RequireRealEnv = "LIFEBOAT_REQUIRE_REAL"

const modulePath = "github.com/lifeboat-dev/lifeboat"

// Require handles a missing real component: t.Fatalf with an install hint when
// LIFEBOAT_REQUIRE_REAL=1, otherwise t.Skipf with the same hint.
func Require(t testing.TB, component, hint string) {
	t.Helper()
	msg := fmt.Sprintf("%s not found: %s", component, hint)
	if os.Getenv(RequireRealEnv) == "1" {
		t.Fatalf("%s (%s=1 makes this a failure)", msg, RequireRealEnv)
	}
	t.Skipf("%s (skipped; %s=1 makes this a failure)", msg, RequireRealEnv)
}

// RepoRoot walks up from the working directory to the directory holding
// lifeboat's go.mod; the tools modules below it have go.mod files of their
// own, so the module line is checked, not just the file's presence.
func RepoRoot(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatalf("testharness: working directory: %v", err)
	}
	want := []byte("module " + modulePath + "\n")
	for range 64 {
		data, err := os.ReadFile(filepath.Join(dir, "go.mod"))
		if err == nil && bytes.HasPrefix(bytes.TrimLeft(data, " \t\r\n"), want) {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			break
		}
		dir = parent
	}
	t.Fatalf("testharness: no go.mod of %s above the working directory", modulePath)
	return ""
}

// loopbackNext hands out host numbers; seeding it with the pid makes packages
// that `go test` runs in parallel (separate processes) start at different
// addresses, so they rarely pick the same one.
var loopbackNext atomic.Uint32

func init() { loopbackNext.Store(uint32(os.Getpid())) }

// LoopbackIP returns a distinct 127.0.0.x (x in 2..250) per call within the
// process, checked to be bindable. 127.0.0.1 is left to BIND and to servers
// that ask for it explicitly.
func LoopbackIP(t testing.TB) string {
	t.Helper()
	const lo, n = 2, 249
	for range n {
		x := lo + loopbackNext.Add(1)%n
		ip := "127.0.0." + strconv.Itoa(int(x))
		l, err := net.Listen("tcp", net.JoinHostPort(ip, "0"))
		if err != nil {
			continue
		}
		l.Close()
		return ip
	}
	t.Fatalf("testharness: no bindable address in 127.0.0.2-127.0.0.250")
	return ""
}

// FreePort returns a port on ip that is free for both TCP and UDP right now
// (DNS servers need both). Another process can still take it before the
// caller binds; callers that can listen on port 0 should do that instead.
func FreePort(t testing.TB, ip string) int {
	t.Helper()
	for range 50 {
		l, err := net.Listen("tcp", net.JoinHostPort(ip, "0"))
		if err != nil {
			t.Fatalf("testharness: listen on %s: %v", ip, err)
		}
		port := l.Addr().(*net.TCPAddr).Port
		u, err := net.ListenPacket("udp", net.JoinHostPort(ip, strconv.Itoa(port)))
		l.Close()
		if err != nil {
			continue
		}
		u.Close()
		return port
	}
	t.Fatalf("testharness: no port free for both TCP and UDP on %s", ip)
	return 0
}

package testharness_test

import (
	"errors"
	"net"
	"net/http"
	"strconv"
	"syscall"
	"testing"

	"github.com/lifeboat-dev/lifeboat/internal/testharness"
)

func get(t *testing.T, url string) (int, string, error) {
	t.Helper()
	return testharness.HTTPGet(url)
}

func TestHostStatusAndStop(t *testing.T) {
	h := testharness.StartHost(t, testharness.LoopbackIP(t), "alpha")

	for _, path := range []string{"/", "/healthz"} {
		code, body, err := get(t, h.URL+path)
		if err != nil || code != http.StatusOK || body != "alpha" {
			t.Fatalf("GET %s = %d %q, %v; want 200 \"alpha\"", path, code, body, err)
		}
	}

	h.SetStatus(http.StatusServiceUnavailable)
	if code, _, err := get(t, h.URL+"/healthz"); err != nil || code != http.StatusServiceUnavailable {
		t.Fatalf("after SetStatus(503): %d, %v", code, err)
	}
	h.SetStatus(http.StatusOK)
	if code, _, err := get(t, h.URL+"/healthz"); err != nil || code != http.StatusOK {
		t.Fatalf("after SetStatus(200): %d, %v", code, err)
	}

	h.Stop()
	h.Stop() // idempotent
	_, _, err := get(t, h.URL+"/healthz")
	if !errors.Is(err, syscall.ECONNREFUSED) {
		t.Fatalf("after Stop: err = %v, want connection refused", err)
	}
}

func TestLoopbackIPDistinctAndBindable(t *testing.T) {
	seen := map[string]bool{}
	for range 20 {
		ip := testharness.LoopbackIP(t)
		if seen[ip] {
			t.Fatalf("LoopbackIP returned %s twice", ip)
		}
		seen[ip] = true
		addr := net.ParseIP(ip).To4()
		if addr == nil || !addr.IsLoopback() || addr[3] < 2 || addr[3] > 250 {
			t.Fatalf("LoopbackIP = %s, want 127.0.0.2-250", ip)
		}
	}
}

func TestFreePortIsFreeForTCPAndUDP(t *testing.T) {
	ip := testharness.LoopbackIP(t)
	port := testharness.FreePort(t, ip)
	addr := net.JoinHostPort(ip, strconv.Itoa(port))
	l, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatalf("TCP %s: %v", addr, err)
	}
	defer l.Close()
	u, err := net.ListenPacket("udp", addr)
	if err != nil {
		t.Fatalf("UDP %s: %v", addr, err)
	}
	u.Close()
}

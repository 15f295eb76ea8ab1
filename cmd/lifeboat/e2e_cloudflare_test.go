package main

import (
	"fmt"
	"strings"
	"testing"

	"github.com/lifeboat-dev/lifeboat/internal/journal"
	"github.com/lifeboat-dev/lifeboat/internal/testharness"
)

// TestFailoverCloudflareProxied fails www over with a second dns block at
// Cloudflare (the loopback stand-in of its API v4, reached as
// api.cloudflare.com through HTTPS_PROXY) where www is proxied. Its
// authoritative servers (a BIND) answer Cloudflare's edge address and
// never the origin's, as Cloudflare's do: had verify-dns asked them, the
// failover would fail. The proxy stays on, the API holds bravo's
// address, and the plan says how www is verified there.
func TestFailoverCloudflareProxied(t *testing.T) {
	const token = "cf-e2e-token-5ecret"
	const edge = "203.0.113.1"
	edgeNS := testharness.StartBIND(t, testharness.BINDOptions{Zone: "example.test.", Records: []string{"www IN A " + edge}})
	cf := testharness.StartCloudflare(t, "example.test", token,
		testharness.CloudflareRecord{Type: "A", Name: "www.example.test", Content: "192.0.2.10", TTL: 60, Proxied: true},
		testharness.CloudflareRecord{Type: "TXT", Name: "_lifeboat.www.example.test", Content: `"heritage=lifeboat,owner=lifeboat/www"`, TTL: 60},
	)
	w := newWorld(t, worldOptions{extra: fmt.Sprintf(`
dns "cf" {
  type        = "cloudflare"
  zone        = "example.test."
  settings    = { api_token = env("E2E_CF_TOKEN") }
  nameservers = [%q]
}
`, edgeNS.Addr)})
	w.extraEnv = append(cf.Env(t), "E2E_CF_TOKEN="+token)
	w.startAlpha()
	w.cutOffAlpha()

	p := w.lifeboat(nil, "plan", "--from", "alpha")
	if p.code != 0 || !strings.Contains(p.stdout, "at cf: www verified through the Cloudflare API if proxied there (proxied: the authoritative answer is Cloudflare's)") {
		t.Fatalf("plan: exit %d, does not say how www is verified at cf\n%s%s", p.code, p.stdout, p.stderr)
	}

	r := w.lifeboat(nil, "failover", "--from", "alpha", "--yes")
	if r.code != 0 {
		t.Fatalf("failover: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if strings.Contains(r.stdout+r.stderr, token) {
		t.Fatal("the Cloudflare token appears in the output")
	}
	wantA(t, w.dns[0], w.bravoIP)
	got := cf.Find("www.example.test", "A")
	if len(got) != 1 || got[0].Content != w.bravoIP || !got[0].Proxied {
		t.Fatalf("www A at Cloudflare = %+v, want %s, proxied", got, w.bravoIP)
	}
	wantA(t, edgeNS, edge) // what verify-dns would have seen there
	ops := w.history()
	if len(ops) != 1 || ops[0].Status != journal.StatusSucceeded {
		t.Fatalf("want one succeeded operation, got %+v", ops)
	}
}

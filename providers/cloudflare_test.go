package providers

import (
	"context"
	"errors"
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/libdns/cloudflare"

	"github.com/lifeboat-dev/lifeboat/internal/dnscutover"
	"github.com/lifeboat-dev/lifeboat/internal/dnswriter"
	"github.com/lifeboat-dev/lifeboat/internal/testharness"
)

const cfToken = "cf-test-token"

// cfTarget is a cutover target at the Cloudflare stand-in, built as the
// registry builds it (libdns/cloudflare inside lifeboat's wrapper and
// guard), its client sent to the stand-in. Its nameserver is a closed
// port: a verification that asked it would fail.
func cfTarget(t *testing.T, cf *testharness.Cloudflare, proxied map[string]bool) dnscutover.Target {
	t.Helper()
	p := &cloudflareDNS{Provider: cloudflare.Provider{APIToken: cfToken, HTTPClient: cf.Client()}}
	return dnscutover.Target{Name: "cf", Zone: "example.com.", Provider: Guard("cf", "cloudflare", p),
		Nameservers: []string{"127.0.0.1:9"}, Proxied: proxied}
}

func cfZone(t *testing.T, proxied bool) *testharness.Cloudflare {
	return testharness.StartCloudflare(t, "example.com", cfToken,
		testharness.CloudflareRecord{Type: "A", Name: "www.example.com", Content: "192.0.2.10", TTL: 60, Proxied: proxied},
		testharness.CloudflareRecord{Type: "TXT", Name: "_lifeboat.www.example.com", Content: `"heritage=lifeboat,owner=lifeboat/www"`, TTL: 60},
	)
}

var cfOpts = dnscutover.Options{VerifyTimeout: 2 * time.Second, PollInterval: 50 * time.Millisecond, QueryTimeout: 200 * time.Millisecond}

func cfRequest(addr string) dnscutover.Request {
	return dnscutover.Request{Service: "www", Owner: "lifeboat/www", Records: []string{"www"},
		Addresses: []netip.Addr{netip.MustParseAddr(addr)}, TTL: 60 * time.Second}
}

func oneResult(t *testing.T, rs []dnscutover.ProviderResult) dnscutover.ProviderResult {
	t.Helper()
	if len(rs) != 1 {
		t.Fatalf("results = %+v", rs)
	}
	return rs[0]
}

// A proxied www keeps its proxy through a cutover, holds the new address,
// and is verified through the API: the authoritative servers (here a
// closed port) are not asked.
func TestCloudflareProxiedCutoverKeepsProxyAndVerifiesThroughAPI(t *testing.T) {
	cf := cfZone(t, true)
	tg := cfTarget(t, cf, nil)
	ctx := context.Background()
	req := cfRequest("198.51.100.7")

	r := oneResult(t, dnscutover.Cutover(ctx, []dnscutover.Target{tg}, req, cfOpts))
	if r.Err != nil {
		t.Fatalf("cutover: %v", r.Err)
	}
	got := cf.Find("www.example.com", "A")
	if len(got) != 1 || got[0].Content != "198.51.100.7" || !got[0].Proxied {
		t.Fatalf("www A after cutover = %+v, want 198.51.100.7 proxied", got)
	}
	v := oneResult(t, dnscutover.Verify(ctx, []dnscutover.Target{tg}, req, cfOpts))
	if v.Err != nil {
		t.Fatalf("verify: %v", v.Err)
	}
	// Run again: the TTL read back is Cloudflare's "automatic" 1, which
	// must not make every run rewrite the record.
	r = oneResult(t, dnscutover.Cutover(ctx, []dnscutover.Target{tg}, req, cfOpts))
	if r.Err != nil || len(r.Changed) != 0 {
		t.Fatalf("second cutover: changed %v, err %v", r.Changed, r.Err)
	}
}

// Verification through the API fails while the API holds another address.
func TestCloudflareProxiedVerifyFailsOnOldAddress(t *testing.T) {
	cf := cfZone(t, true)
	tg := cfTarget(t, cf, nil)
	v := oneResult(t, dnscutover.Verify(context.Background(), []dnscutover.Target{tg}, cfRequest("198.51.100.7"), cfOpts))
	if !errors.Is(v.Err, dnscutover.ErrNotVerified) || !strings.Contains(v.Err.Error(), "API (proxied): got [192.0.2.10]") {
		t.Fatalf("verify = %v, want not verified through the API with the old address", v.Err)
	}
	if strings.Contains(v.Err.Error(), "127.0.0.1:9") {
		t.Errorf("a proxied record was asked of the authoritative servers: %v", v.Err)
	}
}

// The configuration may switch the proxy either way; a record not proxied
// is verified at the authoritative servers (the closed port fails it).
func TestCloudflareProxiedSetting(t *testing.T) {
	ctx := context.Background()
	req := cfRequest("198.51.100.7")

	cf := cfZone(t, true)
	tg := cfTarget(t, cf, map[string]bool{"www": false})
	r := oneResult(t, dnscutover.Cutover(ctx, []dnscutover.Target{tg}, req, cfOpts))
	if r.Err != nil {
		t.Fatalf("cutover: %v", r.Err)
	}
	if got := cf.Find("www.example.com", "A"); len(got) != 1 || got[0].Proxied || got[0].Content != "198.51.100.7" {
		t.Fatalf("www A = %+v, want 198.51.100.7 not proxied", got)
	}
	v := oneResult(t, dnscutover.Verify(ctx, []dnscutover.Target{tg}, req, cfOpts))
	if v.Err == nil || !strings.Contains(v.Err.Error(), "127.0.0.1:9") {
		t.Fatalf("verify of a record not proxied = %v, want the authoritative servers asked", v.Err)
	}

	cf = cfZone(t, false)
	tg = cfTarget(t, cf, map[string]bool{"www": true})
	r = oneResult(t, dnscutover.Cutover(ctx, []dnscutover.Target{tg}, req, cfOpts))
	if r.Err != nil || !strings.Contains(strings.Join(r.Changed, ","), "www A proxied") {
		t.Fatalf("cutover: changed %v, err %v", r.Changed, r.Err)
	}
	if got := cf.Find("www.example.com", "A"); len(got) != 1 || !got[0].Proxied {
		t.Fatalf("www A = %+v, want proxied", got)
	}
	if v := oneResult(t, dnscutover.Verify(ctx, []dnscutover.Target{tg}, req, cfOpts)); v.Err != nil {
		t.Fatalf("verify: %v", v.Err)
	}
}

// A record created by the cutover (none was there) takes the setting.
func TestCloudflareProxiedNewRecord(t *testing.T) {
	cf := testharness.StartCloudflare(t, "example.com", cfToken)
	tg := cfTarget(t, cf, map[string]bool{"www": true})
	req := cfRequest("198.51.100.7")
	req.Adopt = true
	r := oneResult(t, dnscutover.Cutover(context.Background(), []dnscutover.Target{tg}, req, cfOpts))
	if r.Err != nil {
		t.Fatalf("cutover: %v", r.Err)
	}
	if got := cf.Find("www.example.com", "A"); len(got) != 1 || !got[0].Proxied {
		t.Fatalf("www A = %+v, want one proxied record", got)
	}
}

// Switching a proxy is a write: a record lifeboat does not own is refused.
func TestCloudflareSetProxiedRefusesRecordNotOwned(t *testing.T) {
	cf := testharness.StartCloudflare(t, "example.com", cfToken,
		testharness.CloudflareRecord{Type: "A", Name: "www.example.com", Content: "192.0.2.10", TTL: 60, Proxied: true})
	tg := cfTarget(t, cf, nil)
	w := &dnswriter.Writer{Provider: tg.Provider, Zone: tg.Zone, Owner: "lifeboat/www"}
	if err := w.SetProxy(context.Background(), "www", "A", false); !errors.Is(err, dnswriter.ErrNotOwned) {
		t.Fatalf("SetProxy = %v, want ErrNotOwned", err)
	}
	if got := cf.Find("www.example.com", "A"); !got[0].Proxied {
		t.Fatal("the proxy was switched off anyway")
	}
}

// A service on several hosts: Cloudflare holds one record per address,
// and a cutover leaves exactly the new set, grown, changed or shrunk, each
// record proxied as before; verification through the API sees the set,
// and a second run changes nothing.
func TestCloudflareAddressSet(t *testing.T) {
	cf := cfZone(t, true)
	tg := cfTarget(t, cf, nil)
	ctx := context.Background()
	for _, set := range [][]string{
		{"198.51.100.7", "198.51.100.8"},
		{"198.51.100.8", "203.0.113.9", "203.0.113.10"},
		{"203.0.113.9"},
	} {
		req := cfRequest(set[0])
		req.Addresses = nil
		for _, a := range set {
			req.Addresses = append(req.Addresses, netip.MustParseAddr(a))
		}
		r := oneResult(t, dnscutover.Cutover(ctx, []dnscutover.Target{tg}, req, cfOpts))
		if r.Err != nil {
			t.Fatalf("cutover to %v: %v", set, r.Err)
		}
		var got []string
		for _, rec := range cf.Find("www.example.com", "A") {
			got = append(got, rec.Content)
			if !rec.Proxied {
				t.Errorf("cutover to %v: %s is not proxied any more", set, rec.Content)
			}
		}
		slices.Sort(got)
		want := slices.Sorted(slices.Values(set))
		if !slices.Equal(got, want) {
			t.Fatalf("www A after the cutover to %v = %v", set, got)
		}
		if v := oneResult(t, dnscutover.Verify(ctx, []dnscutover.Target{tg}, req, cfOpts)); v.Err != nil {
			t.Errorf("verify %v: %v", set, v.Err)
		}
		if r := oneResult(t, dnscutover.Cutover(ctx, []dnscutover.Target{tg}, req, cfOpts)); r.Err != nil || len(r.Changed) != 0 {
			t.Errorf("second cutover to %v: changed %v, err %v", set, r.Changed, r.Err)
		}
	}
	if got := cf.Find("_lifeboat.www.example.com", "TXT"); len(got) != 1 {
		t.Errorf("ownership marks: %+v, want one", got)
	}
}

package engine

import (
	"context"
	"strings"
	"testing"

	"github.com/lifeboat-dev/lifeboat/internal/config"
	"github.com/lifeboat-dev/lifeboat/internal/testharness"
	"github.com/lifeboat-dev/lifeboat/planner"
)

// A DNS provider whose nameservers answer but whose API refuses (here: a
// revoked TSIG key) cannot be written: it is down, and says why.
func TestDNSStatesAskTheAPI(t *testing.T) {
	good := testharness.StartBIND(t, testharness.BINDOptions{Zone: "example.test."})
	revoked := testharness.StartBIND(t, testharness.BINDOptions{Zone: "example.test."})
	bad := revoked.RFC2136Settings()
	bad["key"] = good.Secret // a key the server does not know
	cfg := &config.Config{
		Policy: config.Policy{Timeout: config.DefaultTimeout},
		DNS: []*config.DNSProvider{
			{Name: "good", Type: "rfc2136", Zone: "example.test.", Settings: good.RFC2136Settings(), Nameservers: []string{good.Addr}},
			{Name: "revoked", Type: "rfc2136", Zone: "example.test.", Settings: bad, Nameservers: []string{revoked.Addr}},
		},
	}
	e := New(cfg, nil)
	defer e.Close()
	got := e.DNSStates(context.Background())
	if o := got["good"]; o.State != planner.StateHealthy || !o.Serving {
		t.Errorf("good: %+v", o)
	}
	o := got["revoked"]
	if o.State != planner.StateDown || !o.Serving || !strings.Contains(o.Reason, "its API does not answer") || !strings.Contains(o.Reason, "SOA answered") {
		t.Errorf("revoked: %+v, want down because of its API, its nameservers still answering", o)
	}
	if strings.Contains(o.Reason, good.Secret) {
		t.Error("the reason quotes the key")
	}
	// Asking the nameservers alone: the revoked key does not show, and
	// both still serve.
	for name, o := range e.DNSServing(context.Background()) {
		if o.State != planner.StateHealthy || !o.Serving {
			t.Errorf("%s by its nameservers alone: %+v", name, o)
		}
	}
	revoked.Stop()
	good.Stop()
	for name, o := range e.DNSStates(context.Background()) {
		if o.State != planner.StateDown || o.Serving || !strings.Contains(o.Reason, "no nameserver answers") {
			t.Errorf("%s stopped: %+v", name, o)
		}
	}
}

package planner_test

import (
	"strings"
	"testing"

	"github.com/lifeboat-dev/lifeboat/planner"
)

// At a Cloudflare dns block the plan says how each record's proxy is set
// and that a proxied record is verified through the API, not at the
// authoritative servers (which answer Cloudflare's addresses).
func TestPlanSaysProxiedRecordsAreVerifiedThroughTheAPI(t *testing.T) {
	plan := func(cloudflare bool) string {
		cfg := fixture()
		if cloudflare {
			cfg.DNS[1].Type = "cloudflare"
			cfg.DNS[1].Proxied = []string{"www"}
		}
		res, err := planner.Plan(planner.Input{
			Config:    cfg,
			Providers: obs(with("aws", planner.StateDown)),
			DNS:       obs(map[string]planner.State{"route53": planner.StateHealthy, "desec": planner.StateHealthy}),
			Placement: placedOnPrimary(),
			Request:   planner.Request{Kind: planner.KindAutomatic, Service: "www"},
		})
		if err != nil {
			t.Fatal(err)
		}
		return res.Text()
	}
	text := plan(true)
	for _, want := range []string{
		"at desec: www proxied, @ keeps its proxy as it is",
		"at desec: www verified through the Cloudflare API (proxied: the authoritative answer is Cloudflare's)",
		"@ verified through the Cloudflare API if proxied there (proxied: the authoritative answer is Cloudflare's), else at its authoritative servers",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("plan does not say %q:\n%s", want, text)
		}
	}
	if text := plan(false); strings.Contains(text, "Cloudflare") || strings.Contains(text, "proxied") {
		t.Errorf("a plan without a cloudflare block mentions proxies:\n%s", text)
	}
}

package planner_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/lifeboat-dev/lifeboat/internal/config"
	"github.com/lifeboat-dev/lifeboat/planner"
)

// One DNS outage under eight services: the text says each distinct DNS
// error once, with how many services it concerns, and each service points
// to it; JSON keeps the full reason per service.
func TestTextPrintsASharedDNSErrorOnce(t *testing.T) {
	const dnsErr = "no nameserver answers: example.com. SOA: connection refused"
	for _, n := range []int{1, 2, 8} {
		t.Run(fmt.Sprint(n, " services"), func(t *testing.T) {
			cfg := fixture()
			cfg.Services = nil
			placement := map[string]string{}
			for i := range n {
				name := fmt.Sprintf("s%d", i)
				cfg.Services = append(cfg.Services, &config.Service{Checks: webCheck(), Name: name,
					Records: []string{name}, TTL: 60, Candidates: []string{"aws", "hetzner"}})
				placement[name] = "aws"
			}
			dns := map[string]planner.Observation{
				"route53": {State: planner.StateDown, Reason: dnsErr},
				"desec":   {State: planner.StateDown, Reason: dnsErr},
			}
			r, err := planner.Plan(planner.Input{Config: cfg, Providers: obs(with("aws", planner.StateDown)),
				DNS: dns, Placement: placement, Request: planner.Request{Kind: planner.KindAutomatic}})
			if err != nil {
				t.Fatal(err)
			}
			if len(r.Services) != n || r.Blocked() != n {
				t.Fatalf("want %d blocked services, got %d services, %d blocked", n, len(r.Services), r.Blocked())
			}
			text := r.Text()
			// desec is left out with that error; route53 for its vendor,
			// amazon, which is being left.
			if got := strings.Count(text, dnsErr); got != 1 {
				t.Errorf("the DNS error appears %d times, want once:\n%s", got, text)
			}
			if n > 1 {
				if want := fmt.Sprintf("for %d services: s0, s1", n); strings.Count(text, want) != 2 {
					t.Errorf("want %q under each shared DNS line:\n%s", want, text)
				}
				if got := strings.Count(text, "(under DNS problems above)"); got != 2*n {
					t.Errorf("%d pointers to the shared lines, want %d:\n%s", got, 2*n, text)
				}
			}
			js, err := r.JSON()
			if err != nil {
				t.Fatal(err)
			}
			if got := strings.Count(string(js), dnsErr); got < n {
				t.Errorf("JSON has the DNS error %d times, want it in each of %d services", got, n)
			}
		})
	}
}

// A warning several services share is printed once, with the services;
// a service's own warning stays under it.
func TestTextPrintsASharedWarningOnce(t *testing.T) {
	r := planner.Result{
		Request: planner.Request{Kind: planner.KindManual},
		Services: []planner.ServicePlan{
			{Service: "a", Action: planner.ActionStay, Reason: "r", Warnings: []string{"shared thing", "only a"}},
			{Service: "b", Action: planner.ActionStay, Reason: "r", Warnings: []string{"shared thing"}},
			{Service: "c", Action: planner.ActionStay, Reason: "r", Warnings: []string{"shared thing", "shared thing"}},
		},
	}
	text := r.Text()
	if got := strings.Count(text, "shared thing"); got != 1 {
		t.Errorf("the shared warning appears %d times, want 1:\n%s", got, text)
	}
	if !strings.Contains(text, "for 3 services: a, b, c") {
		t.Errorf("the shared warning should name its services:\n%s", text)
	}
	if got := strings.Count(text, "! only a"); got != 1 {
		t.Errorf("a's own warning appears %d times, want 1:\n%s", got, text)
	}
	if got := strings.Count(text, "1 more, shared with other services"); got != 3 {
		t.Errorf("each service should point to the shared warning (%d pointers):\n%s", got, text)
	}
}

func TestServicesCountCutsLongLists(t *testing.T) {
	r := planner.Result{Request: planner.Request{Kind: planner.KindManual}}
	for i := range 100 {
		r.Services = append(r.Services, planner.ServicePlan{Service: fmt.Sprintf("s%02d", i),
			Action: planner.ActionStay, Reason: "r", Warnings: []string{"w"}})
	}
	text := r.Text()
	if !strings.Contains(text, "for 100 services: s00, s01, s02, s03, s04, s05 and 94 more\n") {
		t.Errorf("long lists are cut after six names:\n%.600s", text)
	}
}

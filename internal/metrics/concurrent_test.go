package metrics

import (
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/lifeboat-dev/lifeboat/health"
)

// Rounds of several providers, new checks appearing mid-way, drills, DNS
// states and scrapes all at once (run with -race): every probe is counted.
func TestConcurrentUse(t *testing.T) {
	m := New(fakeSource{})
	const providers, rounds, checks = 4, 50, 20
	var wg sync.WaitGroup
	for p := range providers {
		wg.Go(func() {
			name := "p" + strconv.Itoa(p)
			for r := range rounds {
				// Each round adds one check, so series are created while others read.
				res := make([]health.Result, 0, checks)
				for c := range min(checks, r+1) {
					res = append(res, health.Result{Check: "c" + strconv.Itoa(c), Kind: "tcp", OK: c%2 == 0, Latency: time.Millisecond})
				}
				m.ObserveRound(name, res)
				m.SetDNSState("dns"+strconv.Itoa(p), "healthy")
			}
		})
	}
	wg.Go(func() {
		for range 10 {
			scrape(t, m)
		}
	})
	wg.Wait()

	fams := parse(t, scrape(t, m))
	var total float64
	for _, s := range fams["lifeboat_checks_total"].GetMetric() {
		total += s.GetCounter().GetValue()
	}
	// Per provider: rounds 1..20 add 1..20 results, the other 30 have 20 each.
	want := float64(providers * (checks*(checks+1)/2 + (rounds-checks)*checks))
	if total != want {
		t.Errorf("checks_total sums to %v, want %v", total, want)
	}
	if n := len(m.checks.series); n != providers*checks {
		t.Errorf("%d cached series, want %d", n, providers*checks)
	}
}

package health

import (
	"context"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/lifeboat-dev/lifeboat/internal/config"
	"github.com/lifeboat-dev/lifeboat/internal/testharness"
)

// watch runs a scheduler over cfg's groups until stop says so (or a bound),
// calling after for every completed round with the round's number.
type watched struct {
	mu          sync.Mutex
	transitions []Transition
	atRound     []int // the provider's round number at each transition
}

func runScheduler(t *testing.T, cfg *config.Config, after func(n int, results []Result) bool) (*watched, Snapshot) {
	t.Helper()
	p := NewProbers(ProberOptions{})
	t.Cleanup(p.Close)
	groups, err := BuildGroups(cfg, p, ConfigTargets(cfg))
	if err != nil {
		t.Fatal(err)
	}
	w := &watched{}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	n := 0
	mon := NewMonitor([]string{cfg.Providers[0].Name}, Policy{FailAfter: cfg.Policy.FailAfter, RecoverAfter: cfg.Policy.RecoverAfter, Quorum: cfg.Policy.Quorum})
	s := NewScheduler(groups, mon, SchedulerOptions{
		Interval:    cfg.Policy.Interval,
		Concurrency: 4,
		OnRound: func(_ string, results []Result) {
			n++
			if !after(n, results) {
				cancel()
			}
		},
		OnTransition: func(tr Transition) {
			w.mu.Lock()
			defer w.mu.Unlock()
			w.transitions = append(w.transitions, tr)
			w.atRound = append(w.atRound, n)
		},
	})
	done := make(chan struct{})
	go func() { s.Run(ctx); close(done) }()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("scheduler did not stop")
	}
	if ctx.Err() == context.DeadlineExceeded {
		t.Fatal("test ran out of time before its rounds completed")
	}
	return w, s.Snapshot()
}

func hostConfig(hosts ...*testharness.Host) *config.Config {
	var addrs []string
	for _, h := range hosts {
		addrs = append(addrs, h.Addr)
	}
	return &config.Config{
		Providers: []*config.Provider{{
			Name:      "aws",
			Addresses: addrs,
			Checks:    []*config.Check{{Name: "web", HTTP: &config.HTTPCheck{Scheme: "http", Path: "/healthz", ExpectStatus: []int{200}}}},
		}},
		Policy: config.Policy{Interval: 60 * time.Millisecond, Timeout: time.Second, FailAfter: 3, RecoverAfter: 5, Quorum: 0.5},
	}
}

func TestSchedulerFlappingHostNeverDown(t *testing.T) {
	h := testharness.StartHost(t, testharness.LoopbackIP(t), "ok")
	const rounds = 12
	w, snap := runScheduler(t, hostConfig(h), func(n int, results []Result) bool {
		// The host alternates every round: good, bad, good, bad...
		if n%2 == 1 {
			h.SetStatus(http.StatusServiceUnavailable)
		} else {
			h.SetStatus(http.StatusOK)
		}
		return n < rounds
	})
	for _, tr := range w.transitions {
		if tr.To == StateDown {
			t.Fatalf("flapping host drove the provider down: %s", tr)
		}
	}
	p := snap.Provider("aws")
	if p.State != StateDegraded || p.Rounds < rounds {
		t.Fatalf("after %d flapping rounds: %+v", rounds, p)
	}
	if len(w.transitions) != 2 { // unknown → healthy, healthy → degraded, then hysteresis holds it
		t.Fatalf("transitions: %v", w.transitions)
	}
}

func TestSchedulerAllHostsStopDownAfterFailAfter(t *testing.T) {
	a := testharness.StartHost(t, testharness.LoopbackIP(t), "a")
	b := testharness.StartHost(t, testharness.LoopbackIP(t), "b")
	const stopAfter = 2
	w, snap := runScheduler(t, hostConfig(a, b), func(n int, results []Result) bool {
		if n == stopAfter {
			a.Stop()
			b.Stop()
		}
		return n < stopAfter+5
	})
	var downAt int
	for i, tr := range w.transitions {
		if tr.To == StateDown {
			downAt = w.atRound[i]
			if len(tr.Evidence) != 2 || tr.Evidence[0].Reason != "connection refused" {
				t.Fatalf("evidence: %+v", tr.Evidence)
			}
		}
	}
	if downAt != stopAfter+3 {
		t.Fatalf("down at round %d, want exactly fail_after=3 rounds after the hosts stopped (round %d); transitions %v", downAt, stopAfter+3, w.transitions)
	}
	if got := snap.Provider("aws").State; got != StateDown {
		t.Fatalf("final state %s", got)
	}
}

func TestSchedulerStopsPromptly(t *testing.T) {
	cfg := &config.Config{
		Providers: []*config.Provider{{
			Name:   "aws",
			Checks: []*config.Check{{Name: "hang", HTTP: &config.HTTPCheck{URL: "http://" + silentListener(t) + "/"}, Timeout: time.Minute}},
		}},
	}
	p := NewProbers(ProberOptions{})
	defer p.Close()
	groups, err := BuildGroups(cfg, p, ConfigTargets(cfg))
	if err != nil {
		t.Fatal(err)
	}
	s := NewScheduler(groups, NewMonitor([]string{"aws"}, Policy{}), SchedulerOptions{Interval: 20 * time.Millisecond, Concurrency: 2})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { s.Run(ctx); close(done) }()
	time.Sleep(150 * time.Millisecond) // the probe is in flight, rounds are being skipped
	cancel()
	select {
	case <-done:
	case <-time.After(2 * time.Second):
		t.Fatal("Run did not return after cancel")
	}
	st := s.Stats()
	if st.Probes != 1 || st.Skipped == 0 || st.Rounds != 0 {
		t.Fatalf("stats %+v: want one probe in flight, rounds skipped while it hung, none completed", st)
	}
	if s.Snapshot().Providers[0].State != StateUnknown {
		t.Fatal("a probe cut short by shutdown must not count as evidence")
	}
}

func TestRunChecksAgainstNewTarget(t *testing.T) {
	h1 := testharness.StartHost(t, testharness.LoopbackIP(t), "one")
	h2 := testharness.StartHost(t, testharness.LoopbackIP(t), "two")
	checks := []*config.Check{{Name: "web", HTTP: &config.HTTPCheck{Scheme: "http", Path: "/healthz", BodyRegex: "^(one|two)$"}}}
	ctx := context.Background()
	res, err := RunChecks(ctx, checks, []string{h1.Addr, h2.Addr}, RunOptions{Timeout: time.Second, Service: "www"})
	if err != nil {
		t.Fatal(err)
	}
	if len(res) != 2 || !AllOK(res) || res[0].Target != h1.URL+"/healthz" || res[1].Service != "www" {
		t.Fatalf("results %+v", res)
	}
	h2.SetStatus(http.StatusBadGateway)
	res, _ = RunChecks(ctx, checks, []string{h1.Addr, h2.Addr}, RunOptions{Timeout: time.Second})
	if AllOK(res) || res[1].OK || res[1].Reason != "status 502 Bad Gateway, want 200-399" {
		t.Fatalf("results %+v", res)
	}
}

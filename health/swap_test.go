package health

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lifeboat-dev/lifeboat/internal/config"
)

// countHost is a loopback HTTP server counting the requests it answers.
type countHost struct {
	*httptest.Server
	hits   atomic.Int64
	status atomic.Int32
}

func startCountHost(t *testing.T) *countHost {
	t.Helper()
	h := &countHost{}
	h.status.Store(http.StatusOK)
	h.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		h.hits.Add(1)
		w.WriteHeader(int(h.status.Load()))
	}))
	t.Cleanup(h.Close)
	return h
}

func (h *countHost) addr() string { return strings.TrimPrefix(h.URL, "http://") }

// swapConfig is one provider "aws" with one HTTP check per host address.
func swapConfig(interval time.Duration, failAfter, recoverAfter int) *config.Config {
	return &config.Config{
		Providers: []*config.Provider{{
			Name:   "aws",
			Checks: []*config.Check{{Name: "web", HTTP: &config.HTTPCheck{Scheme: "http", Path: "/healthz", ExpectStatus: []int{200}}}},
		}},
		Policy: config.Policy{Interval: interval, Timeout: time.Second, FailAfter: failAfter, RecoverAfter: recoverAfter, Quorum: 0.5},
	}
}

// groupsAt builds cfg's groups against hosts, as the daemon does after a
// failover with the new target's addresses.
func groupsAt(t *testing.T, cfg *config.Config, p *Probers, hosts ...*countHost) []*Group {
	t.Helper()
	var addrs []string
	for _, h := range hosts {
		addrs = append(addrs, h.addr())
	}
	groups, err := BuildGroups(cfg, p, Targets{
		Addresses: func(string) []string { return addrs },
		Placement: func(string) string { return "" },
	})
	if err != nil {
		t.Fatal(err)
	}
	return groups
}

// roundLog keeps every completed round's targets, in order.
type roundLog struct {
	mu     sync.Mutex
	rounds [][]string
}

func (l *roundLog) add(_ string, results []Result) {
	targets := make([]string, len(results))
	for i, r := range results {
		targets[i] = r.Target
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.rounds = append(l.rounds, targets)
}

func (l *roundLog) get() [][]string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([][]string(nil), l.rounds...)
}

// startScheduler runs s until the test ends.
func startScheduler(t *testing.T, s *Scheduler) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { s.Run(ctx); close(done) }()
	t.Cleanup(func() {
		cancel()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			t.Error("scheduler did not stop")
		}
	})
}

// waitFor polls cond every 5ms for at most 10s.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Fatalf("timed out waiting for %s", what)
}

func waitClosed(t *testing.T, what string, c <-chan struct{}) {
	t.Helper()
	select {
	case <-c:
	case <-time.After(10 * time.Second):
		t.Fatalf("timed out waiting for %s", what)
	}
}

// targetsOn reports whether every target is on one of hosts.
func targetsOn(targets []string, hosts ...*countHost) bool {
	for _, tg := range targets {
		on := false
		for _, h := range hosts {
			on = on || strings.HasPrefix(tg, h.URL+"/")
		}
		if !on {
			return false
		}
	}
	return len(targets) > 0
}

func TestSetGroupsProbesNewAddresses(t *testing.T) {
	old1, old2, new1, new2 := startCountHost(t), startCountHost(t), startCountHost(t), startCountHost(t)
	cfg := swapConfig(40*time.Millisecond, 3, 5)
	p := NewProbers(ProberOptions{})
	t.Cleanup(p.Close)
	log := &roundLog{}
	s := NewScheduler(groupsAt(t, cfg, p, old1, old2), NewMonitor([]string{"aws"}, PolicyOf(cfg.Policy)),
		SchedulerOptions{Interval: cfg.Policy.Interval, Concurrency: 4, OnRound: log.add})
	startScheduler(t, s)
	waitFor(t, "two rounds on the old hosts", func() bool { return len(log.get()) >= 2 })

	done := s.SwapGroups(groupsAt(t, cfg, p, new1, new2))
	waitClosed(t, "the first round on the new hosts", done)
	oldHits := old1.hits.Load() + old2.hits.Load()
	atSwap := len(log.get())
	waitFor(t, "three more rounds", func() bool { return len(log.get()) >= atSwap+3 })

	rounds := log.get()
	if !targetsOn(rounds[atSwap-1], new1, new2) {
		t.Fatalf("the swap was reported done before a round on the new hosts: last round %v", rounds[atSwap-1])
	}
	for i, r := range rounds {
		if !targetsOn(r, old1, old2) && !targetsOn(r, new1, new2) {
			t.Fatalf("round %d mixes old and new probes: %v", i, r)
		}
		if i >= atSwap && !targetsOn(r, new1, new2) {
			t.Fatalf("round %d after the swap probed %v, want the new hosts", i, r)
		}
	}
	if got := old1.hits.Load() + old2.hits.Load(); got != oldHits {
		t.Fatalf("old hosts probed %d more times after the swap", got-oldHits)
	}
	if new1.hits.Load() < 3 || new2.hits.Load() < 3 {
		t.Fatalf("new hosts probed %d and %d times, want at least 3 each", new1.hits.Load(), new2.hits.Load())
	}
}

func TestSetGroupsNeverMixesARound(t *testing.T) {
	a1, a2, b1, b2 := startCountHost(t), startCountHost(t), startCountHost(t), startCountHost(t)
	cfg := swapConfig(15*time.Millisecond, 3, 5)
	p := NewProbers(ProberOptions{})
	t.Cleanup(p.Close)
	sets := [][]*Group{groupsAt(t, cfg, p, a1, a2), groupsAt(t, cfg, p, b1, b2)}
	log := &roundLog{}
	s := NewScheduler(sets[0], NewMonitor([]string{"aws"}, PolicyOf(cfg.Policy)),
		SchedulerOptions{Interval: cfg.Policy.Interval, Concurrency: 2, OnRound: log.add})
	startScheduler(t, s)
	// Swaps land at every point of a round: before release, in flight, between.
	for i := range 80 {
		s.SetGroups(sets[(i+1)%2])
		time.Sleep(time.Duration(1+i%7) * time.Millisecond)
	}
	waitClosed(t, "the last swap's first round", s.SwapGroups(sets[0]))
	rounds := log.get()
	if len(rounds) < 10 {
		t.Fatalf("only %d rounds while swapping", len(rounds))
	}
	for i, r := range rounds {
		if len(r) != 2 || !(targetsOn(r, a1, a2) || targetsOn(r, b1, b2)) {
			t.Fatalf("round %d mixes the two groups: %v", i, r)
		}
	}
}

func TestSetGroupsKeepsMonitorState(t *testing.T) {
	old, fresh := startCountHost(t), startCountHost(t)
	old.status.Store(http.StatusServiceUnavailable)
	const recoverAfter = 3
	cfg := swapConfig(30*time.Millisecond, 2, recoverAfter)
	p := NewProbers(ProberOptions{})
	t.Cleanup(p.Close)
	var (
		mu        sync.Mutex
		newRounds int  // rounds completed on the fresh host
		healthyAt = -1 // newRounds when the provider turned healthy
	)
	s := NewScheduler(groupsAt(t, cfg, p, old), NewMonitor([]string{"aws"}, PolicyOf(cfg.Policy)), SchedulerOptions{
		Interval: cfg.Policy.Interval, Concurrency: 2,
		OnRound: func(_ string, results []Result) {
			mu.Lock()
			defer mu.Unlock()
			if targetsOn([]string{results[0].Target}, fresh) {
				newRounds++
			}
		},
		OnTransition: func(tr Transition) {
			mu.Lock()
			defer mu.Unlock()
			if tr.To == StateHealthy && healthyAt < 0 {
				healthyAt = newRounds
			}
		},
	})
	startScheduler(t, s)
	waitFor(t, "the provider down on its old host", func() bool { return s.Snapshot().Provider("aws").State == StateDown })

	waitClosed(t, "the first round on the fresh host", s.SwapGroups(groupsAt(t, cfg, p, fresh)))
	if st := s.Snapshot().Provider("aws"); st.State != StateDown {
		t.Fatalf("after one good round on the new host the provider is %s, want still down (recover_after=%d)", st.State, recoverAfter)
	}
	waitFor(t, "the provider healthy again", func() bool { return s.Snapshot().Provider("aws").State == StateHealthy })
	mu.Lock()
	defer mu.Unlock()
	if healthyAt != recoverAfter {
		t.Fatalf("healthy after %d rounds on the new host, want recover_after=%d: the monitor's streaks were lost", healthyAt, recoverAfter)
	}
}

func TestSetGroupsKeepsPhase(t *testing.T) {
	h := startCountHost(t)
	const n = 40
	interval := 200 * time.Millisecond
	p := NewProbers(ProberOptions{})
	t.Cleanup(p.Close)
	build := func(path string) []*Group {
		groups := make([]*Group, n)
		for i := range groups {
			name := fmt.Sprintf("p%d", i)
			probes, err := p.Compile("", &config.Check{Name: "web", HTTP: &config.HTTPCheck{URL: h.URL + "/" + path + "/" + name}}, nil, time.Second)
			if err != nil {
				t.Fatal(err)
			}
			groups[i] = &Group{Provider: name, Probes: probes}
		}
		return groups
	}
	var (
		mu     sync.Mutex
		starts = map[string][]time.Time{}
		paths  = map[string][]string{}
	)
	names := make([]string, n)
	for i := range names {
		names[i] = fmt.Sprintf("p%d", i)
	}
	s := NewScheduler(build("old"), NewMonitor(names, Policy{}), SchedulerOptions{
		Interval: interval, Concurrency: 8,
		OnRound: func(provider string, results []Result) {
			mu.Lock()
			defer mu.Unlock()
			starts[provider] = append(starts[provider], results[0].At)
			paths[provider] = append(paths[provider], results[0].Target)
		},
	})
	startScheduler(t, s)
	time.Sleep(interval + interval/2) // every provider has had a round
	waitClosed(t, "every provider's first round on new probes", s.SwapGroups(build("new")))

	mu.Lock()
	defer mu.Unlock()
	for _, name := range names {
		first := -1
		for i, tg := range paths[name] {
			if strings.Contains(tg, "/new/") {
				first = i
				break
			}
		}
		if first < 1 {
			t.Fatalf("%s: rounds %v: want old rounds, then new ones", name, paths[name])
		}
		// Released at the provider's own phase: a full interval after its
		// last old round, less what scheduling delays may take off.
		if gap := starts[name][first].Sub(starts[name][first-1]); gap < interval*6/10 {
			t.Errorf("%s: first new round %s after the last old one, want about one interval (%s): the swap moved its phase", name, gap, interval)
		}
	}
}

func TestSetGroupsAddsAndDropsProviders(t *testing.T) {
	a, b := startCountHost(t), startCountHost(t)
	interval := 30 * time.Millisecond
	p := NewProbers(ProberOptions{})
	t.Cleanup(p.Close)
	group := func(provider string, h *countHost) *Group {
		probes, err := p.Compile("", &config.Check{Name: "web", HTTP: &config.HTTPCheck{URL: h.URL + "/"}}, nil, time.Second)
		if err != nil {
			t.Fatal(err)
		}
		return &Group{Provider: provider, Probes: probes}
	}
	mon := NewMonitor([]string{"a"}, Policy{})
	s := NewScheduler([]*Group{group("a", a)}, mon, SchedulerOptions{Interval: interval, Concurrency: 2})
	startScheduler(t, s)
	waitFor(t, "a healthy", func() bool { return s.Snapshot().Provider("a").State == StateHealthy })

	waitClosed(t, "b's first round", s.SwapGroups([]*Group{group("b", b)}))
	time.Sleep(2 * interval) // a round of a's in flight at the swap has landed
	aHits := a.hits.Load()
	bHits := b.hits.Load()
	waitFor(t, "three more rounds of b", func() bool { return b.hits.Load() >= bHits+3 })
	if got := a.hits.Load(); got != aHits {
		t.Fatalf("a, no longer listed, was probed %d more times", got-aHits)
	}
	snap := s.Snapshot()
	if st := snap.Provider("b"); st == nil || st.State != StateHealthy {
		t.Fatalf("b, new to the list, is not watched healthy: %+v", st)
	}
	if st := snap.Provider("a"); st == nil || st.State != StateHealthy {
		t.Fatalf("a's state machine was not kept: %+v", st)
	}
}

func TestSetGroupsBeforeRun(t *testing.T) {
	old, fresh := startCountHost(t), startCountHost(t)
	cfg := swapConfig(20*time.Millisecond, 3, 5)
	p := NewProbers(ProberOptions{})
	t.Cleanup(p.Close)
	s := NewScheduler(groupsAt(t, cfg, p, old), NewMonitor([]string{"aws"}, PolicyOf(cfg.Policy)),
		SchedulerOptions{Interval: cfg.Policy.Interval, Concurrency: 2})
	done := s.SwapGroups(groupsAt(t, cfg, p, fresh))
	startScheduler(t, s)
	waitClosed(t, "the first round", done)
	waitFor(t, "three rounds", func() bool { return fresh.hits.Load() >= 3 })
	if got := old.hits.Load(); got != 0 {
		t.Fatalf("the groups replaced before Run were probed %d times", got)
	}
}

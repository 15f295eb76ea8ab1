package daemon

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/lifeboat-dev/lifeboat/health"
	"github.com/lifeboat-dev/lifeboat/internal/config"
)

// watch is the daemon's one long-lived monitor and the scheduler that
// feeds it. Transitions are queued for the decision loop, never acted on
// in a prober's goroutine.
type watch struct {
	mon   *health.Monitor
	sched *health.Scheduler
	cfg   *config.Config

	mu      sync.Mutex
	pending []health.Transition
	probed  map[string]bool // providers with checks to run now
	kick    chan struct{}

	cancel context.CancelFunc
	done   chan struct{}

	// refs are the policy's reference checks (under mu): when all fail,
	// this node cannot see the world (see sight.go). They run on their
	// own context, a child of the watch's, so a reload can replace them.
	refs       *health.References
	ctx        context.Context
	refsCancel context.CancelFunc
	refsDone   chan struct{}
}

func newWatch(cfg *config.Config, groups []*health.Group, kick chan struct{}, opts health.SchedulerOptions) *watch {
	w := &watch{cfg: cfg, kick: kick, mon: health.NewMonitor(health.ProviderNames(cfg), health.PolicyOf(cfg.Policy))}
	opts.Interval = cfg.Policy.Interval
	opts.Concurrency = cfg.Policy.Concurrency
	opts.OnTransition = w.transition
	w.sched = health.NewScheduler(groups, w.mon, opts)
	w.probed = probedProviders(groups)
	w.refs = health.NewReferences(cfg)
	return w
}

func (w *watch) start(ctx context.Context) {
	ctx, w.cancel = context.WithCancel(ctx)
	w.done = make(chan struct{})
	w.ctx = ctx
	go func() {
		defer close(w.done)
		_ = w.sched.Run(ctx)
	}()
	w.runRefs(w.refs)
}

func (w *watch) stop() {
	if w.cancel != nil {
		w.cancel()
		<-w.done
		w.mu.Lock()
		done := w.refsDone
		w.mu.Unlock()
		<-done
	}
}

func (w *watch) runRefs(refs *health.References) {
	ctx, cancel := context.WithCancel(w.ctx)
	done := make(chan struct{})
	w.mu.Lock()
	w.refs, w.refsCancel, w.refsDone = refs, cancel, done
	w.mu.Unlock()
	go func() {
		defer close(done)
		refs.Run(ctx)
	}()
}

// setReferences replaces the reference checks with cfg's (a reload that
// keeps the monitor).
func (w *watch) setReferences(cfg *config.Config) {
	w.mu.Lock()
	cancel, done := w.refsCancel, w.refsDone
	w.mu.Unlock()
	cancel()
	<-done
	w.runRefs(health.NewReferences(cfg))
}

// references is the reference checks in use.
func (w *watch) references() *health.References {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.refs
}

func (w *watch) transition(tr health.Transition) {
	w.mu.Lock()
	w.pending = append(w.pending, tr)
	w.mu.Unlock()
	select {
	case w.kick <- struct{}{}:
	default: // a kick is already waiting; it will take this one too
	}
}

// snapshot is the monitor's view, with a provider that no check has run
// on lately shown as unknown: after a failover nothing is checked at the
// provider left behind, and its last state ("down") would otherwise stay
// forever and refuse a failback to it once it is back. A command without
// a daemon sees such a provider the same way.
func (w *watch) snapshot() health.Snapshot {
	snap := w.mon.Snapshot()
	stale := 3*w.cfg.Policy.Interval + w.cfg.Policy.Timeout
	now := time.Now()
	for i := range snap.Providers {
		p := &snap.Providers[i]
		if p.Rounds == 0 || now.Sub(p.LastChecked) <= stale {
			continue
		}
		p.Reason = fmt.Sprintf("not checked since %s: no check runs there now (it was %s: %s)",
			p.LastChecked.Local().Format(time.DateTime), p.State, p.Reason)
		p.State, p.Failing, p.Results = health.StateUnknown, false, nil
	}
	return snap
}

// setGroups swaps the checks in (see health.Scheduler.SetGroups).
func (w *watch) setGroups(groups []*health.Group) {
	w.sched.SetGroups(groups)
	w.mu.Lock()
	w.probed = probedProviders(groups)
	w.mu.Unlock()
}

// isProbed reports whether checks run at the provider now.
func (w *watch) isProbed(provider string) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.probed[provider]
}

func probedProviders(groups []*health.Group) map[string]bool {
	out := map[string]bool{}
	for _, g := range groups {
		if len(g.Probes) > 0 {
			out[g.Provider] = true
		}
	}
	return out
}

// take returns the transitions queued since the last call.
func (w *watch) take() []health.Transition {
	w.mu.Lock()
	defer w.mu.Unlock()
	out := w.pending
	w.pending = nil
	return out
}

// compatible reports whether cfg can keep this watch (its monitor's state
// and the scheduler's rhythm): the same providers and thresholds.
func (w *watch) compatible(cfg *config.Config) bool {
	return slices.Equal(health.ProviderNames(w.cfg), health.ProviderNames(cfg)) &&
		health.PolicyOf(w.cfg.Policy) == health.PolicyOf(cfg.Policy) &&
		w.cfg.Policy.Interval == cfg.Policy.Interval && w.cfg.Policy.Concurrency == cfg.Policy.Concurrency
}

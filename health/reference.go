package health

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/lifeboat-dev/lifeboat/internal/config"
)

// References runs the policy's reference checks, targets outside every
// provider, every interval. When every one of them fails, the fault is
// most likely this node's own (its network, its resolver), and what it
// sees of the providers is no evidence either.
type References struct {
	probes   []*Probe
	probers  *Probers
	interval time.Duration

	mu   sync.Mutex
	last []Result
	at   time.Time
}

// NewReferences compiles cfg's reference checks; with none, Run returns
// at once and Blind is always "". A check that does not compile (the
// configuration was validated, so hardly) fails every round, saying why.
func NewReferences(cfg *config.Config) *References {
	p := NewProbers(ProberOptions{})
	r := &References{probers: p, interval: cfg.Policy.Interval}
	env := p.env(cfg)
	for _, c := range cfg.Policy.Reference {
		ps, err := p.compile("", c, nil, cfg.Policy.Timeout, env)
		if err != nil {
			why := env.redact(err.Error())
			ps = []*Probe{{Check: c.Name, Kind: c.Kind(), Target: "(not compiled)", Timeout: time.Second,
				fn: func(context.Context, time.Time) outcome { return outcome{reason: why} }}}
		}
		r.probes = append(r.probes, ps...)
	}
	return r
}

// Run probes the references every interval until ctx ends.
func (r *References) Run(ctx context.Context) {
	defer r.probers.Close()
	if len(r.probes) == 0 {
		return
	}
	t := time.NewTimer(0)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		at := time.Now()
		res := RunProbes(ctx, r.probes, len(r.probes))
		if ctx.Err() != nil {
			return // cut short: no evidence
		}
		r.mu.Lock()
		r.last, r.at = res, at
		r.mu.Unlock()
		t.Reset(r.interval)
	}
}

// Results are the last round's results and when it began.
func (r *References) Results() ([]Result, time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Result(nil), r.last...), r.at
}

// Blind says why this node cannot see the world when every reference
// check failed in the last round; "" when one passed, when none are
// configured, or before the first round.
func (r *References) Blind() string {
	res, _ := r.Results()
	if len(res) == 0 {
		return ""
	}
	var why []string
	for _, x := range res {
		if x.OK {
			return ""
		}
		why = append(why, fmt.Sprintf("%s %s: %s", x.Check, x.Target, x.Reason))
	}
	return "every reference check fails (" + strings.Join(why, "; ") + ")"
}

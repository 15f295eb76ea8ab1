package health

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/lifeboat-dev/lifeboat/internal/config"
)

// Group is one provider's probes. They run together once per round and
// their results are one observation of the provider's state machine.
type Group struct {
	Provider string
	Probes   []*Probe
}

// Targets says where checks run. The executor passes a different source
// (a new target's terraform outputs) than status does (the configuration).
type Targets struct {
	// Addresses returns a provider's host addresses.
	Addresses func(provider string) []string
	// Placement returns the provider a service runs at now ("" if none).
	Placement func(service string) string
}

// ConfigTargets uses each provider's configured addresses and places each
// service at its first candidate: what is known before a journal exists.
func ConfigTargets(cfg *config.Config) Targets {
	return Targets{
		Addresses: func(name string) []string {
			if p := cfg.Provider(name); p != nil {
				return p.Addresses
			}
			return nil
		},
		Placement: func(name string) string {
			if s := cfg.Service(name); s != nil && len(s.Candidates) > 0 {
				return s.Candidates[0]
			}
			return ""
		},
	}
}

// BuildGroups compiles every provider's checks, and every service's checks
// into the group of the provider the service is placed at, one group per
// provider in configuration order (a provider without checks has an
// empty group and stays unknown). Exec commands resolve against cfg.Dir
// and results are scrubbed with cfg.Redact unless p's options say
// otherwise.
func BuildGroups(cfg *config.Config, p *Probers, t Targets) ([]*Group, error) {
	env := p.env(cfg)
	groups := make([]*Group, 0, len(cfg.Providers))
	byName := map[string]*Group{}
	for _, prov := range cfg.Providers {
		g := &Group{Provider: prov.Name}
		addrs := t.Addresses(prov.Name)
		for _, c := range prov.Checks {
			probes, err := p.compile("", c, addrs, cfg.Policy.Timeout, env)
			if err != nil {
				return nil, fmt.Errorf("provider %q: %w", prov.Name, err)
			}
			g.Probes = append(g.Probes, probes...)
		}
		groups = append(groups, g)
		byName[prov.Name] = g
	}
	for _, svc := range cfg.Services {
		at := t.Placement(svc.Name)
		g := byName[at]
		if g == nil {
			continue // not placed anywhere known: nothing to check against
		}
		addrs := t.Addresses(at)
		for _, c := range svc.Checks {
			probes, err := p.compile(svc.Name, c, addrs, cfg.Policy.Timeout, env)
			if err != nil {
				return nil, fmt.Errorf("service %q: %w", svc.Name, err)
			}
			g.Probes = append(g.Probes, probes...)
		}
	}
	return groups, nil
}

// RunProbes runs every probe once, at most concurrency at a time, and
// returns the results in the probes' order.
func RunProbes(ctx context.Context, probes []*Probe, concurrency int) []Result {
	if concurrency <= 0 {
		concurrency = config.DefaultConcurrency
	}
	out := make([]Result, len(probes))
	sem := make(chan struct{}, concurrency)
	var wg sync.WaitGroup
	for i, p := range probes {
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			out[i] = p.Run(ctx)
		}()
	}
	wg.Wait()
	return out
}

// RunOptions configure RunChecks.
type RunOptions struct {
	// Probers are shared resources; nil means fresh ones for this call.
	Probers *Probers
	// Timeout is the default per probe; default DefaultTimeout.
	Timeout     time.Duration
	Concurrency int
	// Service labels the results.
	Service string
}

// RunChecks runs checks once against addrs (the addresses of the hosts to
// check, e.g. a failover target's terraform outputs). The failover's
// wait-healthy step calls it until every result is OK. Exec commands and
// scrubbing follow opts.Probers' ProberOptions (Dir, Redact).
func RunChecks(ctx context.Context, checks []*config.Check, addrs []string, opts RunOptions) ([]Result, error) {
	p := opts.Probers
	if p == nil {
		p = NewProbers(ProberOptions{})
		defer p.Close()
	}
	var probes []*Probe
	for _, c := range checks {
		ps, err := p.Compile(opts.Service, c, addrs, opts.Timeout)
		if err != nil {
			return nil, err
		}
		probes = append(probes, ps...)
	}
	return RunProbes(ctx, probes, opts.Concurrency), nil
}

// AllOK reports whether there is at least one result and every one passed.
func AllOK(results []Result) bool {
	for _, r := range results {
		if !r.OK {
			return false
		}
	}
	return len(results) > 0
}

// PolicyOf takes the state machine's thresholds from the configuration.
func PolicyOf(p config.Policy) Policy {
	return Policy{FailAfter: p.FailAfter, RecoverAfter: p.RecoverAfter, Quorum: p.Quorum}
}

// ProviderNames lists the configuration's providers in order.
func ProviderNames(cfg *config.Config) []string {
	out := make([]string, len(cfg.Providers))
	for i, p := range cfg.Providers {
		out[i] = p.Name
	}
	return out
}

// RunRounds runs every group's probes n times, interval apart (all groups
// of a round at once, at most concurrency probes in flight), and feeds
// each round to mon. It is the one-shot counterpart of the Scheduler.
func RunRounds(ctx context.Context, groups []*Group, mon *Monitor, n int, interval time.Duration, concurrency int) error {
	var probes []*Probe
	for _, g := range groups {
		probes = append(probes, g.Probes...)
	}
	for i := range n {
		if i > 0 {
			t := time.NewTimer(interval)
			select {
			case <-ctx.Done():
				t.Stop()
				return ctx.Err()
			case <-t.C:
			}
		}
		at := time.Now()
		results := RunProbes(ctx, probes, concurrency)
		if err := ctx.Err(); err != nil {
			return err // results cut short are not evidence
		}
		for _, g := range groups {
			mon.Observe(g.Provider, at, results[:len(g.Probes)])
			results = results[len(g.Probes):]
		}
	}
	return nil
}

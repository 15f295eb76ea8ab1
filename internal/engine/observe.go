package engine

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/miekg/dns"

	"github.com/lifeboat-dev/lifeboat/health"
	"github.com/lifeboat-dev/lifeboat/internal/dnsquery"
	"github.com/lifeboat-dev/lifeboat/internal/executor"
	"github.com/lifeboat-dev/lifeboat/internal/journal"
	"github.com/lifeboat-dev/lifeboat/internal/wire"
	"github.com/lifeboat-dev/lifeboat/planner"
)

// Placement is where each service runs now and at which addresses.
type Placement struct {
	// Provider maps service -> provider.
	Provider map[string]string
	// Addresses maps service -> the addresses the last operation pointed
	// DNS at (empty when only the configuration is known).
	Addresses map[string][]string
	// Source maps service -> "journal" or "first_candidate".
	Source map[string]string
}

// Placement reads each service's placement from the journal; a service
// the journal has never moved runs at its first candidate.
func (e *Engine) Placement(ctx context.Context, j journal.Journal) (Placement, error) {
	return e.placement(ctx, j, true)
}

// PlacedAt maps each service to the provider it runs at, without looking
// up addresses (which may run Terraform): cheap enough for the daemon to
// ask every interval.
func (e *Engine) PlacedAt(ctx context.Context, j journal.Journal) (map[string]string, error) {
	pl, err := e.placement(ctx, j, false)
	return pl.Provider, err
}

func (e *Engine) placement(ctx context.Context, j journal.Journal, addresses bool) (Placement, error) {
	pl := Placement{Provider: map[string]string{}, Addresses: map[string][]string{}, Source: map[string]string{}}
	var known map[string]journal.Placement
	if j != nil {
		var err error
		if known, err = j.Placement(ctx); err != nil {
			return pl, fmt.Errorf("read placement: %w", err)
		}
	}
	for _, s := range e.Cfg.Services {
		if p, ok := known[s.Name]; ok && e.Cfg.Provider(p.Provider) != nil {
			pl.Provider[s.Name], pl.Source[s.Name] = p.Provider, "journal"
			if !addresses {
				continue
			}
			addrs, err := operationAddresses(ctx, j, p.OpID, s.Name, p.Provider)
			if err != nil {
				return pl, err
			}
			pl.Addresses[s.Name] = addrs
		} else if len(s.Candidates) > 0 {
			pl.Provider[s.Name], pl.Source[s.Name] = s.Candidates[0], "first_candidate"
		}
		if addresses && len(pl.Addresses[s.Name]) == 0 {
			pl.Addresses[s.Name] = e.outputAddresses(ctx, s.Name, pl.Provider[s.Name])
		}
	}
	return pl, nil
}

// outputAddresses reads a service's addresses from the workspace of the
// provider it runs on, when the configuration lists none for that provider:
// the usual case for a primary whose hosts Terraform created.
func (e *Engine) outputAddresses(ctx context.Context, service, provider string) []string {
	p := e.Cfg.Provider(provider)
	s := e.Cfg.Service(service)
	if p == nil || s == nil || len(p.Addresses) > 0 || p.Terraform == nil {
		return nil
	}
	ws, err := e.workspace(provider)
	if err != nil {
		e.Log.Warn("cannot open workspace to find the service's addresses", "service", service, "provider", provider, "err", err)
		return nil
	}
	addrs, err := ws.Addresses(ctx, s.AddressOutput)
	if err != nil {
		// Its first line: the CLI's diagnostics are in the debug log (-v).
		first, _, _ := strings.Cut(e.Cfg.Redact(err.Error()), "\n")
		e.Log.Warn("cannot read the service's addresses from its workspace", "service", service, "provider", provider, "output", s.AddressOutput, "err", first)
		return nil
	}
	return addrs
}

// operationAddresses finds the addresses an operation read for a service.
func operationAddresses(ctx context.Context, j journal.Journal, opID, service, provider string) ([]string, error) {
	op, err := j.Operation(ctx, opID)
	if err != nil {
		return nil, fmt.Errorf("the operation that placed %s: %w", service, err)
	}
	return executor.Addresses(op, service, provider)
}

// targets tells health where to run checks: a service's checks run against
// the addresses of its placement (from the journal when known, else the
// provider's configured addresses).
func (e *Engine) targets(pl Placement) health.Targets {
	return health.Targets{
		Addresses: func(provider string) []string {
			var out []string
			for svc, p := range pl.Provider {
				if p == provider {
					out = append(out, pl.Addresses[svc]...)
				}
			}
			if len(out) > 0 {
				return out
			}
			if p := e.Cfg.Provider(provider); p != nil {
				return p.Addresses
			}
			return nil
		},
		Placement: func(service string) string { return pl.Provider[service] },
	}
}

// observation is what one look at the world saw.
type observation struct {
	Snapshot  health.Snapshot
	Providers map[string]planner.Observation
	DNS       map[string]planner.Observation
}

// observeOptions say how long to look.
type observeOptions struct {
	// Rounds of checks to run, policy.interval apart; at least 1.
	Rounds int
	// Confirm runs more rounds, up to policy.fail_after in all, while a
	// provider fails its checks but has not yet failed enough rounds to be
	// down: the manual path must see a loss by itself, and one failed
	// round is not yet a loss.
	Confirm bool
	// Progress hears about the extra rounds.
	Progress func(wire.Event)
}

// observe runs every check for the given rounds and asks every DNS
// provider's nameservers for the zone's SOA.
func (e *Engine) observe(ctx context.Context, pl Placement, opts observeOptions) (observation, error) {
	groups, err := health.BuildGroups(e.Cfg, e.probers, e.targets(pl))
	if err != nil {
		return observation{}, fmt.Errorf("cannot run checks: %w", err)
	}
	rounds := max(opts.Rounds, 1)
	mon := health.NewMonitor(health.ProviderNames(e.Cfg), health.PolicyOf(e.Cfg.Policy))
	if err := health.RunRounds(ctx, groups, mon, rounds, e.Cfg.Policy.Interval, e.Cfg.Policy.Concurrency); err != nil {
		return observation{}, fmt.Errorf("checks interrupted: %w", err)
	}
	if opts.Confirm {
		limit := max(e.Cfg.Policy.FailAfter, rounds)
		for n := rounds; n < limit; n++ {
			snap := mon.Snapshot()
			failing := unconfirmed(snap)
			if len(failing) == 0 {
				break
			}
			if n == rounds {
				// Say how long before the wait starts: an operator
				// in a hurry otherwise sees nothing for fail_after rounds.
				more := limit - n
				emit(opts.Progress, fmt.Sprintf("confirming over up to %d more rounds (policy.fail_after %d), policy.interval %s apart: up to %s",
					more, limit, e.Cfg.Policy.Interval, time.Duration(more)*e.Cfg.Policy.Interval))
			}
			emit(opts.Progress, fmt.Sprintf("round %d of up to %d: %s failing; checking again in %s to confirm",
				n, limit, strings.Join(failing, ", "), e.Cfg.Policy.Interval))
			for _, name := range failing {
				emit(opts.Progress, "  "+name+": "+e.Cfg.Redact(failureReasons(snap.Provider(name))))
			}
			if err := sleep(ctx, e.Cfg.Policy.Interval); err != nil {
				return observation{}, fmt.Errorf("checks interrupted: %w", err)
			}
			if err := health.RunRounds(ctx, groups, mon, 1, 0, e.Cfg.Policy.Concurrency); err != nil {
				return observation{}, fmt.Errorf("checks interrupted: %w", err)
			}
		}
	}
	return e.observationOf(ctx, mon.Snapshot(), nil), nil
}

// Groups compiles the checks to run for placement pl: a long-lived
// monitor (the daemon's) swaps them in after each operation, so a
// service's checks follow it to its new addresses.
func (e *Engine) Groups(pl Placement) ([]*health.Group, error) {
	return health.BuildGroups(e.Cfg, e.probers, e.targets(pl))
}

// observationOf turns a monitor's snapshot into what the planner needs,
// asking each DNS provider's nameservers for the zone's SOA.
// The DNS providers' states come from dns (a cache) when set, instead
// of being read now.
func (e *Engine) observationOf(ctx context.Context, snap health.Snapshot, dns func(context.Context) map[string]planner.Observation) observation {
	obs := observation{Snapshot: snap, Providers: map[string]planner.Observation{}, DNS: map[string]planner.Observation{}}
	for _, p := range e.Cfg.Providers {
		st := obs.Snapshot.Provider(p.Name)
		o := planner.Observation{State: planner.StateUnknown}
		if st != nil {
			o.State, o.Reason = planner.State(st.State), st.Reason
		}
		o.ControlPlaneOK, o.Reason = e.controlPlane(p.Name, st, o.Reason)
		obs.Providers[p.Name] = o
	}
	if dns != nil {
		obs.DNS = dns(ctx)
	} else {
		obs.DNS = e.DNSStates(ctx)
	}
	return obs
}

// DNSStates checks every DNS provider, all at once: its nameservers must
// answer for the zone's SOA, and its API must answer (read the zone). A
// provider whose API does not answer cannot be written, so it is down for
// the cutover however well its nameservers still serve.
func (e *Engine) DNSStates(ctx context.Context) map[string]planner.Observation {
	return e.dnsStates(ctx, true)
}

// DNSServing asks only every DNS provider's nameservers for the zone's
// SOA: whether each still serves it (Serving), without reading the zone
// through its API. It is cheap enough to ask every interval.
func (e *Engine) DNSServing(ctx context.Context) map[string]planner.Observation {
	return e.dnsStates(ctx, false)
}

func (e *Engine) dnsStates(ctx context.Context, api bool) map[string]planner.Observation {
	out := make(map[string]planner.Observation, len(e.Cfg.DNS))
	var mu sync.Mutex
	var wg sync.WaitGroup
	for _, d := range e.Cfg.DNS {
		wg.Add(1)
		go func() {
			defer wg.Done()
			o := askSOA(ctx, d.Zone, e.nameserversOf(ctx, d.Name), e.Cfg.Policy.Timeout)
			o.Serving = o.State == planner.StateHealthy || o.State == planner.StateDegraded
			var err error
			if api {
				err = e.askAPI(ctx, d.Name)
			}
			if err != nil {
				why := "its API does not answer: " + err.Error()
				if o.State == planner.StateDown {
					o.Reason += "; " + why
				} else {
					o = planner.Observation{State: planner.StateDown, Serving: true, Reason: why + " (its nameservers: " + o.Reason + ")"}
				}
			}
			// A nameserver or an API URL may come from env(): the reason
			// goes into plans, status and the journal.
			o.Reason = e.Cfg.Redact(o.Reason)
			mu.Lock()
			out[d.Name] = o
			mu.Unlock()
		}()
	}
	wg.Wait()
	return out
}

// minAPITimeout is the least time a DNS provider's API gets to read the
// zone: hosted APIs answer slower than a nameserver.
const minAPITimeout = 10 * time.Second

// askAPI reads the zone through the DNS provider's API.
func (e *Engine) askAPI(ctx context.Context, name string) error {
	_, err := e.readZone(ctx, name)
	return err
}

// readZone reads the zone through the DNS provider's API and counts its
// records.
func (e *Engine) readZone(ctx context.Context, name string) (int, error) {
	p, err := e.dnsProvider(name)
	if err != nil {
		return 0, err
	}
	ctx, cancel := context.WithTimeout(ctx, max(minAPITimeout, e.Cfg.Policy.Timeout))
	defer cancel()
	recs, err := p.GetRecords(ctx, e.Cfg.DNSProvider(name).Zone)
	return len(recs), err
}

// unconfirmed lists the providers whose last round failed without their
// state being settled as down or account_lost yet. A provider degraded by
// one host of several is not among them: that is no loss to confirm.
// failureReasons lists a provider's failed probes' reasons of its last
// round, each distinct reason once with its count ("(x8)" when eight
// checks hit the same DNS error), in order of first appearance.
func failureReasons(p *health.ProviderStatus) string {
	if p == nil {
		return "no result"
	}
	var order []string
	count := map[string]int{}
	for _, r := range p.Results {
		if r.OK {
			continue
		}
		if count[r.Reason] == 0 {
			order = append(order, r.Reason)
		}
		count[r.Reason]++
	}
	if len(order) == 0 {
		return p.Reason
	}
	return countedList(order, count)
}

// countedList joins items, each followed by its count when above one.
func countedList(order []string, count map[string]int) string {
	parts := make([]string, len(order))
	for i, s := range order {
		parts[i] = s
		if n := count[s]; n > 1 {
			parts[i] += fmt.Sprintf(" (x%d)", n)
		}
	}
	return strings.Join(parts, "; ")
}

func unconfirmed(s health.Snapshot) []string {
	var out []string
	for _, p := range s.Providers {
		if !p.Failing {
			continue
		}
		out = append(out, p.Name)
	}
	return out
}

// controlPlane says whether a provider's own API answered: its
// provider_api checks passed. A provider with no provider_api check but a
// Terraform workspace is taken as reachable, with the reason saying so:
// apply itself will prove it, and DNS waits for health checks.
func (e *Engine) controlPlane(name string, st *health.ProviderStatus, reason string) (bool, string) {
	p := e.Cfg.Provider(name)
	apiChecks, apiOK := 0, 0
	if st != nil {
		for _, r := range st.Results {
			if r.Kind == "provider_api" {
				apiChecks++
				if r.OK {
					apiOK++
				}
			}
		}
	}
	switch {
	case apiChecks > 0:
		return apiOK == apiChecks, reason
	case p != nil && p.Terraform != nil:
		if st == nil || st.State == health.StateUnknown {
			// Say so only where it is the only evidence there is.
			note := "no provider_api check: control plane assumed reachable"
			if reason != "" {
				note = reason + "; " + note
			}
			return true, note
		}
		return true, reason
	}
	return false, reason
}

// askSOA checks that a DNS provider's authoritative servers answer for the
// zone. Without nameservers to ask, the state is unknown.
func askSOA(ctx context.Context, zone string, servers []string, timeout time.Duration) planner.Observation {
	if len(servers) == 0 {
		return planner.Observation{State: planner.StateUnknown, Reason: "no nameservers configured to ask"}
	}
	if timeout <= 0 {
		timeout = 3 * time.Second
	}
	var failed []string
	for _, s := range servers {
		// Only the zone's own servers count, so the answer must be
		// authoritative: a resolver answering from its cache proves nothing.
		r, err := dnsquery.Ask(ctx, s, zone, dns.TypeSOA, dnsquery.Options{Authoritative: true, Timeout: timeout})
		switch {
		case err != nil:
			failed = append(failed, err.Error())
		case len(r.Answer) == 0:
			failed = append(failed, fmt.Sprintf("%s: no SOA in the answer", s))
		}
	}
	switch {
	case len(failed) == 0:
		return planner.Observation{State: planner.StateHealthy, Reason: "SOA answered by every nameserver"}
	case len(failed) == len(servers):
		return planner.Observation{State: planner.StateDown, Reason: "no nameserver answers: " + strings.Join(failed, "; ")}
	}
	return planner.Observation{State: planner.StateDegraded, Reason: "some nameservers do not answer: " + strings.Join(failed, "; ")}
}

// plannerInput turns an observation, the placement and a request into the
// planner's input; it does no I/O, so a long-lived monitor feeds it too.
func (e *Engine) plannerInput(obs observation, pl Placement, req planner.Request) planner.Input {
	return planner.Input{Config: e.Cfg, Providers: obs.Providers, DNS: obs.DNS, Placement: pl.Provider, Request: req}
}

// sleep waits d or until ctx ends.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

package engine

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"github.com/libdns/libdns"
	"github.com/miekg/dns"

	"github.com/lifeboat-dev/lifeboat/internal/dnscutover"
	"github.com/lifeboat-dev/lifeboat/internal/executor"
	"github.com/lifeboat-dev/lifeboat/planner"
)

// errNotServing is returned (wrapped) when a DNS provider a re-delegation
// would delegate to does not answer for the zone with the current
// records: the delegation is left as it is.
var errNotServing = errors.New("DNS provider does not serve the zone's current records")

// registrar returns the registrar of zone, opened once.
func (e *Engine) registrar(zone string) (executor.Delegator, error) {
	g := e.Cfg.Registrar(zone)
	if g == nil {
		return nil, fmt.Errorf("zone %s has no registrar block", zone)
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if r, ok := e.registrars[g.Name]; ok {
		return r, nil
	}
	r, err := openRegistrar(g)
	if err != nil {
		return nil, fmt.Errorf("registrar %q: %w", g.Name, err)
	}
	if e.registrars == nil {
		e.registrars = map[string]executor.Delegator{}
	}
	e.registrars[g.Name] = r
	return r, nil
}

// checkServing asks every nameserver of each named DNS provider for the
// zone's SOA and for the records of every service served there, and
// compares the answers with the addresses the service runs at. It returns
// one line per provider of what was checked.
func (e *Engine) checkServing(ctx context.Context, zone string, names []string) ([]string, error) {
	var pl Placement
	if j, err := e.Journal(); err == nil {
		if pl, err = e.Placement(ctx, j); err != nil {
			return nil, err
		}
	} else if pl, err = e.Placement(ctx, nil); err != nil {
		return nil, err
	}
	var lines []string
	for _, name := range names {
		servers := e.nameserversOf(ctx, name)
		if len(servers) == 0 {
			return nil, fmt.Errorf("%w: dns %s: no nameservers to ask (set nameservers in its dns block)", errNotServing, name)
		}
		if o := askSOA(ctx, zone, servers, e.Cfg.Policy.Timeout); o.State != planner.StateHealthy {
			return nil, fmt.Errorf("%w: dns %s: %s", errNotServing, name, e.Cfg.Redact(o.Reason))
		}
		n := 0
		for _, s := range e.Cfg.Services {
			want := pl.Addresses[s.Name]
			if p := e.Cfg.Provider(pl.Provider[s.Name]); len(want) == 0 && p != nil {
				want = p.Addresses // never moved: the configured addresses
			}
			if !s.UsesDNS(name) || len(want) == 0 {
				continue
			}
			for _, rec := range s.Records {
				fq := libdns.AbsoluteName(rec, zone)
				for _, server := range servers {
					got, err := dnscutover.Addresses(ctx, server, fq, e.Cfg.Policy.Timeout)
					if err != nil {
						return nil, fmt.Errorf("%w: dns %s: %s", errNotServing, name, e.Cfg.Redact(err.Error()))
					}
					if !sameAddresses(got, want) {
						return nil, fmt.Errorf("%w: dns %s serves %s as %s, but %s runs on %s at %s; run `lifeboat sync` first",
							errNotServing, name, fq, orNothing(got), s.Name, pl.Provider[s.Name], strings.Join(want, ", "))
					}
				}
				n++
			}
		}
		lines = append(lines, fmt.Sprintf("%s: SOA and %d record(s) current at %d nameserver(s)", name, n, len(servers)))
	}
	return lines, nil
}

// sameAddresses compares the addresses served with those a service runs
// at (strings from the journal or the configuration), as sets.
func sameAddresses(got []netip.Addr, want []string) bool {
	var w []netip.Addr
	for _, x := range want {
		a, err := netip.ParseAddr(x)
		if err != nil {
			return false
		}
		w = append(w, a.Unmap())
	}
	slices.SortFunc(w, netip.Addr.Compare)
	return slices.Equal(got, slices.Compact(w))
}

func orNothing(xs []netip.Addr) string {
	if len(xs) == 0 {
		return "nothing"
	}
	s := make([]string, len(xs))
	for i, a := range xs {
		s[i] = a.String()
	}
	return strings.Join(s, ", ")
}

// glue finds the addresses of the new nameservers named inside the zone
// (a parent needs them to refer there): each asked of the DNS providers
// that name it, which serve the zone and so the name.
func (e *Engine) glue(ctx context.Context, st planner.Step) (map[string][]netip.Addr, error) {
	glue := map[string][]netip.Addr{}
	for _, ns := range st.NS {
		if !dns.IsSubDomain(strings.ToLower(st.Zone), ns) {
			continue
		}
		var servers []string
		for _, name := range st.DNS {
			if d := e.Cfg.DNSProvider(name); d != nil && slices.Contains(d.NSNames, ns) {
				servers = append(servers, e.nameserversOf(ctx, name)...)
			}
		}
		var lastErr error
		for _, server := range servers {
			got, err := dnscutover.Addresses(ctx, server, ns, e.Cfg.Policy.Timeout)
			if err != nil {
				lastErr = err
				continue
			}
			if len(got) > 0 {
				glue[ns] = got
				break
			}
		}
		if len(glue[ns]) == 0 {
			why := "its own DNS provider has no A or AAAA record for it"
			if lastErr != nil {
				why = e.Cfg.Redact(lastErr.Error())
			}
			return nil, fmt.Errorf("nameserver %s is inside %s and needs glue at the parent, but %s", ns, st.Zone, why)
		}
	}
	return glue, nil
}

package engine

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"time"

	"github.com/libdns/libdns"
	"github.com/miekg/dns"

	"github.com/lifeboat-dev/lifeboat/internal/dnscutover"
	"github.com/lifeboat-dev/lifeboat/planner"
)

// Delegator is what a re-delegation needs of a registrar: read and set
// the NS host names the parent zone delegates a zone to.
type Delegator interface {
	Nameservers(ctx context.Context, zone string) ([]string, error)
	SetNameservers(ctx context.Context, zone string, ns []string, glue map[string][]netip.Addr) error
}

// ErrNotServing is returned (wrapped) when a DNS provider a re-delegation
// would delegate to does not answer for the zone with the current
// records: the delegation is left as it is.
var ErrNotServing = errors.New("DNS provider does not serve the zone's current records")

// redelegatePoll is the first pause between reads of the delegation after
// it was set; it doubles up to 5s.
const redelegatePoll = 200 * time.Millisecond

// Registrar returns the registrar of zone, opened once.
func (e *Engine) Registrar(zone string) (Delegator, error) {
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
		e.registrars = map[string]Delegator{}
	}
	e.registrars[g.Name] = r
	return r, nil
}

// redelegate carries out a redelegate step: every DNS provider the zone
// is delegated to must answer for it, authoritatively, with the addresses
// the services placed in it run at; then the registrar is set and read
// back until it names exactly the new nameservers.
func (e *Engine) redelegate(ctx context.Context, st planner.Step) (map[string]string, error) {
	reg, err := e.Registrar(st.Zone)
	if err != nil {
		return nil, err
	}
	checked, err := e.checkServing(ctx, st.Zone, st.DNS)
	if err != nil {
		return nil, err
	}
	glue, err := e.glue(ctx, st)
	if err != nil {
		return nil, err
	}
	out := map[string]string{"ns": strings.Join(st.NS, ","), "checked": strings.Join(checked, "; ")}
	before, err := reg.Nameservers(ctx, st.Zone)
	if err != nil {
		e.Log.Warn("cannot read the zone's delegation before changing it", "zone", st.Zone, "err", e.Cfg.Redact(err.Error()))
	}
	out["previous"] = strings.Join(before, ",")
	if sameNames(before, st.NS) {
		out["unchanged"] = "true"
		return out, nil
	}
	if err := reg.SetNameservers(ctx, st.Zone, st.NS, glue); err != nil {
		return out, fmt.Errorf("set the delegation of %s: %w", st.Zone, err)
	}
	return out, e.awaitDelegation(ctx, reg, st)
}

// awaitDelegation reads the delegation back until it names st.NS, within
// the step's timeout: some registrars take a change and apply it later.
func (e *Engine) awaitDelegation(ctx context.Context, reg Delegator, st planner.Step) error {
	timeout := st.Timeout()
	if timeout <= 0 {
		timeout = e.Cfg.Policy.VerifyDNS
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	pause := redelegatePoll
	for {
		got, err := reg.Nameservers(ctx, st.Zone)
		if err == nil && sameNames(got, st.NS) {
			return nil
		}
		last := fmt.Sprintf("it names %s", strings.Join(got, ", "))
		if err != nil {
			last = e.Cfg.Redact(err.Error())
		}
		if err := sleep(ctx, pause); err != nil {
			return fmt.Errorf("the registrar took the new delegation of %s but does not report it within %s (%s)", st.Zone, timeout, last)
		}
		pause = min(2*pause, 5*time.Second)
	}
}

func sameNames(a, b []string) bool {
	norm := func(xs []string) []string {
		out := make([]string, len(xs))
		for i, x := range xs {
			out[i] = strings.ToLower(dns.Fqdn(x))
		}
		slices.Sort(out)
		return slices.Compact(out)
	}
	return slices.Equal(norm(a), norm(b))
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
		servers := e.Nameservers(ctx, name)
		if len(servers) == 0 {
			return nil, fmt.Errorf("%w: dns %s: no nameservers to ask (set nameservers in its dns block)", ErrNotServing, name)
		}
		if o := askSOA(ctx, zone, servers, e.Cfg.Policy.Timeout); o.State != planner.StateHealthy {
			return nil, fmt.Errorf("%w: dns %s: %s", ErrNotServing, name, e.Cfg.Redact(o.Reason))
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
						return nil, fmt.Errorf("%w: dns %s: %s", ErrNotServing, name, e.Cfg.Redact(err.Error()))
					}
					if !sameAddresses(got, want) {
						return nil, fmt.Errorf("%w: dns %s serves %s as %s, but %s runs on %s at %s; run `lifeboat sync` first",
							ErrNotServing, name, fq, orNothing(got), s.Name, pl.Provider[s.Name], strings.Join(want, ", "))
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
				servers = append(servers, e.Nameservers(ctx, name)...)
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

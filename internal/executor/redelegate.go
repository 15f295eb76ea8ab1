package executor

import (
	"context"
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"time"

	"github.com/miekg/dns"

	"github.com/lifeboat-dev/lifeboat/planner"
)

// Delegator is what a re-delegation needs of a registrar: read and set
// the NS host names the parent zone delegates a zone to.
type Delegator interface {
	Nameservers(ctx context.Context, zone string) ([]string, error)
	SetNameservers(ctx context.Context, zone string, ns []string, glue map[string][]netip.Addr) error
}

// redelegatePoll is the first pause between reads of the delegation after
// it was set; it doubles up to 5s.
const redelegatePoll = 200 * time.Millisecond

// redelegate carries out a redelegate step: every DNS provider the zone
// is delegated to must answer for it, authoritatively, with the addresses
// the services placed in it run at; then the registrar is set and read
// back until it names exactly the new nameservers.
func (e *Executor) redelegate(ctx context.Context, st planner.Step) (map[string]string, error) {
	reg, err := e.env.Registrar(st.Zone)
	if err != nil {
		return nil, err
	}
	checked, err := e.env.Serving(ctx, st.Zone, st.DNS)
	if err != nil {
		return nil, err
	}
	glue, err := e.env.Glue(ctx, st)
	if err != nil {
		return nil, err
	}
	out := map[string]string{"ns": strings.Join(st.NS, ","), "checked": strings.Join(checked, "; ")}
	before, err := reg.Nameservers(ctx, st.Zone)
	if err != nil {
		e.env.Logger.Warn("cannot read the zone's delegation before changing it", "zone", st.Zone, "err", e.env.Redact(err.Error()))
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
// the step's timeout (default the DNS verification's): some registrars
// take a change and apply it later.
func (e *Executor) awaitDelegation(ctx context.Context, reg Delegator, st planner.Step) error {
	timeout := st.Timeout()
	if timeout <= 0 {
		timeout = e.env.DNSOptions.VerifyTimeout
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
			last = e.env.Redact(err.Error())
		}
		t := time.NewTimer(pause)
		select {
		case <-ctx.Done():
			t.Stop()
			return fmt.Errorf("the registrar took the new delegation of %s but does not report it within %s (%s)", st.Zone, timeout, last)
		case <-t.C:
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

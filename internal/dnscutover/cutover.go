package dnscutover

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"slices"

	"github.com/libdns/libdns"

	"github.com/lifeboat-dev/lifeboat/internal/dnswriter"
)

// Cutover makes every record of req hold exactly req.Addresses at every
// target, all targets at once. A target that fails is retried with
// backoff (bounded by opts.Retry.Attempts and ctx) while the others proceed; its
// result says why it failed. Records not owned by req.Owner are left alone
// and reported with ErrNotOwned (not retried); the target's other records
// are still changed. Running it again with the same request changes
// nothing. Results are in the order of targets.
func Cutover(ctx context.Context, targets []Target, req Request, opts Options) []ProviderResult {
	return run(ctx, targets, req, opts, planZone, true)
}

// Release deletes the A and AAAA records of req.Records, and their
// ownership marks, at every target where req.Owner owns them: the teardown
// of a canary drill's record. Records someone else owns are reported with
// ErrNotOwned and left alone whatever req.Adopt says. req.Addresses is not used.
func Release(ctx context.Context, targets []Target, req Request, opts Options) []ProviderResult {
	return run(ctx, targets, req, opts, func(records []libdns.Record, req Request) (changes, []error) {
		return planEach(records, req, planRelease)
	}, false)
}

// planner computes the writes that bring a zone's records to a request.
type planner func(records []libdns.Record, req Request) (changes, []error)

func run(ctx context.Context, targets []Target, req Request, opts Options, plan planner, needAddresses bool) []ProviderResult {
	opts = opts.withDefaults()
	req, err := req.normalize(needAddresses)
	return parallel(ctx, targets, func(ctx context.Context, t Target) ProviderResult {
		if err != nil {
			return ProviderResult{Err: err}
		}
		return runOne(ctx, t, req, opts, plan)
	})
}

func runOne(ctx context.Context, t Target, req Request, opts Options, plan planner) ProviderResult {
	var res ProviderResult
	if t.Provider == nil || t.Zone == "" {
		res.Err = fmt.Errorf("%w: DNS provider %q has no provider or zone", ErrInvalidRequest, t.Name)
		return res
	}
	changed := map[string]bool{}
	res.Err = opts.retry().Do(ctx, func(ctx context.Context) (bool, error) {
		res.Attempts++
		done, notOwned, err := attempt(ctx, t, req, plan, opts)
		for _, c := range done {
			changed[c] = true
		}
		if dnswriter.Permanent(err) {
			return false, errors.Join(append(notOwned, err)...)
		}
		if err != nil {
			opts.Logger.Warn("DNS change attempt failed", "dns", t.Name, "zone", t.Zone,
				"service", req.Service, "attempt", res.Attempts, "err", err)
			return true, errors.Join(append(notOwned, err)...)
		}
		return false, errors.Join(notOwned...)
	})
	for c := range changed {
		res.Changed = append(res.Changed, c)
	}
	slices.Sort(res.Changed)
	return res
}

// attempt reads the zone, writes what differs from req through a DNS
// writer with req's owner, and reads the zone back to confirm. done lists
// the RRsets written, notOwned the records refused, and err a failure
// worth retrying, or the writer's stop.
func attempt(ctx context.Context, t Target, req Request, plan planner, opts Options) (done []string, notOwned []error, err error) {
	w := &dnswriter.Writer{Name: t.Name, Provider: t.Provider, Zone: t.Zone, Owner: req.Owner,
		Adopt: req.Adopt && !req.Exclusive, BeforeWrite: opts.BeforeWrite}
	records, err := w.Read(ctx)
	if err != nil {
		return nil, nil, err
	}
	c, notOwned := plan(records, req)
	px, proxy := dnswriter.AsProxier(t.Provider)
	var before map[string]bool
	if proxy && needProxy(req) {
		if before, err = px.Proxied(ctx, t.Zone); err != nil {
			return nil, notOwned, fmt.Errorf("read which records are proxied: %w", err)
		}
	}
	if opts.DryRun {
		out := c.changed()
		if proxy && needProxy(req) {
			for _, s := range proxySwitches(records, t, req, before, before) {
				out = append(out, s.name+" "+s.typ+" proxied")
			}
			slices.Sort(out)
		}
		return out, notOwned, nil
	}
	writes := []struct {
		what string
		g    group
		op   func(context.Context, []libdns.Record) error
	}{
		{"write ownership records", c.owners, w.Set},
		{"delete conflicting CNAME", c.clear, w.Delete},
		{"set addresses", c.set, w.Set},
		{"delete stale addresses", c.drop, w.Delete},
		{"delete ownership records", c.unmark, w.Delete},
	}
	for _, wr := range writes {
		if len(wr.g.recs) == 0 {
			continue
		}
		if err := wr.op(ctx, wr.g.recs); err != nil {
			if dnswriter.Stopped(err) {
				return done, notOwned, err
			}
			return done, notOwned, fmt.Errorf("%s %v: %w", wr.what, wr.g.names, err)
		}
		done = append(done, wr.g.names...)
	}
	if proxy && needProxy(req) {
		// Read again: a record created just now is not proxied, and one
		// updated in place kept its flag.
		now, err := px.Proxied(ctx, t.Zone)
		if err != nil {
			return done, notOwned, fmt.Errorf("read which records are proxied: %w", err)
		}
		for _, s := range proxySwitches(records, t, req, before, now) {
			if err := w.SetProxy(ctx, s.name, s.typ, s.on); err != nil {
				if dnswriter.Stopped(err) {
					return done, notOwned, err
				}
				return done, notOwned, fmt.Errorf("set %s %s proxied=%v: %w", s.name, s.typ, s.on, err)
			}
			done = append(done, s.name+" "+s.typ+" proxied")
		}
	}
	return done, notOwned, w.Confirm(ctx)
}

// needProxy reports whether the request writes addresses (a cutover, not
// a release), the only writes a proxy applies to.
func needProxy(req Request) bool { return len(req.Addresses) > 0 }

// proxySwitch is one RRset whose proxy must be switched.
type proxySwitch struct {
	name, typ string
	on        bool
}

// proxySwitches lists the address RRsets of req whose proxy flag (now)
// differs from the one wanted: the target's setting, else the flag the
// RRset had before the cutover (before), so a proxied record stays
// proxied. Names the owner may not write are skipped (the writes already
// reported them).
func proxySwitches(records []libdns.Record, t Target, req Request, before, now map[string]bool) []proxySwitch {
	var out []proxySwitch
	for _, name := range req.Records {
		if err := dnswriter.Claim(records, t.Zone, name, req.Owner, req.Exclusive); err != nil && (!req.Adopt || req.Exclusive) {
			continue
		}
		for _, fam := range []string{typeA, typeAAAA} {
			if !slices.ContainsFunc(req.Addresses, func(a netip.Addr) bool { return a.Is4() == (fam == typeA) }) {
				continue
			}
			k := name + " " + fam
			want, set := t.Proxied[name]
			if !set {
				// A family added now takes its sibling's flag.
				want = before[name+" "+typeA] || before[name+" "+typeAAAA]
			}
			if now[k] != want {
				out = append(out, proxySwitch{name: name, typ: fam, on: want})
			}
		}
	}
	return out
}

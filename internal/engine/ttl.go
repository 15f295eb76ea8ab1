package engine

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/libdns/libdns"

	"github.com/lifeboat-dev/lifeboat/internal/dnscutover"
	"github.com/lifeboat-dev/lifeboat/internal/dnswriter"
)

// TTLChange is one address RRset of a service at one DNS provider whose
// TTL a pre-emptive change looked at. A change with no Type is about the
// whole zone at that DNS provider (down, or unreadable).
type TTLChange struct {
	Service string        `json:"service"`
	DNS     string        `json:"dns"`
	Name    string        `json:"name"` // fully qualified
	Type    string        `json:"type"`
	From    time.Duration `json:"from_ns"`
	To      time.Duration `json:"to_ns"`
	// Changed is set once written; Skipped says why it was left alone,
	// Error why the read or the write failed.
	Changed bool   `json:"changed,omitempty"`
	Skipped string `json:"skipped,omitempty"`
	Error   string `json:"error,omitempty"`
}

// String is the change as one line of evidence.
func (c TTLChange) String() string {
	if c.Type == "" {
		line := fmt.Sprintf("zone %s at %s", c.Name, c.DNS)
		if c.Error != "" {
			return line + ": failed: " + c.Error
		}
		return line + ": left alone: " + c.Skipped
	}
	line := fmt.Sprintf("%s %s at %s: %s -> %s", c.Name, c.Type, c.DNS, secondsText(c.From), secondsText(c.To))
	switch {
	case c.Error != "":
		line += ": failed: " + c.Error
	case c.Skipped != "":
		line = fmt.Sprintf("%s %s at %s (%s): left alone: %s", c.Name, c.Type, c.DNS, secondsText(c.From), c.Skipped)
	}
	return line
}

func secondsText(d time.Duration) string { return fmt.Sprintf("%ds", int64(d/time.Second)) }

// TTLRequest asks for the TTL of some services' A and AAAA RRsets.
type TTLRequest struct {
	Services []string
	// TTL gives, for a service's RRset whose highest TTL is now current,
	// the TTL to set, and false to leave the RRset as it is.
	TTL func(service string, current time.Duration) (time.Duration, bool)
	// Down names the DNS providers observed down, with why: they are not
	// asked (a DNS provider that does not answer would only cost a
	// timeout), and are reported as skipped.
	Down map[string]string
}

// SetTTL sets the TTL of the services' A and AAAA RRsets at every DNS
// provider of theirs not in req.Down, where and as req.TTL says.
// Values are never changed, and each RRset is written whole. A name is
// changed only when it carries its service's ownership mark or the
// service adopts records, as the cutover does (the DNS writer enforces
// it). Each DNS provider is read once, written once and read back once,
// all at the same time, each call bounded, a failure retried a few times;
// one that cannot be read or written is reported in the changes (Error),
// the others are still written. The changes come sorted by DNS provider,
// name and type.
func (e *Engine) SetTTL(ctx context.Context, req TTLRequest) []TTLChange {
	byDNS := map[string][]string{}
	var order []string
	for _, name := range req.Services {
		s := e.Cfg.Service(name)
		if s == nil {
			continue // removed from the configuration meanwhile
		}
		for _, d := range e.Cfg.DNS {
			if !s.UsesDNS(d.Name) {
				continue
			}
			if _, ok := byDNS[d.Name]; !ok {
				order = append(order, d.Name)
			}
			byDNS[d.Name] = append(byDNS[d.Name], name)
		}
	}
	results := make([][]TTLChange, len(order))
	var wg sync.WaitGroup
	for i, name := range order {
		block := e.Cfg.DNSProvider(name)
		switch {
		case block == nil:
			continue
		case req.Down[name] != "":
			results[i] = []TTLChange{{DNS: name, Name: block.Zone, Skipped: "DNS provider down: " + req.Down[name]}}
			continue
		}
		wg.Go(func() { results[i] = e.setTTLAt(ctx, name, block.Zone, byDNS[name], req) })
	}
	wg.Wait()
	var out []TTLChange
	for _, r := range results {
		out = append(out, r...)
	}
	slices.SortStableFunc(out, func(a, b TTLChange) int {
		return strings.Compare(a.DNS+" "+a.Name+" "+a.Type, b.DNS+" "+b.Name+" "+b.Type)
	})
	return out
}

// setTTLAt does SetTTL's work at one DNS provider: read once, every
// service's RRsets written in one call through a DNS writer that holds
// each name to its service's owner (so a name the service does not own
// is refused there too, not only skipped here), then read back.
func (e *Engine) setTTLAt(ctx context.Context, dnsName, zone string, services []string, req TTLRequest) []TTLChange {
	fail := func(err error) []TTLChange {
		return []TTLChange{{DNS: dnsName, Name: zone, Error: e.Cfg.Redact(err.Error())}}
	}
	p, err := e.dnsProvider(dnsName)
	if err != nil {
		return fail(err)
	}
	claims := map[string]struct {
		owner string
		adopt bool
	}{}
	for _, name := range services {
		svc := e.Cfg.Service(name)
		for _, r := range svc.Records {
			claims[strings.ToLower(r)] = struct {
				owner string
				adopt bool
			}{dnscutover.ServiceOwner(name), svc.Adopt}
		}
	}
	w := &dnswriter.Writer{Name: dnsName, Provider: p, Zone: zone, Owners: func(name string) (string, bool) {
		c := claims[name]
		return c.owner, c.adopt
	}, BeforeWrite: e.leaderFence}
	var out []TTLChange
	read := true
	err = ttlRetry.Do(ctx, func(ctx context.Context) (bool, error) {
		recs, err := w.Read(ctx)
		if read = err == nil; !read {
			return true, err
		}
		out = nil
		var write []libdns.Record
		for _, name := range services {
			changes, sets := planTTL(recs, zone, name, e.Cfg.Service(name).Records, e.Cfg.Service(name).Adopt, req)
			out = append(out, changes...)
			write = append(write, sets...)
		}
		if len(write) == 0 {
			return false, nil
		}
		if err := w.Set(ctx, write); err != nil {
			return !dnswriter.Permanent(err), fmt.Errorf("write %d record(s) to zone %s: %w", len(write), zone, err)
		}
		err = w.Confirm(ctx)
		return err != nil, err
	})
	if !read {
		return fail(err)
	}
	for i := range out {
		out[i].DNS = dnsName
		if err != nil && out[i].Changed {
			out[i].Changed, out[i].Error = false, e.Cfg.Redact(err.Error())
		}
	}
	return out
}

// ttlRetry bounds a TTL change at one DNS provider: a few attempts, each
// bounded as a sync's call is.
var ttlRetry = dnswriter.Retry{Attempts: 3, AttemptTimeout: syncTimeout}

// planTTL decides, from a zone's records, which of a service's RRsets get
// a new TTL, and returns them whole with it.
func planTTL(recs []libdns.Record, zone, service string, names []string, adopt bool, req TTLRequest) ([]TTLChange, []libdns.Record) {
	owner := dnscutover.ServiceOwner(service)
	var out []TTLChange
	var write []libdns.Record
	for _, rec := range names {
		fq := libdns.AbsoluteName(rec, zone)
		owned := dnscutover.Owned(recs, rec, owner)
		sets := map[string][]libdns.RR{}
		for _, r := range recs {
			rr := r.RR()
			if (rr.Type != "A" && rr.Type != "AAAA") || !strings.EqualFold(libdns.AbsoluteName(rr.Name, zone), fq) {
				continue
			}
			// Some providers list a record twice; write it once.
			if !slices.ContainsFunc(sets[rr.Type], func(o libdns.RR) bool { return o.Data == rr.Data }) {
				sets[rr.Type] = append(sets[rr.Type], rr)
			}
		}
		for _, typ := range []string{"A", "AAAA"} {
			set := sets[typ]
			if len(set) == 0 {
				continue
			}
			// An RRset has one TTL; if a provider shows several, the
			// highest is the one a resolver may keep.
			have := slices.MaxFunc(set, func(a, b libdns.RR) int { return int(a.TTL - b.TTL) }).TTL
			ttl, ok := req.TTL(service, have)
			if !ok {
				continue
			}
			c := TTLChange{Service: service, Name: fq, Type: typ, From: have, To: ttl}
			if !owned && !adopt {
				c.Skipped = "not marked as " + owner + "'s, and service.adopt is off"
			} else {
				for _, rr := range set {
					rr.TTL = ttl
					write = append(write, rr)
				}
				c.Changed = true
			}
			out = append(out, c)
		}
	}
	return out, write
}

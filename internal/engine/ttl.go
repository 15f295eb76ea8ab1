package engine

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/libdns/libdns"

	"github.com/lifeboat-dev/lifeboat/internal/dnscutover"
)

// TTLChange is one address RRset of a service at one DNS provider whose
// TTL a pre-emptive change looked at.
type TTLChange struct {
	Service string        `json:"service"`
	DNS     string        `json:"dns"`
	Name    string        `json:"name"` // fully qualified
	Type    string        `json:"type"`
	From    time.Duration `json:"from_ns"`
	To      time.Duration `json:"to_ns"`
	// Changed is set once written; Skipped says why it was left alone,
	// Error why the write failed.
	Changed bool   `json:"changed,omitempty"`
	Skipped string `json:"skipped,omitempty"`
	Error   string `json:"error,omitempty"`
}

// String is the change as one line of evidence.
func (c TTLChange) String() string {
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

// SetServiceTTL sets the TTL of a service's A and AAAA RRsets to ttl at
// every DNS provider of the service, where change(current TTL) says so.
// Values are never changed. A name is changed only when it carries the
// service's ownership mark or the service adopts records, as the cutover
// does. A provider that cannot be read or written is reported in the
// changes (Error); the others are still written.
func (e *Engine) SetServiceTTL(ctx context.Context, service string, ttl time.Duration, change func(current time.Duration) bool) []TTLChange {
	s := e.Cfg.Service(service)
	if s == nil {
		return nil
	}
	names := s.DNS
	if len(names) == 0 {
		for _, d := range e.Cfg.DNS {
			names = append(names, d.Name)
		}
	}
	var out []TTLChange
	for _, name := range names {
		block := e.Cfg.DNSProvider(name)
		if block == nil {
			continue
		}
		out = append(out, e.setTTLAt(ctx, service, block.Name, block.Zone, ttl, change)...)
	}
	return out
}

func (e *Engine) setTTLAt(ctx context.Context, service, dnsName, zone string, ttl time.Duration, change func(time.Duration) bool) []TTLChange {
	s := e.Cfg.Service(service)
	fail := func(err error) []TTLChange {
		return []TTLChange{{Service: service, DNS: dnsName, Name: zone, Error: e.Cfg.Redact(err.Error())}}
	}
	p, err := e.DNSProvider(dnsName)
	if err != nil {
		return fail(err)
	}
	rctx, cancel := context.WithTimeout(ctx, syncTimeout)
	defer cancel()
	recs, err := p.GetRecords(rctx, zone)
	if err != nil {
		return fail(fmt.Errorf("read zone %s: %w", zone, err))
	}
	owner := "lifeboat/" + service
	var out []TTLChange
	var write []libdns.Record
	for _, rec := range s.Records {
		fq := libdns.AbsoluteName(rec, zone)
		owned := false
		sets := map[string][]libdns.RR{}
		for _, r := range recs {
			rr := r.RR()
			switch abs := libdns.AbsoluteName(rr.Name, zone); {
			case rr.Type == "TXT" && strings.EqualFold(abs, libdns.AbsoluteName(dnscutover.OwnerName(rec), zone)):
				if o, ok := dnscutover.ParseOwnership(strings.Trim(rr.Data, `"`)); ok && o == owner {
					owned = true
				}
			case (rr.Type == "A" || rr.Type == "AAAA") && strings.EqualFold(abs, fq):
				sets[rr.Type] = append(sets[rr.Type], rr)
			}
		}
		for _, typ := range []string{"A", "AAAA"} {
			set := sets[typ]
			if len(set) == 0 {
				continue
			}
			c := TTLChange{Service: service, DNS: dnsName, Name: fq, Type: typ, From: set[0].TTL, To: ttl}
			switch {
			case !change(set[0].TTL):
				continue
			case !owned && !s.Adopt:
				c.Skipped = "not marked as " + owner + "'s, and service.adopt is off"
			default:
				for _, rr := range set {
					rr.TTL = ttl
					write = append(write, rr)
				}
				c.Changed = true
			}
			out = append(out, c)
		}
	}
	if len(write) == 0 {
		return out
	}
	wctx, wcancel := context.WithTimeout(ctx, syncTimeout)
	defer wcancel()
	if _, err := p.SetRecords(wctx, zone, write); err != nil {
		msg := e.Cfg.Redact(fmt.Sprintf("write %d record(s) to zone %s: %v", len(write), zone, err))
		for i := range out {
			if out[i].Changed {
				out[i].Changed, out[i].Error = false, msg
			}
		}
	}
	slices.SortFunc(out, func(a, b TTLChange) int { return strings.Compare(a.Name+a.Type, b.Name+b.Type) })
	return out
}

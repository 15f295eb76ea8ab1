package drill

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"time"

	"github.com/miekg/dns"

	"github.com/lifeboat-dev/lifeboat/internal/config"
	"github.com/lifeboat-dev/lifeboat/internal/dnscutover"
	"github.com/lifeboat-dev/lifeboat/internal/dnsquery"
)

// DNS writes the drill record through dnscutover, so the cutover's
// ownership rule applies as in a failover, at every DNS provider of the
// service. The record is marked with the drill's own owner
// (dnscutover.DrillOwner), never the service's: a drill cannot change or
// delete a name the service (or anyone else) holds. It is also the
// readiness drill's ZoneReader.
type DNS struct {
	Service string
	Targets []dnscutover.Target
	TTL     time.Duration
	Options dnscutover.Options
}

func (d DNS) request(record string, addrs []string) (dnscutover.Request, error) {
	req := dnscutover.Request{Service: d.Service, Owner: dnscutover.DrillOwner(d.Service), Records: []string{record}, TTL: d.TTL, Exclusive: true}
	for _, a := range addrs {
		ip, err := netip.ParseAddr(a)
		if err != nil {
			return req, fmt.Errorf("address %q is not an IP address: %w", a, err)
		}
		req.Addresses = append(req.Addresses, ip)
	}
	return req, nil
}

// Check reads the zone at every DNS provider and refuses a drill record
// that exists and is not the drill's, by the cutover's ownership rule: a
// drill stops before it brings the standby up rather than fail at the
// write.
func (d DNS) Check(ctx context.Context, record string) (string, error) {
	owner := dnscutover.DrillOwner(d.Service)
	var errs []error
	var ok []string
	for _, t := range d.Targets {
		recs, err := t.Provider.GetRecords(ctx, t.Zone)
		if err == nil {
			err = dnscutover.Claimable(recs, record, owner, true)
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", t.Name, err))
			continue
		}
		ok = append(ok, t.Name)
	}
	if err := errors.Join(errs...); err != nil {
		return "", fmt.Errorf("the drill record is not the drill's to write (%w): choose another drill record, "+
			"or delete the name if it is a leftover of the drill", err)
	}
	return record + " is free or the drill's (" + owner + ") at " + strings.Join(ok, ", "), nil
}

// ReadZone reads the zone at the named DNS provider.
func (d DNS) ReadZone(ctx context.Context, name string) (int, error) {
	for _, t := range d.Targets {
		if t.Name == name {
			recs, err := t.Provider.GetRecords(ctx, t.Zone)
			if err != nil {
				return 0, fmt.Errorf("read zone %s: %w", t.Zone, err)
			}
			return len(recs), nil
		}
	}
	return 0, fmt.Errorf("dns %q is not one of the service's", name)
}

// Write sets the record to addrs at every DNS provider.
func (d DNS) Write(ctx context.Context, record string, addrs []string) (string, error) {
	req, err := d.request(record, addrs)
	if err != nil {
		return "", err
	}
	return d.results("written at", dnscutover.Cutover(ctx, d.Targets, req, d.Options))
}

// Verify asks every authoritative server until it serves addrs.
func (d DNS) Verify(ctx context.Context, record string, addrs []string) error {
	req, err := d.request(record, addrs)
	if err != nil {
		return err
	}
	_, err = d.results("", dnscutover.Verify(ctx, d.Targets, req, d.Options))
	return err
}

// Remove deletes the record and its ownership mark where we own them.
func (d DNS) Remove(ctx context.Context, record string) (string, error) {
	req, err := d.request(record, nil)
	if err != nil {
		return "", err
	}
	return d.results("removed at", dnscutover.Release(ctx, d.Targets, req, d.Options))
}

func (d DNS) results(verb string, rs []dnscutover.ProviderResult) (string, error) {
	var errs []error
	var ok []string
	for _, r := range rs {
		if r.Err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", r.DNS, r.Err))
			continue
		}
		ok = append(ok, r.DNS)
	}
	return verb + " " + strings.Join(ok, ", "), errors.Join(errs...)
}

// VerifyGone asks every authoritative server, round after round until
// Options.VerifyTimeout, until none serves an A or AAAA for the record.
func (d DNS) VerifyGone(ctx context.Context, record string) error {
	timeout := d.Options.VerifyTimeout
	if timeout <= 0 {
		timeout = config.DefaultVerifyDNS
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	var errs []error
	for _, t := range d.Targets {
		if len(t.Nameservers) == 0 {
			errs = append(errs, fmt.Errorf("%s: no nameservers to verify against", t.Name))
		}
		name := record + "." + strings.TrimSuffix(t.Zone, ".") + "."
		for _, ns := range t.Nameservers {
			if err := goneAt(ctx, ns, name); err != nil {
				errs = append(errs, fmt.Errorf("%s: %w", t.Name, err))
			}
		}
	}
	return errors.Join(errs...)
}

// goneAt polls one server until it answers no address for name.
func goneAt(ctx context.Context, server, name string) error {
	last := ""
	for {
		left := 0
		for _, qt := range []uint16{dns.TypeA, dns.TypeAAAA} {
			r, err := dnsquery.Ask(ctx, server, name, qt, dnsquery.Options{Authoritative: true, Timeout: 2 * time.Second})
			var rc *dnsquery.RcodeError
			switch {
			case errors.As(err, &rc) && rc.Rcode == dns.RcodeNameError:
			case err != nil:
				left++
				last = err.Error()
			case len(r.Answer) > 0:
				left++
				last = fmt.Sprintf("%s still answers %s %s", server, name, dns.TypeToString[qt])
			}
		}
		if left == 0 {
			return nil
		}
		t := time.NewTimer(time.Second)
		select {
		case <-ctx.Done():
			t.Stop()
			return fmt.Errorf("record not gone: %s", last)
		case <-t.C:
		}
	}
}

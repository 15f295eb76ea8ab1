package dnscutover

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"time"

	"github.com/miekg/dns"

	"github.com/lifeboat-dev/lifeboat/internal/dnsquery"
	"github.com/lifeboat-dev/lifeboat/internal/dnswriter"
)

// Verify asks every nameserver of every target directly, without
// recursion, for the A and AAAA sets of each record of req, round after
// round, until each serves exactly req.Addresses with the authoritative
// flag set, or until opts.VerifyTimeout (or ctx) ends. A target's result
// holds ErrNotVerified with the last answers seen when it did not converge;
// Attempts counts its rounds.
func Verify(ctx context.Context, targets []Target, req Request, opts Options) []ProviderResult {
	opts = opts.withDefaults()
	req, err := req.normalize(true)
	ctx, cancel := context.WithTimeout(ctx, opts.VerifyTimeout)
	defer cancel()
	return parallel(ctx, targets, func(ctx context.Context, t Target) ProviderResult {
		if err != nil {
			return ProviderResult{Err: err}
		}
		return verifyOne(ctx, t, req, opts)
	})
}

// check is one question to one nameserver, or (server apiServer) to the
// provider's API.
type check struct {
	server string
	name   string // FQDN
	qtype  uint16
	want   []netip.Addr
}

// apiServer stands for the provider's API in checks: a proxied record is
// read back from it, its authoritative servers answering the proxy's
// addresses.
const apiServer = "the provider's API"

func verifyOne(ctx context.Context, t Target, req Request, opts Options) ProviderResult {
	var res ProviderResult
	px, proxy := dnswriter.AsProxier(t.Provider)
	var pending []check
	last := map[string]string{}
	key := func(c check) string { return c.server + " " + c.name + " " + dns.TypeToString[c.qtype] }
	// plan builds the checks; at a provider with a proxy it first reads
	// which records are proxied, which may fail (then the round retries).
	planned := false
	plan := func() (string, error) {
		var flags map[string]bool
		if proxy {
			f, err := px.Proxied(ctx, t.Zone)
			if err != nil {
				return fmt.Sprintf("read which records are proxied: %v", err), nil
			}
			flags = f
		}
		var apiNames, nsNames []string
		for _, name := range req.Records {
			if proxy && t.proxiedNow(name, flags) {
				apiNames = append(apiNames, name)
			} else {
				nsNames = append(nsNames, name)
			}
		}
		if len(nsNames) > 0 && len(t.Nameservers) == 0 {
			return "", fmt.Errorf("%w: DNS provider %q has no nameservers to verify against", ErrInvalidRequest, t.Name)
		}
		add := func(server string, names []string) {
			for _, name := range names {
				for _, qtype := range []uint16{dns.TypeA, dns.TypeAAAA} {
					c := check{server: server, name: fqdn(name, t.Zone), qtype: qtype}
					for _, a := range req.Addresses {
						if a.Is4() == (qtype == dns.TypeA) {
							c.want = append(c.want, a)
						}
					}
					pending = append(pending, c)
				}
			}
		}
		add(apiServer, apiNames)
		for _, ns := range t.Nameservers {
			add(ns, nsNames)
		}
		planned = true
		return "", nil
	}
	if !proxy && len(t.Nameservers) == 0 {
		res.Err = fmt.Errorf("%w: DNS provider %q has no nameservers to verify against", ErrInvalidRequest, t.Name)
		return res
	}
	// why each pending check did not match, by check. A query the
	// deadline cut short keeps the previous round's reason: "the answer is
	// not authoritative" says more than "i/o timeout".
	var planWhy string
	for {
		res.Attempts++
		if !planned {
			var err error
			if planWhy, err = plan(); err != nil {
				res.Err = err
				return res
			}
		}
		if planned {
			var zone map[string][]netip.Addr // read once a round, for the API checks
			var zoneErr error
			var still []check
			for _, c := range pending {
				var why string
				if c.server == apiServer {
					if zone == nil && zoneErr == nil {
						zone, zoneErr = apiAddresses(ctx, t)
					}
					why = apiOnce(c, zone, zoneErr)
				} else {
					why = askOnce(ctx, c, opts.QueryTimeout)
				}
				if why != "" {
					if prev, ok := last[key(c)]; !ok || ctx.Err() == nil {
						last[key(c)] = why
					} else {
						last[key(c)] = prev
					}
					still = append(still, c)
				}
			}
			pending = still
			if len(pending) == 0 {
				return res
			}
		}
		timer := time.NewTimer(opts.PollInterval)
		select {
		case <-ctx.Done():
			timer.Stop()
			var why []string
			if !planned {
				why = append(why, planWhy)
			}
			for _, c := range pending {
				why = append(why, last[key(c)])
			}
			res.Err = fmt.Errorf("%w after %d rounds: %s", ErrNotVerified, res.Attempts, strings.Join(why, "; "))
			return res
		case <-timer.C:
		}
	}
}

// apiAddresses reads t's zone through the provider's API and returns the
// A and AAAA addresses by fully qualified lower-case name, sorted.
func apiAddresses(ctx context.Context, t Target) (map[string][]netip.Addr, error) {
	recs, err := t.Provider.GetRecords(ctx, t.Zone)
	if err != nil {
		return nil, err
	}
	out := map[string][]netip.Addr{}
	for _, r := range recs {
		rr := r.RR()
		typ := strings.ToUpper(rr.Type)
		if typ != typeA && typ != typeAAAA {
			continue
		}
		a, err := netip.ParseAddr(strings.TrimSpace(rr.Data))
		if err != nil {
			continue
		}
		name := strings.ToLower(rr.Name)
		if name == "" {
			name = "@"
		}
		k := fqdn(name, t.Zone) + " " + typ
		out[k] = append(out[k], a.Unmap())
	}
	for k := range out {
		slices.SortFunc(out[k], netip.Addr.Compare)
		out[k] = slices.Compact(out[k])
	}
	return out, nil
}

// apiOnce compares c with the zone as read through the API.
func apiOnce(c check, zone map[string][]netip.Addr, err error) string {
	if err != nil {
		return fmt.Sprintf("%s %s through %s: %v", c.name, dns.TypeToString[c.qtype], apiServer, err)
	}
	got := zone[strings.ToLower(c.name)+" "+dns.TypeToString[c.qtype]]
	if !slices.Equal(got, c.want) {
		return fmt.Sprintf("%s %s through %s (proxied): got %v, want %v", c.name, dns.TypeToString[c.qtype], apiServer, got, c.want)
	}
	return ""
}

// askOnce asks c's question once and returns why the answer is not the
// wanted one, or "" when it is.
func askOnce(ctx context.Context, c check, timeout time.Duration) string {
	got, err := query(ctx, c.server, c.name, c.qtype, timeout)
	if err != nil {
		return err.Error() // names the question and the server
	}
	if !slices.Equal(got, c.want) {
		return fmt.Sprintf("%s %s at %s: got %v, want %v", c.name, dns.TypeToString[c.qtype], c.server, got, c.want)
	}
	return ""
}

// query asks server for name's records of type qtype, recursion off,
// requiring an authoritative answer, and returns the addresses sorted.
// NXDOMAIN and NODATA are an empty set.
func query(ctx context.Context, server, name string, qtype uint16, timeout time.Duration) ([]netip.Addr, error) {
	r, err := dnsquery.Ask(ctx, server, name, qtype, dnsquery.Options{Timeout: timeout, Authoritative: true})
	var rc *dnsquery.RcodeError
	if errors.As(err, &rc) && rc.Rcode == dns.RcodeNameError {
		return nil, nil // authoritative: Ask checks AA before the rcode
	}
	if err != nil {
		return nil, err
	}
	var out []netip.Addr
	for _, rr := range r.Answer {
		if !strings.EqualFold(rr.Header().Name, name) {
			continue
		}
		switch v := rr.(type) {
		case *dns.A:
			if qtype == dns.TypeA {
				if a, ok := netip.AddrFromSlice(v.A.To4()); ok {
					out = append(out, a)
				}
			}
		case *dns.AAAA:
			if qtype == dns.TypeAAAA {
				if a, ok := netip.AddrFromSlice(v.AAAA.To16()); ok {
					out = append(out, a.Unmap())
				}
			}
		}
	}
	slices.SortFunc(out, netip.Addr.Compare)
	return slices.Compact(out), nil
}

// Addresses asks server, which must answer with authority, for name's A
// and AAAA records: sorted, once each, none for a name that does not
// exist. It is what Verify compares with the cutover's addresses.
func Addresses(ctx context.Context, server, name string, timeout time.Duration) ([]netip.Addr, error) {
	var out []netip.Addr
	for _, qt := range []uint16{dns.TypeA, dns.TypeAAAA} {
		got, err := query(ctx, server, dns.Fqdn(name), qt, timeout)
		if err != nil {
			return nil, err
		}
		out = append(out, got...)
	}
	slices.SortFunc(out, netip.Addr.Compare)
	return out, nil
}

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

// check is one question to one nameserver.
type check struct {
	server string
	name   string // FQDN
	qtype  uint16
	want   []netip.Addr
}

func verifyOne(ctx context.Context, t Target, req Request, opts Options) ProviderResult {
	var res ProviderResult
	if len(t.Nameservers) == 0 {
		res.Err = fmt.Errorf("%w: DNS provider %q has no nameservers to verify against", ErrInvalidRequest, t.Name)
		return res
	}
	var pending []check
	for _, ns := range t.Nameservers {
		for _, name := range req.Records {
			for _, qtype := range []uint16{dns.TypeA, dns.TypeAAAA} {
				c := check{server: ns, name: fqdn(name, t.Zone), qtype: qtype}
				for _, a := range req.Addresses {
					if a.Is4() == (qtype == dns.TypeA) {
						c.want = append(c.want, a)
					}
				}
				pending = append(pending, c)
			}
		}
	}
	// why each pending check did not match, by check. A query the
	// deadline cut short keeps the previous round's reason: "the answer is
	// not authoritative" says more than "i/o timeout".
	last := map[string]string{}
	key := func(c check) string { return c.server + " " + c.name + " " + dns.TypeToString[c.qtype] }
	for {
		res.Attempts++
		var still []check
		for _, c := range pending {
			if why := askOnce(ctx, c, opts.QueryTimeout); why != "" {
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
		timer := time.NewTimer(opts.PollInterval)
		select {
		case <-ctx.Done():
			timer.Stop()
			var why []string
			for _, c := range pending {
				why = append(why, last[key(c)])
			}
			res.Err = fmt.Errorf("%w after %d rounds: %s", ErrNotVerified, res.Attempts, strings.Join(why, "; "))
			return res
		case <-timer.C:
		}
	}
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

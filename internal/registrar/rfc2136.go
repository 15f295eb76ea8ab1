package registrar

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"slices"
	"strings"
	"time"

	"github.com/miekg/dns"
)

// rfc2136 changes a delegation by a dynamic update (RFC 2136) of the
// parent zone, on a server one runs: the self-hosted case, and the one
// the tests use against a real BIND.
type rfc2136 struct {
	server  string // host:port
	keyName string // fully qualified; empty: unsigned
	keyAlg  string
	key     string // base64; secret
	parent  string // fully qualified; empty: the zone less its first label
}

// defaultNSTTL is the TTL of the NS and glue records written when the old
// delegation's TTL cannot be read.
const defaultNSTTL = 3600

// exchangeTimeout bounds one exchange when ctx has no earlier deadline.
const exchangeTimeout = 30 * time.Second

var tsigAlgorithms = []string{dns.HmacSHA1, dns.HmacSHA224, dns.HmacSHA256, dns.HmacSHA384, dns.HmacSHA512}

func newRFC2136(s settings) (Registrar, []string) {
	var problems []string
	r := &rfc2136{server: s["server"]}
	if host, port, err := net.SplitHostPort(r.server); err != nil || host == "" || port == "" {
		problems = append(problems, `setting "server" must be host:port`)
	}
	set := 0
	for _, k := range []string{"key_name", "key_alg", "key"} {
		if s[k] != "" {
			set++
		}
	}
	switch set {
	case 0:
	case 3:
		r.keyName = dns.Fqdn(strings.ToLower(s["key_name"]))
		r.keyAlg = dns.Fqdn(strings.ToLower(s["key_alg"]))
		if !slices.Contains(tsigAlgorithms, r.keyAlg) {
			problems = append(problems, `setting "key_alg" must be one of hmac-sha1, hmac-sha224, hmac-sha256, hmac-sha384, hmac-sha512`)
		}
		if _, err := base64.StdEncoding.DecodeString(s["key"]); err != nil {
			problems = append(problems, `setting "key" must be base64`)
		}
		r.key = s["key"]
	default:
		problems = append(problems, `settings "key_name", "key_alg" and "key" go together: set all three or none`)
	}
	if p := s["parent"]; p != "" {
		if _, ok := dns.IsDomainName(p); !ok {
			problems = append(problems, `setting "parent" must be a domain name`)
		}
		r.parent = dns.Fqdn(strings.ToLower(p))
	}
	return r, problems
}

func (r *rfc2136) parentOf(zone string) (string, error) {
	if r.parent != "" {
		if !dns.IsSubDomain(r.parent, zone) || r.parent == zone {
			return "", fmt.Errorf("zone %s is not below the parent zone %s", zone, r.parent)
		}
		return r.parent, nil
	}
	_, end := dns.NextLabel(zone, 0)
	if end {
		return "", fmt.Errorf("zone %s has no parent zone to delegate it", zone)
	}
	i, _ := dns.NextLabel(zone, 0)
	return zone[i:], nil
}

// Nameservers asks the parent's server for the zone's NS records: at a
// delegation point the server refers, listing them in the authority
// section.
func (r *rfc2136) Nameservers(ctx context.Context, zone string) ([]string, error) {
	zone = dns.Fqdn(strings.ToLower(zone))
	names, _, err := r.delegation(ctx, zone)
	if err != nil {
		return nil, err
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("the parent's server %s has no delegation for %s", r.server, zone)
	}
	return names, nil
}

// delegation reads the zone's NS records at the parent's server and their
// TTL. No delegation (NXDOMAIN, or no NS records) is no names and no error:
// SetNameservers may create the first one.
func (r *rfc2136) delegation(ctx context.Context, zone string) (names []string, ttl uint32, err error) {
	m := new(dns.Msg).SetQuestion(zone, dns.TypeNS)
	m.RecursionDesired = false
	resp, err := r.exchange(ctx, m)
	if err != nil {
		return nil, 0, fmt.Errorf("read the delegation of %s at %s: %w", zone, r.server, err)
	}
	switch resp.Rcode {
	case dns.RcodeSuccess:
	case dns.RcodeNameError:
		return nil, 0, nil
	default:
		return nil, 0, fmt.Errorf("read the delegation of %s: the parent's server %s answers %s", zone, r.server, rcode(resp))
	}
	for _, rr := range slices.Concat(resp.Answer, resp.Ns) {
		if ns, ok := rr.(*dns.NS); ok && strings.EqualFold(ns.Hdr.Name, zone) {
			names = append(names, ns.Ns)
			ttl = ns.Hdr.Ttl
		}
	}
	return fqdns(names), ttl, nil
}

// SetNameservers replaces the zone's NS records and the glue of the old
// and new nameservers named inside the zone in one update, which the
// server applies whole or not at all. The records keep the TTL of the old
// NS records (defaultNSTTL when there were none).
func (r *rfc2136) SetNameservers(ctx context.Context, zone string, ns []string, glue map[string][]netip.Addr) error {
	zone = dns.Fqdn(strings.ToLower(zone))
	ns = fqdns(ns)
	if len(ns) == 0 {
		return errors.New("no nameservers to delegate " + zone + " to")
	}
	parent, err := r.parentOf(zone)
	if err != nil {
		return err
	}
	lower := map[string][]netip.Addr{}
	for name, addrs := range glue {
		for _, a := range addrs {
			if !a.IsValid() {
				return fmt.Errorf("glue of %s: an address is not valid", name)
			}
		}
		n := dns.Fqdn(strings.ToLower(name))
		lower[n] = append(lower[n], addrs...)
	}
	for _, n := range ns {
		if _, ok := dns.IsDomainName(n); !ok {
			return fmt.Errorf("nameserver %q is not a host name", n)
		}
		if dns.IsSubDomain(zone, n) && len(lower[n]) == 0 {
			return fmt.Errorf("nameserver %s is inside %s and needs glue: no address given", n, zone)
		}
	}
	old, ttl, err := r.delegation(ctx, zone)
	if err != nil {
		return err
	}
	if ttl == 0 {
		ttl = defaultNSTTL
	}
	m := new(dns.Msg)
	m.SetUpdate(parent)
	hdr := func(name string, t uint16) dns.RR_Header {
		return dns.RR_Header{Name: name, Rrtype: t, Class: dns.ClassINET, Ttl: ttl}
	}
	remove := []dns.RR{&dns.NS{Hdr: hdr(zone, dns.TypeNS)}}
	for _, n := range fqdns(slices.Concat(old, ns)) {
		if dns.IsSubDomain(zone, n) {
			remove = append(remove, &dns.A{Hdr: hdr(n, dns.TypeA)}, &dns.AAAA{Hdr: hdr(n, dns.TypeAAAA)})
		}
	}
	m.RemoveRRset(remove)
	var insert []dns.RR
	for _, n := range ns {
		insert = append(insert, &dns.NS{Hdr: hdr(zone, dns.TypeNS), Ns: n})
		if !dns.IsSubDomain(zone, n) {
			continue
		}
		for _, a := range lower[n] {
			if a.Is4() || a.Is4In6() {
				insert = append(insert, &dns.A{Hdr: hdr(n, dns.TypeA), A: a.Unmap().AsSlice()})
			} else {
				insert = append(insert, &dns.AAAA{Hdr: hdr(n, dns.TypeAAAA), AAAA: a.AsSlice()})
			}
		}
	}
	m.Insert(insert)
	resp, err := r.exchange(ctx, m)
	if err != nil {
		return fmt.Errorf("update the delegation of %s in %s at %s: %w", zone, parent, r.server, err)
	}
	if resp.Rcode != dns.RcodeSuccess {
		return fmt.Errorf("the parent's server %s refused the update of the delegation of %s in zone %s: %s", r.server, zone, parent, rcode(resp))
	}
	return nil
}

// rcode names a response's error, with the TSIG error when the server
// reports one (a wrong key or clock), and what NOTAUTH and REFUSED mean here.
func rcode(resp *dns.Msg) string {
	s := dns.RcodeToString[resp.Rcode]
	if t := resp.IsTsig(); t != nil && t.Error != dns.RcodeSuccess {
		s += ", TSIG " + dns.RcodeToString[int(t.Error)] + " (check the key settings and the clock)"
	}
	switch resp.Rcode {
	case dns.RcodeNotAuth:
		s += " (the server is not authoritative for the zone, or does not accept the key)"
	case dns.RcodeRefused:
		s += " (the server does not allow this update: check its allow-update or update-policy for the key)"
	}
	return s
}

// exchange sends m over TCP, signed when a key is set, within ctx.
func (r *rfc2136) exchange(ctx context.Context, m *dns.Msg) (*dns.Msg, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	c := &dns.Client{Net: "tcp", Timeout: exchangeTimeout}
	if r.keyName != "" {
		c.TsigSecret = map[string]string{r.keyName: r.key}
		m.SetTsig(r.keyName, r.keyAlg, 300, time.Now().Unix())
	}
	conn, err := c.DialContext(ctx, r.server)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	// The client reads ctx's deadline but not its cancellation: closing
	// the connection ends a read that would otherwise wait for the timeout.
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()
	resp, _, err := c.ExchangeWithConnContext(ctx, m, conn)
	if ctxErr := ctx.Err(); err != nil && ctxErr != nil {
		return nil, ctxErr
	}
	if err != nil && resp != nil && resp.Rcode != dns.RcodeSuccess && resp.Id == m.Id {
		// A server that refuses a key answers unsigned or with an empty
		// MAC: its rcode says more than the failed verification.
		return resp, nil
	}
	if err != nil {
		return nil, err
	}
	return resp, nil
}

// Package dnscutover points a service's DNS records at new addresses at every
// DNS provider at once, and then checks with each provider's authoritative
// servers that the new answer is served.
//
// Every write goes through internal/dnswriter, which holds the ownership
// marks ("_lifeboat.<name>" TXT records, as in external-dns's TXT registry)
// and refuses a write to a name the request's owner does not own; this
// package plans the writes and checks the answers. A record that exists
// without our ownership mark is left alone unless the request says to
// adopt it.
package dnscutover

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/netip"
	"slices"
	"strings"
	"time"

	"github.com/lifeboat-dev/lifeboat/internal/config"
	"github.com/lifeboat-dev/lifeboat/internal/dnswriter"
)

// Provider is what a cutover needs from a DNS provider. Every provider of
// the providers registry implements it.
type Provider = dnswriter.Provider

// Target is one DNS provider holding the service's zone (a dns block).
type Target struct {
	// Name is the dns block's name; results are reported under it.
	Name string
	// Zone is the fully qualified zone, e.g. "example.com.".
	Zone     string
	Provider Provider
	// Nameservers are the provider's authoritative servers ("host:port"),
	// asked directly by Verify.
	Nameservers []string
	// Proxied says, by record name, whether the record must be proxied at
	// a provider with a proxy (a dnswriter.Proxier: Cloudflare). A record
	// not listed keeps the proxy it has. A proxied record is verified by
	// reading it back through the provider's API: its authoritative
	// servers answer the proxy's addresses.
	Proxied map[string]bool
}

// proxiedNow reports whether record name is to be taken as proxied, given
// the provider's flags (Proxier.Proxied): the target's setting, else the
// flag of its A or AAAA set.
func (t Target) proxiedNow(name string, flags map[string]bool) bool {
	if want, ok := t.Proxied[name]; ok {
		return want
	}
	return flags[name+" "+typeA] || flags[name+" "+typeAAAA]
}

// Request is what a cutover should make true.
type Request struct {
	Service string
	// Owner is written into the ownership records, e.g. "lifeboat/www".
	// Records marked with another owner are not ours.
	Owner string
	// Records are names relative to each zone; "@" is the apex.
	Records []string
	// Addresses become the complete A and AAAA sets of every record: an
	// address family without addresses here loses its records.
	Addresses []netip.Addr
	// TTL of the address and ownership records; default 60s.
	TTL time.Duration
	// Adopt lets lifeboat take over records it does not own.
	Adopt bool
	// Exclusive: a record name not marked as Owner's must hold no records
	// at all (not even TXT or MX), not only no addresses: a canary drill
	// writes names of its own, and adding an address to a name in use
	// (one with only an MX, say) would change how it resolves.
	Exclusive bool
}

// Options tune retries and verification; zero values take the defaults.
type Options struct {
	// Retry bounds the writes' attempts at each DNS provider.
	Retry dnswriter.Retry
	// DryRun computes the changes without making them: Changed lists what
	// a real run would change.
	DryRun bool

	// VerifyTimeout bounds Verify as a whole (default 2m).
	VerifyTimeout time.Duration
	// PollInterval is the pause between rounds of Verify's queries (default 1s).
	PollInterval time.Duration
	// QueryTimeout bounds one DNS query (default 2s).
	QueryTimeout time.Duration

	// Logger receives one line per failed attempt; default discards.
	Logger *slog.Logger

	// BeforeWrite, when set, is called at every attempt at every provider
	// right before each of its writes, after the zone was read and the
	// changes planned. An error stops that provider at once, nothing more
	// written and no retry, and its result wraps the error. The executor
	// checks its fencing token here: a leader deposed while the step ran
	// (or paused between the step's check and a write) writes no more.
	BeforeWrite func(ctx context.Context) error
}

// retry is the writes' retry loop as o says.
func (o Options) retry() dnswriter.Retry { return o.Retry }

func (o Options) withDefaults() Options {
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&o.VerifyTimeout, config.DefaultVerifyDNS)
	def(&o.PollInterval, time.Second)
	def(&o.QueryTimeout, 2*time.Second)
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return o
}

// ProviderResult is the outcome at one DNS provider.
type ProviderResult struct {
	DNS string // Target.Name
	Err error
	// Attempts is how many times the provider was tried (Cutover) or how
	// many rounds of queries were asked (Verify).
	Attempts int
	// Changed lists the RRsets changed, e.g. "www A", "_lifeboat.www TXT",
	// in a stable order. Empty on a run that found nothing to do.
	Changed  []string
	Duration time.Duration
}

// ErrNotOwned is returned (wrapped, naming the record) for a record that
// exists without lifeboat's ownership mark for this owner.
var ErrNotOwned = dnswriter.ErrNotOwned

// ErrInvalidRequest is returned (wrapped) when a Request cannot be carried out at all.
var ErrInvalidRequest = errors.New("invalid DNS cutover request")

// ErrNotVerified is returned (wrapped, with the last answers seen) when
// Verify's deadline passes before every nameserver serves the new answer.
var ErrNotVerified = errors.New("authoritative servers do not serve the new answer")

const (
	ownerPrefix  = "_lifeboat"
	defaultTTL   = 60 * time.Second
	typeA        = "A"
	typeAAAA     = "AAAA"
	typeCNAME    = "CNAME"
	typeTXT      = "TXT"
	maxOwnerName = 200
)

func ownerName(name string) string              { return dnswriter.OwnerName(name) }
func ownershipText(owner string) string         { return dnswriter.OwnershipText(owner) }
func parseOwnership(text string) (string, bool) { return dnswriter.ParseOwnership(text) }

// normalize checks req and returns it with names lower-cased and
// addresses de-duplicated and sorted.
func (req Request) normalize(needAddresses bool) (Request, error) {
	if req.Owner == "" || len(req.Owner) > maxOwnerName || strings.ContainsAny(req.Owner, ",\"\\ \t\n") {
		return req, fmt.Errorf("%w: owner must be non-empty, at most %d characters, without commas, quotes or spaces", ErrInvalidRequest, maxOwnerName)
	}
	if len(req.Records) == 0 {
		return req, fmt.Errorf("%w: no records", ErrInvalidRequest)
	}
	if needAddresses && len(req.Addresses) == 0 {
		return req, fmt.Errorf("%w: no addresses", ErrInvalidRequest)
	}
	records := make([]string, 0, len(req.Records))
	for _, r := range req.Records {
		r = strings.ToLower(strings.TrimSpace(r))
		if r == "" {
			r = "@"
		}
		if strings.HasSuffix(r, ".") || strings.ContainsAny(r, " \t\"*") || strings.HasPrefix(r, ownerPrefix) {
			return req, fmt.Errorf("%w: record %q must be a plain name relative to the zone", ErrInvalidRequest, r)
		}
		records = append(records, r)
	}
	slices.Sort(records)
	req.Records = slices.Compact(records)

	addrs := make([]netip.Addr, 0, len(req.Addresses))
	for _, a := range req.Addresses {
		a = a.Unmap()
		if !a.IsValid() || a.IsUnspecified() {
			return req, fmt.Errorf("%w: address %v is not a host address", ErrInvalidRequest, a)
		}
		addrs = append(addrs, a.WithZone(""))
	}
	slices.SortFunc(addrs, netip.Addr.Compare)
	req.Addresses = slices.Compact(addrs)
	if req.TTL <= 0 {
		req.TTL = defaultTTL
	}
	req.TTL = req.TTL.Truncate(time.Second)
	return req, nil
}

// fqdn is record name (relative, "@" apex) in zone.
func fqdn(name, zone string) string {
	zone = strings.ToLower(zone)
	if !strings.HasSuffix(zone, ".") {
		zone += "."
	}
	if name == "@" || name == "" {
		return zone
	}
	return name + "." + zone
}

// parallel runs fn for every target at once and returns the results in
// the targets' order.
func parallel(ctx context.Context, targets []Target, fn func(context.Context, Target) ProviderResult) []ProviderResult {
	results := make([]ProviderResult, len(targets))
	done := make(chan struct{})
	for i, t := range targets {
		go func() {
			defer func() { done <- struct{}{} }()
			start := time.Now()
			r := fn(ctx, t)
			r.DNS = t.Name
			r.Duration = time.Since(start)
			results[i] = r
		}()
	}
	for range targets {
		<-done
	}
	return results
}

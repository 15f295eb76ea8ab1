// Package dnswriter is lifeboat's one way of changing records at a DNS
// provider. A Writer wraps a libdns provider for one zone and one owner,
// the way external-dns's TXT registry wraps its providers: it reads the
// zone, refuses (ErrNotOwned) any write to a name the owner does not own,
// runs the caller's fencing check before each write, and confirms by
// reading the zone back that the provider holds what was written. Retry
// is the one retry loop of those writes.
//
// Ownership is marked beside each record with a TXT RRset at
// "_lifeboat.<name>" ("_lifeboat" for the apex) holding
// "heritage=lifeboat,owner=<owner>". A companion name never conflicts with
// a CNAME and never mixes with a user's own TXT records.
//
// No other package calls SetRecords, AppendRecords or DeleteRecords on a
// provider; a test of this package's enforces that over the module.
package dnswriter

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/libdns/libdns"
)

// Provider is what a Writer needs from a DNS provider. Every provider of
// the providers registry implements it.
type Provider interface {
	libdns.RecordGetter
	libdns.RecordSetter
	libdns.RecordDeleter
}

// ErrNotOwned is returned (wrapped, naming the record) for a write to a
// record the writer's owner does not own.
var ErrNotOwned = errors.New("record is not owned by lifeboat")

// ErrUnsupported is wrapped by a provider's refusal of a write it cannot
// carry out correctly (providers.ErrSeveralRecords): retrying cannot help.
var ErrUnsupported = errors.New("the DNS provider cannot make this change")

// ErrNotConfirmed is returned (wrapped, naming the RRsets) when the
// provider accepted a write but reading the zone back shows old data.
var ErrNotConfirmed = errors.New("provider accepted the changes but still holds old data")

// Writer changes records of one zone at one DNS provider on behalf of one
// owner. It remembers the zone as last read (and as changed by its own
// writes since) and checks every write against it. A Writer is for one
// goroutine; make one per attempt.
type Writer struct {
	// Name is the dns block, for messages.
	Name     string
	Provider Provider
	// Zone is the fully qualified zone, e.g. "example.com.".
	Zone string
	// Owner is whose records these are, e.g. "lifeboat/www",
	// "lifeboat-drill/www" or SyncOwner.
	Owner string
	// Adopt lets the writer take over records that exist without Owner's
	// mark (and, for a service's owner, records another owner marks). The
	// zone sync never takes over another owner's addresses or marks.
	Adopt bool
	// Owners, when set, gives the owner (and whether it adopts) of each
	// name written, in place of Owner and Adopt: a TTL change writes
	// several services' records in one call, each name as its service's.
	Owners func(name string) (owner string, adopt bool)
	// BeforeWrite, when set, is called right before each write. An error
	// stops the writer: nothing more is written, and the error (wrapped)
	// is permanent for Retry. The executor checks its fencing token here.
	BeforeWrite func(ctx context.Context) error

	seen    []libdns.Record // the zone as last read, with our writes since
	read    bool
	written []write // since the last Read, for Confirm
}

type write struct {
	del  bool
	recs []libdns.Record
}

// Read reads the zone, which the writes that follow are checked against,
// and returns its records.
func (w *Writer) Read(ctx context.Context) ([]libdns.Record, error) {
	recs, err := w.Provider.GetRecords(ctx, w.Zone)
	if err != nil {
		return nil, fmt.Errorf("read zone %s: %w", w.Zone, err)
	}
	w.seen, w.read, w.written = slices.Clone(recs), true, nil
	return recs, nil
}

// Set replaces the RRsets of recs (by name and type) with recs, when the
// owner may write every one of them; otherwise nothing is written and the
// error wraps ErrNotOwned.
func (w *Writer) Set(ctx context.Context, recs []libdns.Record) error {
	return w.do(ctx, false, recs)
}

// Delete deletes recs: a record without data deletes its whole RRset, one
// with data only that value. The owner must own every one of them;
// otherwise nothing is deleted and the error wraps ErrNotOwned.
func (w *Writer) Delete(ctx context.Context, recs []libdns.Record) error {
	return w.do(ctx, true, recs)
}

func (w *Writer) do(ctx context.Context, del bool, recs []libdns.Record) error {
	if len(recs) == 0 {
		return nil
	}
	if !w.read {
		if _, err := w.Read(ctx); err != nil {
			return err
		}
	}
	z := newZone(w.seen, w.Zone)
	var refused []error
	for _, s := range groupSets(recs, w.Zone) {
		owner, adopt := w.Owner, w.Adopt
		if w.Owners != nil {
			name := s.name
			if m, ok := IsMarkName(name); ok {
				name = m
			}
			owner, adopt = w.Owners(name)
		}
		if owner == "" {
			refused = append(refused, fmt.Errorf("%s %s: %w: the writer has no owner for it", s.name, s.typ, ErrNotOwned))
			continue
		}
		if err := z.permit(owner, adopt, del, s); err != nil {
			refused = append(refused, err)
		}
	}
	if len(refused) > 0 {
		return errors.Join(refused...)
	}
	// Before each write, not only the first: a writer paused between its
	// marks and its addresses may have been replaced meanwhile.
	if w.BeforeWrite != nil {
		if err := w.BeforeWrite(ctx); err != nil {
			return &stopError{fmt.Errorf("before writing to %s: %w", cmpOr(w.Name, w.Zone), err)}
		}
	}
	var err error
	if del {
		_, err = w.Provider.DeleteRecords(ctx, w.Zone, recs)
	} else {
		_, err = w.Provider.SetRecords(ctx, w.Zone, recs)
	}
	if err != nil {
		return err // the provider's, as is: the caller says what it was writing
	}
	w.seen = apply(w.seen, w.Zone, del, recs)
	w.written = append(w.written, write{del: del, recs: recs})
	return nil
}

// Confirm reads the zone back and checks that it holds what was written
// since the last Read: a provider's write calls report what they were
// given, not what the zone now holds. The error wraps ErrNotConfirmed
// (worth retrying) or the read's error.
func (w *Writer) Confirm(ctx context.Context) error {
	if len(w.written) == 0 {
		return nil
	}
	recs, err := w.Provider.GetRecords(ctx, w.Zone)
	if err != nil {
		return fmt.Errorf("read zone %s back: %w", w.Zone, err)
	}
	if stale := confirm(recs, w.Zone, w.written); len(stale) > 0 {
		return fmt.Errorf("%w for %v", ErrNotConfirmed, stale)
	}
	return nil
}

// stopError is BeforeWrite's refusal: the writer must not write.
type stopError struct{ err error }

func (e *stopError) Error() string { return e.err.Error() }
func (e *stopError) Unwrap() error { return e.err }

// Permanent reports whether err must not be retried: a record not owned,
// or BeforeWrite's refusal.
func Permanent(err error) bool {
	var stop *stopError
	return errors.As(err, &stop) || errors.Is(err, ErrNotOwned) || errors.Is(err, ErrUnsupported)
}

// Stopped reports whether err is BeforeWrite's refusal.
func Stopped(err error) bool {
	var stop *stopError
	return errors.As(err, &stop)
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// normName is a record's name relative to zone, lower-cased, "@" for the
// apex.
func normName(name, zone string) string {
	name = strings.ToLower(strings.TrimSpace(name))
	if strings.HasSuffix(name, ".") {
		name = libdns.RelativeName(name, strings.ToLower(zone))
	}
	if name == "" {
		return "@"
	}
	return name
}

// Proxier is a provider that puts a proxy in front of records (Cloudflare's
// "proxied" records): its authoritative servers answer the proxy's
// addresses, not the record's. libdns cannot say it, so the providers
// registry adds it where the vendor has it.
type Proxier interface {
	// Proxied returns the proxied RRsets by "name TYPE" (relative,
	// lower-case, "@" the apex); absent ones are not proxied.
	Proxied(ctx context.Context, zone string) (map[string]bool, error)
	// SetProxied switches the proxy of RRset name/typ on or off.
	SetProxied(ctx context.Context, zone, name, typ string, on bool) error
}

// AsProxier returns p as a Proxier when it is one.
func AsProxier(p Provider) (Proxier, bool) {
	px, ok := p.(Proxier)
	return px, ok
}

// SetProxy switches the proxy of RRset name/typ on or off, under the
// same rules as Set: the owner must own the name, and BeforeWrite runs
// first. The provider must be a Proxier.
func (w *Writer) SetProxy(ctx context.Context, name, typ string, on bool) error {
	px, ok := AsProxier(w.Provider)
	if !ok {
		return fmt.Errorf("%s: the DNS provider has no proxy to switch", cmpOr(w.Name, w.Zone))
	}
	if !w.read {
		if _, err := w.Read(ctx); err != nil {
			return err
		}
	}
	owner, adopt := w.Owner, w.Adopt
	if w.Owners != nil {
		owner, adopt = w.Owners(normName(name, w.Zone))
	}
	if err := Claim(w.seen, w.Zone, name, owner, false); err != nil && !adopt {
		return err
	}
	if w.BeforeWrite != nil {
		if err := w.BeforeWrite(ctx); err != nil {
			return &stopError{fmt.Errorf("before writing to %s: %w", cmpOr(w.Name, w.Zone), err)}
		}
	}
	return px.SetProxied(ctx, w.Zone, normName(name, w.Zone), typ, on)
}

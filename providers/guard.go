package providers

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/libdns/libdns"
)

// ErrAbandoned is returned (wrapped, with the context's error, naming the
// dns block and the operation) when a provider call is given up at its
// context's end because the provider did not return in time.
var ErrAbandoned = errors.New("provider call abandoned")

// ErrProviderPanic is returned (wrapped) when a provider's call panics: a
// bug in a provider library must not bring the whole process down in the
// middle of a failover.
var ErrProviderPanic = errors.New("provider panicked")

// guarded is what NewDNS returns: every call runs in its own goroutine and
// returns when ctx ends even if the provider ignores ctx (one hung API must
// not stall a cutover past its deadline). The abandoned goroutine finishes
// on its own; its result is dropped.
type guarded struct {
	name string // the dns block, "" when unknown
	typ  string
	p    DNS
}

// Guard wraps p the way NewDNS wraps the providers it builds: each call
// returns ctx's error (wrapped with ErrAbandoned, naming the dns block name
// and the operation) as soon as ctx ends, and a panic in p becomes an error
// wrapping ErrProviderPanic. For providers built outside the registry.
func Guard(name, typ string, p DNS) DNS {
	switch g := p.(type) {
	case *guarded:
		return g
	case *guardedProxy:
		return g
	}
	g := &guarded{name: name, typ: typ, p: p}
	if px, ok := p.(proxier); ok {
		return &guardedProxy{guarded: g, px: px}
	}
	return g
}

func (g *guarded) GetRecords(ctx context.Context, zone string) ([]libdns.Record, error) {
	return call(ctx, g, "GetRecords", func(ctx context.Context) ([]libdns.Record, error) {
		return g.p.GetRecords(ctx, zone)
	})
}

func (g *guarded) SetRecords(ctx context.Context, zone string, recs []libdns.Record) ([]libdns.Record, error) {
	recs = slices.Clone(recs) // an abandoned call may still read them
	return call(ctx, g, "SetRecords", func(ctx context.Context) ([]libdns.Record, error) {
		return g.p.SetRecords(ctx, zone, recs)
	})
}

func (g *guarded) AppendRecords(ctx context.Context, zone string, recs []libdns.Record) ([]libdns.Record, error) {
	recs = slices.Clone(recs)
	return call(ctx, g, "AppendRecords", func(ctx context.Context) ([]libdns.Record, error) {
		return g.p.AppendRecords(ctx, zone, recs)
	})
}

func (g *guarded) DeleteRecords(ctx context.Context, zone string, recs []libdns.Record) ([]libdns.Record, error) {
	recs = slices.Clone(recs)
	return call(ctx, g, "DeleteRecords", func(ctx context.Context) ([]libdns.Record, error) {
		return g.p.DeleteRecords(ctx, zone, recs)
	})
}

// what names the block and the operation in errors.
func (g *guarded) what(op string) string {
	if g.name == "" {
		return fmt.Sprintf("dns provider (type %s): %s", g.typ, op)
	}
	return fmt.Sprintf("dns %q (type %s): %s", g.name, g.typ, op)
}

type result struct {
	recs []libdns.Record
	err  error
}

// call runs fn in a goroutine and waits for it or for ctx's end,
// whichever comes first.
func call(ctx context.Context, g *guarded, op string, fn func(context.Context) ([]libdns.Record, error)) ([]libdns.Record, error) {
	if err := ctx.Err(); err != nil {
		// Do not start a write that is already too late.
		return nil, fmt.Errorf("%s: not started: %w", g.what(op), err)
	}
	done := make(chan result, 1) // buffered: an abandoned call never blocks
	go func() {
		defer func() {
			if r := recover(); r != nil {
				// The panic value is not quoted: it may hold a setting.
				done <- result{err: fmt.Errorf("%s: %w", g.what(op), ErrProviderPanic)}
			}
		}()
		recs, err := fn(ctx)
		done <- result{recs, err}
	}()
	select {
	case r := <-done:
		return r.recs, r.err
	case <-ctx.Done():
		select {
		case r := <-done: // finished at the same moment: keep its answer
			return r.recs, r.err
		default:
		}
		return nil, fmt.Errorf("%s: %w: %w", g.what(op), ErrAbandoned, ctx.Err())
	}
}

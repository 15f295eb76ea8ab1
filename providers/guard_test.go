package providers

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/libdns/libdns"
)

// hung is a libdns provider whose calls ignore their context and block
// until the test ends, like an API that never answers.
type hung struct {
	release chan struct{}
	calls   atomic.Int32
	ended   atomic.Int32
}

func newHung(t *testing.T) *hung {
	h := &hung{release: make(chan struct{})}
	t.Cleanup(func() { close(h.release) })
	return h
}

func (h *hung) wait() ([]libdns.Record, error) {
	h.calls.Add(1)
	<-h.release
	h.ended.Add(1)
	return nil, nil
}

func (h *hung) GetRecords(context.Context, string) ([]libdns.Record, error) { return h.wait() }
func (h *hung) SetRecords(context.Context, string, []libdns.Record) ([]libdns.Record, error) {
	return h.wait()
}
func (h *hung) AppendRecords(context.Context, string, []libdns.Record) ([]libdns.Record, error) {
	return h.wait()
}
func (h *hung) DeleteRecords(context.Context, string, []libdns.Record) ([]libdns.Record, error) {
	return h.wait()
}

// withBound runs fn and fails the test if it has not returned after
// limit, instead of hanging the test binary.
func withBound(t *testing.T, limit time.Duration, fn func()) time.Duration {
	t.Helper()
	done := make(chan struct{})
	start := time.Now()
	go func() { defer close(done); fn() }()
	select {
	case <-done:
		return time.Since(start)
	case <-time.After(limit):
		t.Fatalf("call still blocked after %v", limit)
		return 0
	}
}

func TestHungProviderIsAbandonedAtTheDeadline(t *testing.T) {
	const deadline = 150 * time.Millisecond
	const margin = 400 * time.Millisecond
	h := newHung(t)
	d := Guard("primary", "fake", h)
	recs := []libdns.Record{libdns.RR{Name: "www", Type: "A", Data: "127.0.0.1"}}
	ops := map[string]func(context.Context) error{
		"GetRecords":    func(ctx context.Context) error { _, err := d.GetRecords(ctx, "example.test."); return err },
		"SetRecords":    func(ctx context.Context) error { _, err := d.SetRecords(ctx, "example.test.", recs); return err },
		"AppendRecords": func(ctx context.Context) error { _, err := d.AppendRecords(ctx, "example.test.", recs); return err },
		"DeleteRecords": func(ctx context.Context) error { _, err := d.DeleteRecords(ctx, "example.test.", recs); return err },
	}
	for op, fn := range ops {
		t.Run(op, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), deadline)
			defer cancel()
			var err error
			took := withBound(t, 5*time.Second, func() { err = fn(ctx) })
			if took > deadline+margin {
				t.Errorf("returned after %v, want within %v of the %v deadline", took, margin, deadline)
			}
			if !errors.Is(err, context.DeadlineExceeded) || !errors.Is(err, ErrAbandoned) {
				t.Errorf("err = %v, want ErrAbandoned and context.DeadlineExceeded", err)
			}
			if err != nil && (!strings.Contains(err.Error(), `dns "primary"`) || !strings.Contains(err.Error(), op)) {
				t.Errorf("error %q does not name the dns block and %s", err, op)
			}
		})
	}
	if n := h.calls.Load(); n != 4 {
		t.Errorf("provider called %d times, want 4", n)
	}
}

// Cancellation (a signal) ends the wait as well as a deadline does.
func TestHungProviderIsAbandonedOnCancel(t *testing.T) {
	d := Guard("", "fake", newHung(t))
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	var err error
	took := withBound(t, 5*time.Second, func() { _, err = d.GetRecords(ctx, "example.test.") })
	if !errors.Is(err, context.Canceled) || took > time.Second {
		t.Errorf("err %v after %v, want context.Canceled soon after 50ms", err, took)
	}
	if err != nil && !strings.Contains(err.Error(), "dns provider (type fake): GetRecords") {
		t.Errorf("error %q does not name the type and operation", err)
	}
}

// A call whose context has already ended is not started.
func TestEndedContextStartsNothing(t *testing.T) {
	h := newHung(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := Guard("b", "fake", h).SetRecords(ctx, "example.test.", nil)
	if !errors.Is(err, context.Canceled) || h.calls.Load() != 0 {
		t.Errorf("err %v, %d calls; want context.Canceled and no call", err, h.calls.Load())
	}
}

// answering returns its records, its error, or panics.
type answering struct {
	DNS
	recs  []libdns.Record
	err   error
	panic bool
}

func (a answering) GetRecords(context.Context, string) ([]libdns.Record, error) {
	if a.panic {
		panic("provider bug: " + secret)
	}
	return a.recs, a.err
}

func TestGuardPassesAnswersThrough(t *testing.T) {
	want := []libdns.Record{libdns.RR{Name: "www", Type: "A", Data: "127.0.0.1"}}
	boom := errors.New("boom")
	recs, err := Guard("a", "fake", answering{recs: want}).GetRecords(context.Background(), "z.")
	if err != nil || len(recs) != 1 || recs[0] != want[0] {
		t.Errorf("got %v, %v; want the provider's records", recs, err)
	}
	if _, err := Guard("a", "fake", answering{err: boom}).GetRecords(context.Background(), "z."); err != boom {
		t.Errorf("err %v, want the provider's own error unchanged", err)
	}
}

// A panic in a provider library becomes an error instead of ending the
// process; its value (which may hold a setting) is not quoted.
func TestProviderPanicBecomesAnError(t *testing.T) {
	_, err := Guard("a", "fake", answering{panic: true}).GetRecords(context.Background(), "z.")
	if !errors.Is(err, ErrProviderPanic) || !strings.Contains(err.Error(), `dns "a" (type fake): GetRecords`) {
		t.Errorf("err = %v, want ErrProviderPanic naming the block and operation", err)
	}
	if err != nil && strings.Contains(err.Error(), secret) {
		t.Errorf("error quotes the panic value: %v", err)
	}
}

// Every provider the registry builds comes guarded, with the block's name.
func TestNewDNSReturnsGuardedProviders(t *testing.T) {
	for _, typ := range DNSTypes() {
		d, err := NewNamedDNS("blockname", typ, validSettings(t, typ))
		if err != nil {
			t.Fatalf("%s: %v", typ, err)
		}
		g, ok := d.(*guarded)
		if gp, isProxy := d.(*guardedProxy); isProxy {
			g, ok = gp.guarded, typ == "cloudflare"
		}
		if !ok || g.name != "blockname" || g.typ != typ {
			t.Errorf("%s: NewNamedDNS returned %T, want a guarded provider named blockname", typ, d)
		}
	}
	p, _ := NewDNS("cloudflare", map[string]string{"api_token": "x"})
	if Guard("x", "cloudflare", p) != p {
		t.Error("Guard wrapped a guarded provider again")
	}
}

package dnsquery

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/miekg/dns"

	"github.com/lifeboat-dev/lifeboat/internal/testharness"
)

const zone = "example.test."

func ctxFor(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// Against a real BIND: authoritative answers, NXDOMAIN as a typed error
// carrying the reply, and a hidden server kept out of the message.
func TestAskBIND(t *testing.T) {
	b := testharness.StartBIND(t, testharness.BINDOptions{Zone: zone, Records: []string{"www 60 IN A 127.0.0.21"}})
	auth := Options{Authoritative: true, Timeout: 2 * time.Second}

	r, err := Ask(ctxFor(t), b.Addr, zone, dns.TypeSOA, auth)
	if err != nil {
		t.Fatalf("SOA: %v", err)
	}
	if !r.Authoritative || len(r.Answer) != 1 || r.Answer[0].Header().Rrtype != dns.TypeSOA {
		t.Errorf("SOA reply: aa=%v answer=%v", r.Authoritative, r.Answer)
	}

	r, err = Ask(ctxFor(t), b.Addr, "www.example.test", dns.TypeA, auth) // made fully qualified
	if err != nil {
		t.Fatalf("A: %v", err)
	}
	if len(r.Answer) != 1 || r.Answer[0].(*dns.A).A.String() != "127.0.0.21" {
		t.Errorf("A answer %v", r.Answer)
	}

	r, err = Ask(ctxFor(t), b.Addr, "nothing."+zone, dns.TypeA, auth)
	var rc *RcodeError
	if !errors.As(err, &rc) || rc.Rcode != dns.RcodeNameError || !errors.Is(err, ErrRcode) {
		t.Fatalf("err = %v, want an *RcodeError with NXDOMAIN", err)
	}
	if r == nil || !r.Authoritative {
		t.Errorf("NXDOMAIN reply not returned with the error, or not authoritative: %v", r)
	}
	if want := "nothing.example.test. A at " + b.Addr + ": server answered NXDOMAIN"; err.Error() != want {
		t.Errorf("message %q, want %q", err, want)
	}

	hiddenOpts := auth
	hiddenOpts.HideServer = true
	_, err = Ask(ctxFor(t), b.Addr, "nothing."+zone, dns.TypeA, hiddenOpts)
	if err == nil || strings.Contains(err.Error(), b.Addr) || !strings.Contains(err.Error(), "at <hidden>") {
		t.Errorf("hidden server: %v", err)
	}

	// BIND is not authoritative for another zone: it refuses.
	_, err = Ask(ctxFor(t), b.Addr, "example.org.", dns.TypeSOA, auth)
	if !errors.As(err, &rc) || rc.Rcode != dns.RcodeRefused {
		t.Errorf("other zone: %v, want REFUSED", err)
	}
}

func TestAskWithoutAA(t *testing.T) {
	f := startFake(t, func(q, r *dns.Msg, _ bool) bool {
		r.Answer = append(r.Answer, a(q.Question[0].Name, "127.0.0.9"))
		return true // Authoritative stays false
	})
	r, err := Ask(ctxFor(t), f.Addr, "www."+zone, dns.TypeA, Options{Authoritative: true})
	if !errors.Is(err, ErrNotAuthoritative) {
		t.Fatalf("err = %v, want ErrNotAuthoritative", err)
	}
	if r == nil || len(r.Answer) != 1 {
		t.Errorf("reply not returned with ErrNotAuthoritative: %v", r)
	}
	if !strings.Contains(err.Error(), "www.example.test. A at "+f.Addr) {
		t.Errorf("error %q does not name the question and server", err)
	}
	if _, err := Ask(ctxFor(t), f.Addr, "www."+zone, dns.TypeA, Options{}); err != nil {
		t.Errorf("without Authoritative: %v", err)
	}
	if f.rd.Load() {
		t.Error("recursion desired by default")
	}
	if _, err := Ask(ctxFor(t), f.Addr, "www."+zone, dns.TypeA, Options{RecursionDesired: true}); err != nil || !f.rd.Load() {
		t.Errorf("RecursionDesired: err %v, rd seen %v", err, f.rd.Load())
	}
}

// A non-authoritative NXDOMAIN (a resolver's) is "not authoritative"
// rather than "no such name" when authority is required.
func TestNonAuthoritativeNXDOMAIN(t *testing.T) {
	f := startFake(t, func(q, r *dns.Msg, _ bool) bool {
		r.Rcode = dns.RcodeNameError
		return true
	})
	_, err := Ask(ctxFor(t), f.Addr, "www."+zone, dns.TypeA, Options{Authoritative: true})
	if !errors.Is(err, ErrNotAuthoritative) {
		t.Errorf("err = %v, want ErrNotAuthoritative", err)
	}
}

func TestAskRetriesTruncatedOverTCP(t *testing.T) {
	f := startFake(t, func(q, r *dns.Msg, overTCP bool) bool {
		r.Authoritative = true
		if !overTCP {
			r.Truncated = true
			return true
		}
		for _, ip := range []string{"127.0.0.1", "127.0.0.2", "127.0.0.3"} {
			r.Answer = append(r.Answer, a(q.Question[0].Name, ip))
		}
		return true
	})
	r, err := Ask(ctxFor(t), f.Addr, "www."+zone, dns.TypeA, Options{Authoritative: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Answer) != 3 || r.Truncated {
		t.Errorf("answer %v (truncated %v), want the 3 records of the TCP reply", r.Answer, r.Truncated)
	}
	if f.udp.Load() != 1 || f.tcp.Load() != 1 {
		t.Errorf("asked %d times over UDP and %d over TCP, want once each", f.udp.Load(), f.tcp.Load())
	}

	if _, err := Ask(ctxFor(t), f.Addr, "www."+zone, dns.TypeA, Options{TCP: true}); err != nil || f.udp.Load() != 1 {
		t.Errorf("TCP option: err %v, %d UDP questions", err, f.udp.Load())
	}
}

func TestRcodeErrors(t *testing.T) {
	for _, code := range []int{dns.RcodeServerFailure, dns.RcodeRefused, dns.RcodeNotImplemented} {
		f := startFake(t, func(q, r *dns.Msg, _ bool) bool {
			r.Rcode = code
			return true
		})
		_, err := Ask(ctxFor(t), f.Addr, zone, dns.TypeSOA, Options{Authoritative: true})
		var rc *RcodeError
		if !errors.As(err, &rc) || rc.Rcode != code || !errors.Is(err, ErrRcode) {
			t.Errorf("rcode %d: err %v", code, err)
			continue
		}
		if want := "server answered " + dns.RcodeToString[code]; !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not say %q", err, want)
		}
	}
}

// A server that never answers: the timeout and ctx bound the query, and
// a hidden server stays out of the error.
func TestSilentServer(t *testing.T) {
	f := startFake(t, func(*dns.Msg, *dns.Msg, bool) bool { return false })

	start := time.Now()
	_, err := Ask(ctxFor(t), f.Addr, "www."+zone, dns.TypeA, Options{Timeout: 200 * time.Millisecond, HideServer: true})
	took := time.Since(start)
	if !errors.Is(err, context.DeadlineExceeded) || took > time.Second {
		t.Errorf("err %v after %v, want a deadline error near 200ms", err, took)
	}
	if err != nil && (strings.Contains(err.Error(), f.Addr) || strings.Contains(err.Error(), "127.0.0.1")) {
		t.Errorf("error shows the hidden server: %v", err)
	}

	// ctx's deadline is sooner than the timeout.
	ctx, cancel := context.WithTimeout(context.Background(), 150*time.Millisecond)
	defer cancel()
	start = time.Now()
	_, err = Ask(ctx, f.Addr, "www."+zone, dns.TypeA, Options{Timeout: 10 * time.Second})
	if took := time.Since(start); !errors.Is(err, context.DeadlineExceeded) || took > time.Second {
		t.Errorf("ctx deadline: err %v after %v", err, took)
	}

	// A cancel (a signal) ends the wait too, long before the timeout.
	ctx, cancel = context.WithCancel(context.Background())
	time.AfterFunc(100*time.Millisecond, cancel)
	start = time.Now()
	_, err = Ask(ctx, f.Addr, "www."+zone, dns.TypeA, Options{Timeout: 10 * time.Second})
	if took := time.Since(start); !errors.Is(err, context.Canceled) || took > 2*time.Second {
		t.Errorf("cancel: err %v after %v, want context.Canceled soon after 100ms", err, took)
	}
}

// A transport error (nothing listening, TCP) is redacted too, and still
// unwraps to the original error.
func TestHiddenServerInTransportErrors(t *testing.T) {
	port := testharness.FreePort(t, "127.0.0.1")
	server := "127.0.0.1:" + strconv.Itoa(port)
	_, err := Ask(ctxFor(t), server, zone, dns.TypeSOA, Options{TCP: true, HideServer: true, Timeout: time.Second})
	if err == nil {
		t.Fatal("no error from a closed port")
	}
	if strings.Contains(err.Error(), server) || strings.Contains(err.Error(), "127.0.0.1") {
		t.Errorf("error shows the hidden server: %v", err)
	}
	if !strings.Contains(err.Error(), "refused") {
		t.Errorf("error %q lost the reason", err)
	}
	_, err = Ask(ctxFor(t), server, zone, dns.TypeSOA, Options{TCP: true, Timeout: time.Second})
	if err == nil || !strings.Contains(err.Error(), server) {
		t.Errorf("without HideServer the error should name the server: %v", err)
	}
	_, err = Ask(ctxFor(t), "no-port-here", zone, dns.TypeSOA, Options{HideServer: true})
	if err == nil || strings.Contains(err.Error(), "no-port-here") {
		t.Errorf("bad address shown: %v", err)
	}
}

package dnscutover

import (
	"context"
	"errors"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/libdns/libdns"
	"github.com/miekg/dns"

	"github.com/lifeboat-dev/lifeboat/providers"
)

// hungProvider ignores its context and never answers until the test ends,
// like a DNS API that hangs.
type hungProvider struct{ release chan struct{} }

func (h hungProvider) GetRecords(context.Context, string) ([]libdns.Record, error) {
	<-h.release
	return nil, nil
}
func (h hungProvider) SetRecords(context.Context, string, []libdns.Record) ([]libdns.Record, error) {
	<-h.release
	return nil, nil
}
func (h hungProvider) AppendRecords(context.Context, string, []libdns.Record) ([]libdns.Record, error) {
	<-h.release
	return nil, nil
}
func (h hungProvider) DeleteRecords(context.Context, string, []libdns.Record) ([]libdns.Record, error) {
	<-h.release
	return nil, nil
}

// A provider whose calls ignore their context used to hold the cutover
// until the call returned (16 s with a 1 s attempt timeout); through the
// registry's guard each attempt ends at its AttemptTimeout.
func TestHungProviderDoesNotStallCutover(t *testing.T) {
	b := startBIND(t)
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	targets := []Target{
		target(t, "good", b),
		{Name: "hung", Zone: zone, Provider: providers.Guard("hung", "fake", hungProvider{release}), Nameservers: []string{b.Addr}},
	}
	opts := fast
	opts.Retry.AttemptTimeout = 200 * time.Millisecond
	req := Request{Owner: testOwner, Records: []string{"www"}, Addresses: addrs("127.0.0.22")}

	done := make(chan []ProviderResult, 1)
	start := time.Now()
	go func() { done <- Cutover(ctxFor(t), targets, req, opts) }()
	var res []ProviderResult
	select {
	case res = <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("cutover still running after 10s with a hung provider")
	}
	// 3 attempts of 200ms plus two backoffs of at most 50ms, and margin.
	if took := time.Since(start); took > 2*time.Second {
		t.Errorf("cutover took %v", took)
	}
	if res[0].Err != nil {
		t.Errorf("good: %v", res[0].Err)
	}
	if !errors.Is(res[1].Err, providers.ErrAbandoned) || !errors.Is(res[1].Err, context.DeadlineExceeded) || res[1].Attempts != opts.Retry.Attempts {
		t.Errorf("hung: %+v, want ErrAbandoned after %d attempts", res[1], opts.Retry.Attempts)
	}
	if res[1].Err != nil && !strings.Contains(res[1].Err.Error(), `dns "hung" (type fake): GetRecords`) {
		t.Errorf("error does not name the block and the call: %v", res[1].Err)
	}
	wantAnswer(t, b, "www", "A", "127.0.0.22")
}

// A nameserver that never answers: a cancel (a signal) ends Verify at
// once, not after the query timeout.
func TestVerifyStopsOnCancel(t *testing.T) {
	silent, err := net.ListenPacket("udp", "127.0.0.1:0") // reads nothing, answers nothing
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { silent.Close() })
	tg := Target{Name: "silent", Zone: zone, Provider: hungProvider{}, Nameservers: []string{silent.LocalAddr().String()}}
	opts := Options{QueryTimeout: 20 * time.Second, VerifyTimeout: 30 * time.Second, PollInterval: 50 * time.Millisecond}

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	time.AfterFunc(200*time.Millisecond, cancel)
	done := make(chan []ProviderResult, 1)
	start := time.Now()
	go func() {
		done <- Verify(ctx, []Target{tg}, Request{Owner: testOwner, Records: []string{"www"}, Addresses: addrs("127.0.0.20")}, opts)
	}()
	select {
	case v := <-done:
		if took := time.Since(start); took > 3*time.Second {
			t.Errorf("verify returned %v after the cancel", took)
		}
		if !errors.Is(v[0].Err, ErrNotVerified) || !strings.Contains(v[0].Err.Error(), "context canceled") {
			t.Errorf("err = %v, want ErrNotVerified saying the query was canceled", v[0].Err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("verify still waiting 10s after a cancel")
	}
}

// A server that answers without the authoritative flag does not verify,
// even with the right addresses.
func TestVerifyRequiresAuthority(t *testing.T) {
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &dns.Server{PacketConn: pc, Handler: dns.HandlerFunc(func(w dns.ResponseWriter, q *dns.Msg) {
		r := new(dns.Msg).SetReply(q) // AA stays off
		if q.Question[0].Qtype == dns.TypeA {
			r.Answer = append(r.Answer, &dns.A{Hdr: dns.RR_Header{Name: q.Question[0].Name, Rrtype: dns.TypeA, Class: dns.ClassINET, Ttl: 60}, A: net.ParseIP("127.0.0.20")})
		}
		_ = w.WriteMsg(r)
	})}
	started := make(chan struct{})
	srv.NotifyStartedFunc = func() { close(started) }
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); _ = srv.ActivateAndServe() }()
	t.Cleanup(func() { _ = srv.Shutdown(); wg.Wait() })
	select {
	case <-started:
	case <-time.After(5 * time.Second):
		t.Fatal("fake DNS server did not start")
	}

	tg := Target{Name: "cache", Zone: zone, Provider: hungProvider{}, Nameservers: []string{pc.LocalAddr().String()}}
	opts := Options{QueryTimeout: time.Second, VerifyTimeout: 1500 * time.Millisecond, PollInterval: 50 * time.Millisecond}
	v := Verify(ctxFor(t), []Target{tg}, Request{Owner: testOwner, Records: []string{"www"}, Addresses: addrs("127.0.0.20")}, opts)
	if !errors.Is(v[0].Err, ErrNotVerified) || !strings.Contains(v[0].Err.Error(), "www.example.test. A at "+pc.LocalAddr().String()+": answer is not authoritative") {
		t.Errorf("err = %v, want ErrNotVerified naming the non-authoritative answer", v[0].Err)
	}
}

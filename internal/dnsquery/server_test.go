package dnsquery

import (
	"net"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/miekg/dns"

	"github.com/lifeboat-dev/lifeboat/internal/testharness"
)

// fakeServer is a tiny DNS server on loopback, UDP and TCP on one port,
// that answers every question through answer.
type fakeServer struct {
	Addr string
	// udp and tcp count the questions received over each.
	udp, tcp atomic.Int32
	// rd records whether the last question asked for recursion.
	rd atomic.Bool
}

// answer fills the reply to q (already SetReply'd); it returns false to
// send nothing at all.
type answer func(q *dns.Msg, r *dns.Msg, overTCP bool) bool

func startFake(t *testing.T, fn answer) *fakeServer {
	t.Helper()
	f := &fakeServer{}
	handler := dns.HandlerFunc(func(w dns.ResponseWriter, q *dns.Msg) {
		_, overTCP := w.RemoteAddr().(*net.TCPAddr)
		if overTCP {
			f.tcp.Add(1)
		} else {
			f.udp.Add(1)
		}
		f.rd.Store(q.RecursionDesired)
		r := new(dns.Msg).SetReply(q)
		if fn(q, r, overTCP) {
			_ = w.WriteMsg(r)
		}
	})
	var pc net.PacketConn
	var l net.Listener
	for range 20 { // a port free for both UDP and TCP; bounded retries
		port := testharness.FreePort(t, "127.0.0.1")
		f.Addr = net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
		var err error
		if pc, err = net.ListenPacket("udp", f.Addr); err != nil {
			continue
		}
		if l, err = net.Listen("tcp", f.Addr); err != nil {
			pc.Close()
			pc = nil
			continue
		}
		break
	}
	if pc == nil || l == nil {
		t.Fatal("no loopback port for the fake DNS server")
	}
	var wg sync.WaitGroup
	t.Cleanup(wg.Wait) // runs after the Shutdowns registered below
	for _, s := range []*dns.Server{
		{PacketConn: pc, Handler: handler},
		{Listener: l, Handler: handler},
	} {
		started := make(chan struct{})
		s.NotifyStartedFunc = func() { close(started) }
		wg.Add(1)
		go func() { defer wg.Done(); _ = s.ActivateAndServe() }()
		select {
		case <-started:
		case <-time.After(5 * time.Second):
			t.Fatal("fake DNS server did not start")
		}
		t.Cleanup(func() { _ = s.Shutdown() })
	}
	return f
}

func a(name, ip string) dns.RR {
	return &dns.A{Hdr: dns.RR_Header{Name: name, Rrtype: dns.TypeA, Class: dns.ClassINET, Ttl: 60}, A: net.ParseIP(ip)}
}

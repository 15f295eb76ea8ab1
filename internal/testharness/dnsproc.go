package testharness

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/miekg/dns"
)

// dnsProc is a DNS server a test runs in the foreground (named, knotd):
// its output goes to a log file, start waits (bounded) until it answers
// the zone's SOA, and Stop ends it.
type dnsProc struct {
	what    string   // the program, for messages
	argv    []string // the command line
	logPath string
	addr    string // where it answers
	zone    string // the zone whose SOA says it is up

	mu   sync.Mutex
	cmd  *exec.Cmd
	done chan struct{} // closed when cmd has exited
}

func (p *dnsProc) start(t testing.TB) {
	t.Helper()
	logf, err := os.OpenFile(p.logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		t.Fatalf("testharness: %s log: %v", p.what, err)
	}
	cmd := exec.Command(p.argv[0], p.argv[1:]...)
	cmd.Stdout, cmd.Stderr = logf, logf
	// Its own process group: a ^C to `go test` should not race our Stop.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		logf.Close()
		t.Fatalf("testharness: start %s: %v", p.what, err)
	}
	done := make(chan struct{})
	go func() {
		_ = cmd.Wait()
		logf.Close()
		close(done)
	}()
	p.mu.Lock()
	p.cmd, p.done = cmd, done
	p.mu.Unlock()

	// Both answer well under a second after start; allow far more on a
	// busy machine.
	deadline := time.Now().Add(15 * time.Second)
	c := &dns.Client{Timeout: 300 * time.Millisecond}
	q := new(dns.Msg).SetQuestion(p.zone, dns.TypeSOA)
	for time.Now().Before(deadline) {
		select {
		case <-done:
			t.Fatalf("testharness: %s exited at start:\n%s", p.what, p.log())
		default:
		}
		if r, _, err := c.Exchange(q, p.addr); err == nil && r.Rcode == dns.RcodeSuccess && len(r.Answer) > 0 {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	p.Stop()
	t.Fatalf("testharness: %s did not answer on %s within 15s:\n%s", p.what, p.addr, p.log())
}

// log returns the tail of the server's log (which holds no key material)
// for failure messages.
func (p *dnsProc) log() string {
	data, _ := os.ReadFile(p.logPath)
	if len(data) > 4000 {
		data = data[len(data)-4000:]
	}
	return string(bytes.TrimSpace(data))
}

// Stop stops the server now (SIGTERM, then SIGKILL after 5 s) and waits
// for it to exit; dynamic updates stay in its journal. Calling it again
// does nothing.
func (p *dnsProc) Stop() {
	p.mu.Lock()
	cmd, done := p.cmd, p.done
	p.cmd = nil
	p.mu.Unlock()
	if cmd == nil {
		return
	}
	_ = cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		_ = cmd.Process.Kill()
		<-done
	}
}

// Restart starts the server again on the same address with the same
// zone, journal included. It stops a running one first.
func (p *dnsProc) Restart(t testing.TB) {
	t.Helper()
	p.Stop()
	p.start(t)
}

// Query asks the server directly (UDP, falling back to TCP on
// truncation) and returns the answers of type qtype as rdata strings,
// e.g. "127.0.0.12". A name without a trailing dot is taken relative to
// the zone ("@" is the apex).
func (p *dnsProc) Query(t testing.TB, name, qtype string) []string {
	t.Helper()
	return queryAnswers(t, p.addr, zoneName(p.zone, name), qtype)
}

// WantAnswer fails the test unless the server answers name/qtype with
// exactly want, in any order.
func (p *dnsProc) WantAnswer(t testing.TB, name, qtype string, want ...string) {
	t.Helper()
	got := p.Query(t, name, qtype)
	slices.Sort(got)
	want = slices.Sorted(slices.Values(want))
	if !slices.Equal(got, want) {
		t.Errorf("%s %s at %s = %v, want %v", name, qtype, p.addr, got, want)
	}
}

// writeFile writes one of a server's files into its directory.
func writeFile(t testing.TB, dir, name string, data []byte, mode os.FileMode) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, name), data, mode); err != nil {
		t.Fatalf("testharness: write %s: %v", name, err)
	}
}

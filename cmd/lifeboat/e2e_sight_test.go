package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/lifeboat-dev/lifeboat/internal/testharness"
)

// sightStatus is the part of `lifeboat status -o json` these tests read.
type sightStatus struct {
	Warnings  []string
	Providers []struct {
		Name, State string
		Checks      []struct {
			Check, Target, Reason string
			OK, Unknown           bool
		}
	}
}

func (w *world) sightStatus() (sightStatus, string) {
	w.t.Helper()
	r := w.lifeboat(nil, "status", "-o", "json")
	var doc sightStatus
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil || len(doc.Providers) == 0 {
		w.t.Fatalf("status: exit %d: %v\n%s%s", r.code, err, r.stdout, r.stderr)
	}
	return doc, r.stdout
}

func (s sightStatus) state(provider string) string {
	for _, p := range s.Providers {
		if p.Name == provider {
			return p.State
		}
	}
	return ""
}

func hasWarning(s sightStatus, text string) bool {
	for _, w := range s.Warnings {
		if strings.Contains(w, text) {
			return true
		}
	}
	return false
}

// wentDown reports whether the daemon's log has provider turning down.
func wentDown(log, provider string) bool {
	for _, line := range strings.Split(log, "\n") {
		if strings.Contains(line, `msg="provider state changed" provider=`+provider+" ") && strings.Contains(line, " to=down ") {
			return true
		}
	}
	return false
}

// A daemon whose providers and reference target all stop answering
// cannot tell a loss from its own blindness: it holds back and says why.
// Once the reference answers again, the same loss is acted on as before.
func TestDaemonHoldsBackWhenReferencesFail(t *testing.T) {
	t.Parallel()
	var refDown atomic.Bool
	ref := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, _ *http.Request) {
		if refDown.Load() {
			// Hang up without an answer, as an unreachable target would.
			if hj, ok := rw.(http.Hijacker); ok {
				if c, _, err := hj.Hijack(); err == nil {
					c.Close()
					return
				}
			}
			rw.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		_, _ = rw.Write([]byte("ok"))
	}))
	defer ref.Close()
	w := newWorld(t, worldOptions{policy: autoPolicy + fmt.Sprintf(`
  reference "landmark" {
    http {
      url = %q
    }
  }`, ref.URL+"/")})
	w.startAlpha()
	d := w.startDaemon()
	w.waitHealthyIn("alpha")

	refDown.Store(true)
	w.cutOffAlpha()
	waitFor(t, 60*time.Second, "the held-back decision naming the failing reference", func() bool {
		return hasDecision(w.decisions(), "held_back", "this node cannot see the world: holding back from failing over www on alpha")
	})
	st, _ := w.sightStatus()
	if st.state("alpha") != "down" {
		t.Fatalf("alpha is %q, want down (the monitor still says what it sees)", st.state("alpha"))
	}
	if !hasWarning(st, "every reference check fails") {
		t.Fatalf("status does not say why it holds back: %+v", st.Warnings)
	}
	// The loop looks again every round: some rounds must pass without a move.
	w.waitRounds(3)
	if n := w.automaticOps(); n != 0 {
		t.Fatalf("%d automatic operations while this node could not see the world", n)
	}
	if !w.answers(w.alphaIP) {
		t.Fatal("DNS changed while this node could not see the world")
	}

	// The reference answers again: the loss is real, and acted on.
	refDown.Store(false)
	waitFor(t, 90*time.Second, "BIND answers bravo", func() bool { return w.answers(w.bravoIP) })
	if ds := w.decisions(); !hasDecision(ds, "failover", "www from alpha to bravo") {
		t.Fatalf("no failover decision once the reference answered: %+v", ds)
	}
	if !strings.Contains(d.out.String(), "this node sees the world again") {
		t.Fatalf("the daemon did not log seeing again:\n%s", d.out.String())
	}
}

// limitDescriptors lowers a running process's open-file limit (soft and
// hard) to what it holds now plus spare: whatever else it opens beyond
// that fails with EMFILE, as on a host whose descriptors a stranger ate.
func limitDescriptors(t *testing.T, pid, spare int) int {
	t.Helper()
	fds, err := os.ReadDir(fmt.Sprintf("/proc/%d/fd", pid))
	if err != nil {
		t.Fatal(err)
	}
	n := uint64(len(fds) + spare)
	if err := unix.Prlimit(pid, unix.RLIMIT_NOFILE, &unix.Rlimit{Cur: n, Max: n}, nil); err != nil {
		t.Fatalf("lower the daemon's descriptor limit: %v", err)
	}
	return int(n)
}

// flood opens connections to addr and keeps them open, opening new ones as
// the daemon closes idle ones, until stop is closed: a stranger eating the
// daemon's descriptors.
func flood(t *testing.T, addr string, conns int, stop <-chan struct{}) *sync.WaitGroup {
	var wg sync.WaitGroup
	for range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				c, err := net.DialTimeout("tcp", addr, time.Second)
				if err != nil {
					time.Sleep(50 * time.Millisecond)
					continue
				}
				done := make(chan struct{})
				go func() {
					// Returns when the daemon closes the connection.
					_, _ = c.Read(make([]byte, 1))
					close(done)
				}()
				select {
				case <-stop:
					c.Close()
					<-done
					return
				case <-done:
					c.Close()
				}
			}
		}()
	}
	return &wg
}

// A stranger holding open connections to the daemon's HTTP API runs it
// out of file descriptors. Its own probes then fail with "too many open
// files": that is this node's fault, not alpha's, so alpha (serving all
// along) is not marked down and nothing fails over.
func TestDaemonOutOfDescriptorsIsNotAProviderLoss(t *testing.T) {
	t.Parallel()
	ip := testharness.LoopbackIP(t)
	api := fmt.Sprintf("%s:%d", ip, testharness.FreePort(t, ip))
	w := newWorld(t, worldOptions{policy: autoPolicy, extra: fmt.Sprintf("server {\n  listen = %q\n}\n", api)})
	// A tcp check dials afresh every round (an http check may reuse a
	// kept-alive connection and need no new descriptor).
	raw, err := os.ReadFile(w.cfg)
	if err != nil {
		t.Fatal(err)
	}
	cfg := strings.Replace(string(raw), `  check "http" {`, fmt.Sprintf("  check \"tcp\" {\n    tcp {\n      port = %d\n    }\n  }\n  check \"http\" {", w.port), 1)
	if cfg == string(raw) {
		t.Fatal("the service's check block was not found in the configuration")
	}
	if err := os.WriteFile(w.cfg, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	w.startAlpha()
	d := w.startDaemon()
	w.waitHealthyIn("alpha")
	// A few descriptors to spare, then a flood takes them: this holds
	// whatever bounds the API puts on its connections, as long as they are
	// more than the spare.
	limit := limitDescriptors(t, d.cmd.Process.Pid, 6)
	t.Logf("the daemon may hold %d descriptors", limit)

	stop := make(chan struct{})
	wg := flood(t, api, 300, stop)
	// Long enough for fail_after (3) rounds of 1s, twice over.
	deadline := time.Now().Add(12 * time.Second)
	for time.Now().Before(deadline) && !wentDown(d.out.String(), "alpha") {
		time.Sleep(200 * time.Millisecond)
	}
	close(stop)
	wg.Wait()

	log := d.out.String()
	if wentDown(log, "alpha") {
		t.Fatalf("alpha, serving all along, was marked down when the daemon ran out of descriptors:\n%s", log)
	}
	if !strings.Contains(log, "too many open files") {
		t.Fatalf("the flood never ran the daemon out of descriptors: the test shows nothing\n%s", log)
	}
	if !strings.Contains(log, "this node cannot see the world: holding back") {
		t.Fatalf("the daemon did not say it could not see the world:\n%s", log)
	}
	if got := httpBody(t, w.alphaIP, w.port); got != "alpha" {
		t.Fatalf("alpha serves %q", got)
	}
	w.waitHealthyIn("alpha")
	if n := w.automaticOps(); n != 0 {
		t.Fatalf("%d automatic operations after running out of descriptors", n)
	}
	if !w.answers(w.alphaIP) {
		t.Fatal("DNS moved away from alpha")
	}
}

// A literal check URL with a password and an API key in its query is shown
// in status without either.
func TestStatusRedactsCheckURL(t *testing.T) {
	t.Parallel()
	w := newWorld(t, worldOptions{})
	raw, err := os.ReadFile(w.cfg)
	if err != nil {
		t.Fatal(err)
	}
	const pass, key = "hunter2-url-pass", "sk-live-e2e-api-key-77"
	keyed := fmt.Sprintf("  check \"keyed\" {\n    http {\n      url = \"http://probe:%s@%s:%d/healthz?api_key=%s\"\n    }\n  }\n  check \"http\" {", pass, w.alphaIP, w.port, key)
	cfg := strings.Replace(string(raw), `  check "http" {`, keyed, 1)
	if err := os.WriteFile(w.cfg, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"status", "-o", "json"}, {"status"}} {
		r := w.lifeboat(nil, args...)
		if !strings.Contains(r.stdout, fmt.Sprintf("%s:%d/healthz", w.alphaIP, w.port)) {
			t.Fatalf("%v does not show the keyed check's target: exit %d\n%s%s", args, r.code, r.stdout, r.stderr)
		}
		for _, s := range []string{pass, key} {
			if strings.Contains(r.stdout+r.stderr, s) {
				t.Fatalf("%v shows %q:\n%s%s", args, s, r.stdout, r.stderr)
			}
		}
	}
}

// A check target answering with a 9 MiB header fails its check with a
// short reason: the status document and every notification stay small.
func TestHostileCheckTargetStaysSmall(t *testing.T) {
	t.Parallel()
	big := strings.Repeat("A", 9<<20)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				_ = c.SetDeadline(time.Now().Add(5 * time.Second))
				_, _ = c.Read(make([]byte, 4096))
				_, _ = c.Write([]byte("HTTP/1.1 200 OK\r\nX-Big: " + big + "\r\nContent-Length: 0\r\n\r\n"))
			}()
		}
	}()
	var mu sync.Mutex
	var bodies []int
	hook := httptest.NewServer(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
		n, _ := io.Copy(io.Discard, r.Body)
		mu.Lock()
		bodies = append(bodies, int(n))
		mu.Unlock()
	}))
	defer hook.Close()
	w := newWorld(t, worldOptions{extra: fmt.Sprintf("notify \"watch\" {\n  events = [\"decision\", \"provider_state\"]\n  webhook {\n    url = %q\n  }\n}\n", hook.URL)})
	raw, err := os.ReadFile(w.cfg)
	if err != nil {
		t.Fatal(err)
	}
	hostile := fmt.Sprintf("  check \"hostile\" {\n    http {\n      url = \"http://%s/\"\n      expect_headers = { \"X-Big\" = \"^small$\" }\n    }\n  }\n  check \"http\" {", l.Addr())
	if err := os.WriteFile(w.cfg, []byte(strings.Replace(string(raw), `  check "http" {`, hostile, 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	w.startAlpha()
	w.startDaemon()
	waitFor(t, 60*time.Second, "a provider state change and a decision delivered", func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(bodies) >= 2
	})
	st, doc := w.sightStatus()
	if len(doc) > 64<<10 {
		t.Fatalf("the status document is %d bytes", len(doc))
	}
	found := false
	for _, p := range st.Providers {
		for _, c := range p.Checks {
			if c.Check == "hostile" {
				found = true
				if c.OK || len(c.Reason) > 512 {
					t.Fatalf("hostile check: ok %v, reason of %d bytes", c.OK, len(c.Reason))
				}
			}
		}
	}
	if !found {
		t.Fatalf("no hostile check in status:\n%s", doc)
	}
	mu.Lock()
	defer mu.Unlock()
	for _, n := range bodies {
		if n > 64<<10 {
			t.Fatalf("a notification of %d bytes was posted (all: %v)", n, bodies)
		}
	}
}

package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/lifeboat-dev/lifeboat/internal/testharness"
)

// failoverStuckAtDNS runs the daemon's automatic failover with BIND
// stopped during it: the failover is held at the DNS cutover, BIND is
// stopped, and the cutover gives up; the operation is left unfinished.
func failoverStuckAtDNS(t *testing.T, w *world) *daemonProc {
	t.Helper()
	pause := filepath.Join(w.dir, "pause")
	if err := os.WriteFile(pause, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	w.startAlpha()
	d := w.startDaemon("LIFEBOAT_TEST_PAUSE_AT=www/bravo/dns-cutover:started", "LIFEBOAT_TEST_PAUSE_FILE="+pause)
	w.waitHealthyIn("alpha")
	w.cutOffAlpha()
	waitFor(t, 90*time.Second, "the failover reached the DNS cutover", func() bool {
		_, err := os.Stat(pause + ".reached")
		return err == nil
	})
	w.dns[0].Stop()
	if err := os.Remove(pause); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 60*time.Second, "the failed cutover journaled", func() bool {
		return hasDecision(w.decisions(), "failed", "automatic failover of www failed")
	})
	ops := w.history()
	if len(ops) != 1 || ops[0].Status != "running" {
		t.Fatalf("after the failed cutover: want one unfinished operation, got %+v", ops)
	}
	return d
}

// A failover that failed half-way (its DNS server down for a few seconds
// during the cutover) is finished by the daemon itself, with backoff,
// long before policy.cooldown (30m here) has passed: the cooldown gates
// new moves, not finishing one under way.
func TestDaemonResumesHalfDoneFailoverBeforeCooldown(t *testing.T) {
	t.Parallel()
	w := newWorld(t, worldOptions{policy: autoPolicy + "\n  cooldown = \"30m\""})
	d := failoverStuckAtDNS(t, w)
	// Down until the daemon has tried to finish and failed, as a DNS
	// server restarting would make it.
	waitFor(t, 60*time.Second, "a failed attempt to resume while BIND is down", func() bool {
		return hasDecision(w.decisions(), "resume_failed", "could not be finished")
	})
	w.dns[0].Restart(t)
	back := time.Now()
	waitFor(t, 90*time.Second, "BIND answers bravo without anyone typing a command", func() bool { return w.answers(w.bravoIP) })
	t.Logf("finished %s after BIND came back", time.Since(back).Round(100*time.Millisecond))
	waitFor(t, 30*time.Second, "the operation succeeded, resumed", func() bool {
		ops := w.history()
		return len(ops) == 1 && ops[0].Status == "succeeded" && len(ops[0].Resumed) >= 1
	})
	ds := w.decisions()
	if !hasDecision(ds, "resumed", "resumed and finished operation") {
		t.Fatalf("no resumed decision: %+v", ds)
	}
	if n := w.automaticOps(); n != 1 {
		t.Fatalf("%d automatic operations, want 1 (finished, not started again)", n)
	}
	d.stop(syscall.SIGTERM, 45*time.Second)
}

// `lifeboat resume` while the daemon runs is accepted and runs in the
// daemon: the hold switch keeps the daemon from resuming by itself, the
// command finishes the operation.
func TestResumeGoesThroughTheDaemon(t *testing.T) {
	t.Parallel()
	w := newWorld(t, worldOptions{policy: autoPolicy + "\n  cooldown = \"30m\""})
	d := failoverStuckAtDNS(t, w)
	if r := w.lifeboat(nil, "hold", "on", "--reason", "looking at it"); r.code != 0 {
		t.Fatalf("hold on: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	// An attempt the daemon began before the hold ends (BIND is down).
	waitFor(t, 60*time.Second, "the daemon idle", func() bool {
		r := w.lifeboat(nil, "status", "-o", "json")
		var doc struct {
			Daemon struct {
				Running string `json:"running"`
			} `json:"daemon"`
		}
		return r.code == 0 && json.Unmarshal([]byte(r.stdout), &doc) == nil && doc.Daemon.Running == ""
	})
	w.dns[0].Restart(t)
	if w.answers(w.bravoIP) {
		t.Fatal("the operation finished before `lifeboat resume`: the test proves nothing")
	}
	r := w.lifeboat(nil, "resume")
	if r.code != 0 || !strings.Contains(r.stderr, "a daemon is running") {
		t.Fatalf("resume with the daemon running: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if !w.answers(w.bravoIP) {
		t.Fatalf("after resume BIND does not answer bravo\n%s", r.stdout)
	}
	ops := w.history()
	if len(ops) != 1 || ops[0].Status != "succeeded" {
		t.Fatalf("after resume: %+v", ops)
	}
	if ds := w.decisions(); !hasDecision(ds, "resumed", "requested over the control socket") {
		t.Fatalf("the daemon did not journal the requested resume: %+v", ds)
	}
	d.stop(syscall.SIGTERM, 45*time.Second)
}

// serverWorld is a world whose daemon serves HTTP on a loopback port, the
// operate token read from a file (so it can be rotated), and more policy.
func serverWorld(t *testing.T, policy string, dnsServers int) (*world, string, string) {
	t.Helper()
	ip := testharness.LoopbackIP(t)
	addr := fmt.Sprintf("%s:%d", ip, testharness.FreePort(t, ip))
	w := newWorld(t, worldOptions{policy: policy, dnsServers: dnsServers, extra: fmt.Sprintf(`
server {
  listen        = %q
  read_token    = file("read.token")
  operate_token = file("operate.token")
}
`, addr)})
	writeToken(t, filepath.Join(w.dir, "read.token"), e2eReadToken)
	tokenFile := filepath.Join(w.dir, "operate.token")
	writeToken(t, tokenFile, e2eOperateToken)
	return w, "http://" + addr, tokenFile
}

func writeToken(t *testing.T, path, token string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(token), 0o600); err != nil {
		t.Fatal(err)
	}
}

// N parallel status (and plan) requests to a daemon cost BIND at most one
// zone transfer: they are answered from the DNS state the daemon last
// read, which status dates.
func TestDaemonStatusServesCachedDNS(t *testing.T) {
	t.Parallel()
	w, base, _ := serverWorld(t, "", 1)
	w.startAlpha()
	w.startDaemon()
	waitFor(t, 30*time.Second, "/readyz", func() bool { code, _ := call(t, "GET", base+"/readyz", "", ""); return code == 200 })
	// The daemon's first read of the zone, on start.
	waitFor(t, 30*time.Second, "the daemon read the zone", func() bool { return w.dns[0].Transfers(t) >= 1 })
	before := w.dns[0].Transfers(t)
	const n, plans = 30, 10
	var wg sync.WaitGroup
	docs := make([]string, n+plans)
	codes := make([]int, n+plans)
	// Several clients (open tabs, scripts), each from its own loopback
	// address, so that the API's per-client connection cap is not what
	// is tested here.
	const clients = 4
	var http4 [clients]*http.Client
	for c := range clients {
		src := &net.TCPAddr{IP: net.IPv4(127, 0, 0, byte(40+c))}
		http4[c] = &http.Client{Timeout: time.Minute, Transport: &http.Transport{
			DialContext: (&net.Dialer{LocalAddr: src}).DialContext}}
	}
	for i := range n + plans {
		path := "/api/v1/status"
		if i >= n {
			path = "/api/v1/plan"
		}
		wg.Go(func() {
			req, _ := http.NewRequest("GET", base+path, nil)
			req.Header.Set("Authorization", "Bearer "+e2eReadToken)
			resp, err := http4[i%clients].Do(req)
			if err != nil {
				docs[i] = err.Error()
				return
			}
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			codes[i], docs[i] = resp.StatusCode, string(b)
		})
	}
	wg.Wait()
	for i := range n + plans {
		if codes[i] != 200 {
			t.Fatalf("request %d: %d %s", i, codes[i], docs[i])
		}
	}
	extra := w.dns[0].Transfers(t) - before
	// One live read at most, plus the daemon's own periodic read (every
	// 30 s) should it fall within these seconds.
	if extra > 2 {
		t.Fatalf("%d parallel status and %d plan requests made %d zone transfers at BIND", n, plans, extra)
	}
	t.Logf("%d parallel status and %d plan requests: %d zone transfer(s) at BIND", n, plans, extra)
	var doc struct {
		At           time.Time `json:"at"`
		DNSCheckedAt time.Time `json:"dns_checked_at"`
		DNS          []struct {
			State string `json:"state"`
		} `json:"dns"`
	}
	if err := json.Unmarshal([]byte(docs[0]), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.DNSCheckedAt.IsZero() || doc.DNSCheckedAt.After(doc.At) || len(doc.DNS) != 1 || doc.DNS[0].State != "healthy" {
		t.Fatalf("status does not date its DNS state, or has none: %s", docs[0])
	}
	if r := w.lifeboat(nil, "status"); r.code != 0 || !strings.Contains(r.stdout, "DNS as the daemon last read it") {
		t.Fatalf("status text does not say how old the DNS state is: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
}

// SIGHUP after rotating server.operate_token: the old token is refused,
// the new one accepted. SIGHUP after changing policy.sync_interval: the
// zone sync runs at the new interval (zone transfers at BIND).
func TestDaemonReloadRotatesTokenAndIntervals(t *testing.T) {
	t.Parallel()
	w, base, tokenFile := serverWorld(t, "  sync_interval = \"1h\"", 2)
	w.startAlpha()
	d := w.startDaemon()
	waitFor(t, 30*time.Second, "/readyz", func() bool { code, _ := call(t, "GET", base+"/readyz", "", ""); return code == 200 })
	hold := func(token string) int {
		code, _ := call(t, "POST", base+"/api/v1/hold", token, `{"on": false}`)
		return code
	}
	if code := hold(e2eOperateToken); code != 200 {
		t.Fatalf("the operate token before the rotation: %d", code)
	}
	const rotated = "e2e-operate-token-rotated-9c2e"
	writeToken(t, tokenFile, rotated)
	cfg, err := os.ReadFile(w.cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(w.cfg, []byte(strings.Replace(string(cfg), `sync_interval = "1h"`, `sync_interval = "1s"`, 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	reloads := strings.Count(d.out.String(), "configuration reloaded")
	before := w.dns[1].Transfers(t)
	if err := d.cmd.Process.Signal(syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 30*time.Second, "the reload", func() bool { return strings.Count(d.out.String(), "configuration reloaded") > reloads })
	if code := hold(e2eOperateToken); code != http.StatusUnauthorized {
		t.Fatalf("the old operate token after the rotation: %d, want 401", code)
	}
	if code := hold(rotated); code != 200 {
		t.Fatalf("the new operate token after the rotation: %d, want 200", code)
	}
	// sync_interval 1s: a sync reads both copies of the zone every
	// second; at 1h it would not read them at all in these seconds (the
	// DNS watcher reads them every 30 s).
	waitFor(t, 20*time.Second, "zone syncs at the new interval", func() bool { return w.dns[1].Transfers(t)-before >= 5 })

	// A change only a restart can make is refused, naming the field, and
	// the running configuration keeps serving.
	cfg, err = os.ReadFile(w.cfg)
	if err != nil {
		t.Fatal(err)
	}
	addr := strings.TrimPrefix(base, "http://")
	ip, _, _ := strings.Cut(addr, ":")
	moved := fmt.Sprintf("%s:%d", ip, testharness.FreePort(t, ip))
	if err := os.WriteFile(w.cfg, []byte(strings.Replace(string(cfg), addr, moved, 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := d.cmd.Process.Signal(syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 30*time.Second, "the reload refused", func() bool {
		return strings.Contains(d.out.String(), "configuration not reloaded, the running one is kept: server.listen changed")
	})
	if code := hold(rotated); code != 200 {
		t.Fatalf("the API at its address after a refused reload: %d, want 200", code)
	}
	if ds := w.decisions(); !hasDecision(ds, "reload_refused", "server.listen") {
		t.Fatalf("the refused reload is not journaled: %+v", ds)
	}
	d.stop(syscall.SIGTERM, 45*time.Second)
}

// `lifeboat abort` ends the daemon's retries: once the operation is
// aborted, BIND coming back changes nothing.
func TestAbortStopsTheDaemonsRetries(t *testing.T) {
	t.Parallel()
	w := newWorld(t, worldOptions{policy: autoPolicy + "\n  cooldown = \"30m\""})
	d := failoverStuckAtDNS(t, w)
	waitFor(t, 60*time.Second, "the daemon retrying", func() bool {
		return hasDecision(w.decisions(), "resume_failed", "trying again in")
	})
	// The last retry's announced pause: the absence below outlasts it.
	var pause time.Duration
	for _, d := range w.decisions() {
		if _, after, ok := strings.Cut(d.Summary, "trying again in "); ok && d.Data.Action == "resume_failed" {
			p, err := time.ParseDuration(strings.SplitN(after, ",", 2)[0])
			if err != nil {
				t.Fatalf("the pause in %q: %v", d.Summary, err)
			}
			pause = max(pause, p)
		}
	}
	ops := w.history()
	r := w.lifeboat(nil, "abort", ops[0].ID, "--reason", "DNS moved by hand")
	if r.code != 0 {
		t.Fatalf("abort: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	w.dns[0].Restart(t)
	// Longer than the announced pause (rounded to a second) and a round: a
	// retry would have written by now.
	deadline := time.Now().Add(pause + 3*time.Second)
	for time.Now().Before(deadline) {
		if !w.answers(w.alphaIP) {
			t.Fatal("BIND changed after the operation was aborted")
		}
		time.Sleep(500 * time.Millisecond)
	}
	if ops := w.history(); len(ops) != 1 || ops[0].Status != "aborted" {
		t.Fatalf("after abort: %+v", ops)
	}
	d.stop(syscall.SIGTERM, 45*time.Second)
}

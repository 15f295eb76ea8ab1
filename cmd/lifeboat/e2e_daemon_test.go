package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// syncBuffer collects a subprocess's output while the test reads it.
type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// daemonProc is a `lifeboat run` subprocess.
type daemonProc struct {
	t    testing.TB
	cmd  *exec.Cmd
	out  *syncBuffer
	done chan struct{}
	err  error
}

// startDaemon runs `lifeboat run` and waits until it listens.
func (w *world) startDaemon(extraEnv ...string) *daemonProc {
	w.t.Helper()
	return w.startDaemonAt(w.cfg, extraEnv...)
}

// startDaemonAt runs `lifeboat run` on another configuration file.
func (w *world) startDaemonAt(cfg string, extraEnv ...string) *daemonProc {
	w.t.Helper()
	d := &daemonProc{t: w.t, out: &syncBuffer{}, done: make(chan struct{})}
	d.cmd = exec.Command(w.bin, "-c", cfg, "run")
	d.cmd.Env = w.env(extraEnv...)
	d.cmd.Stdout, d.cmd.Stderr = d.out, d.out
	if err := d.cmd.Start(); err != nil {
		w.t.Fatal(err)
	}
	go func() {
		d.err = d.cmd.Wait()
		close(d.done)
	}()
	w.t.Cleanup(func() {
		select {
		case <-d.done:
		default:
			_ = d.cmd.Process.Kill()
			<-d.done
		}
		if w.t.Failed() {
			w.t.Logf("daemon output:\n%s", d.out.String())
		}
	})
	deadline := time.Now().Add(60 * time.Second)
	for !strings.Contains(d.out.String(), "control socket") {
		select {
		case <-d.done:
			w.t.Fatalf("lifeboat run exited before it listened: %v\n%s", d.err, d.out.String())
		default:
		}
		if time.Now().After(deadline) {
			w.t.Fatalf("lifeboat run did not listen within 60s\n%s", d.out.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	return d
}

// stop sends sig and waits (bounded) for the daemon to exit; it returns
// the exit code and how long the exit took.
func (d *daemonProc) stop(sig syscall.Signal, bound time.Duration) (int, time.Duration) {
	d.t.Helper()
	began := time.Now()
	_ = d.cmd.Process.Signal(sig)
	return d.wait(bound), time.Since(began)
}

func (d *daemonProc) wait(bound time.Duration) int {
	d.t.Helper()
	select {
	case <-d.done:
	case <-time.After(bound):
		d.t.Fatalf("lifeboat run did not exit within %s\n%s", bound, d.out.String())
	}
	var ee *exec.ExitError
	if errors.As(d.err, &ee) {
		return ee.ExitCode()
	}
	if d.err != nil {
		d.t.Fatal(d.err)
	}
	return 0
}

// waitFor polls cond every 100ms until it holds or the bound passes.
func waitFor(t testing.TB, bound time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(bound)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within %s", what, bound)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// answers reports whether BIND answers www with exactly want.
func (w *world) answers(want string) bool {
	got := w.dns[0].Query(w.t, "www.example.test.", "A")
	return len(got) == 1 && got[0] == want
}

type decisionJSON struct {
	Kind    string `json:"kind"`
	Summary string `json:"summary"`
	Data    struct {
		Action    string `json:"action"`
		Operation string `json:"operation"`
	} `json:"data"`
}

func (w *world) decisions() []decisionJSON {
	w.t.Helper()
	r := w.lifeboat(nil, "history", "--decisions", "-o", "json")
	if r.code != 0 {
		w.t.Fatalf("history --decisions: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	var doc struct{ Decisions []decisionJSON }
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
		w.t.Fatalf("decisions JSON: %v\n%s", err, r.stdout)
	}
	return doc.Decisions
}

func hasDecision(ds []decisionJSON, action, text string) bool {
	for _, d := range ds {
		if d.Data.Action == action && strings.Contains(d.Summary, text) {
			return true
		}
	}
	return false
}

func (w *world) automaticOps() int {
	n := 0
	for _, op := range w.history() {
		if op.Kind == "automatic" {
			n++
		}
	}
	return n
}

// reviveAlpha starts alpha's host again outside Terraform, as a provider
// restoring service would (its workspace still says it runs).
func (w *world) reviveAlpha() {
	w.t.Helper()
	host := exec.Command(w.hostBin, "-listen", fmt.Sprintf("%s:%d", w.alphaIP, w.port), "-body", "alpha",
		"-pidfile", filepath.Join(w.runDir, "alpha.pid"))
	if err := host.Start(); err != nil {
		w.t.Fatal(err)
	}
	w.t.Cleanup(func() { _ = host.Process.Kill(); _, _ = host.Process.Wait() })
	waitServing(w.t, w.alphaIP, w.port)
}

// waitHealthyIn waits until the daemon's status shows the provider healthy.
func (w *world) waitHealthyIn(provider string) {
	w.t.Helper()
	waitFor(w.t, 30*time.Second, provider+" healthy in the daemon's status", func() bool {
		st := w.status()
		for _, p := range st.Providers {
			if p.Name == provider {
				return p.State == "healthy"
			}
		}
		return false
	})
}

const autoPolicy = `  auto_failover = true
  fail_after    = 3
  recover_after = 2`

// The daemon fails over by itself when alpha's host stops, and the
// detection-to-DNS time is reported. Started again, it does nothing more.
func TestDaemonFailsOverWhenAlphaStops(t *testing.T) {
	t.Parallel()
	w := newWorld(t, worldOptions{policy: autoPolicy})
	w.startAlpha()
	d := w.startDaemon()
	w.waitHealthyIn("alpha")
	if r := w.lifeboat(nil, "status"); r.code != 0 || !strings.Contains(r.stdout, "Daemon: pid") || !strings.Contains(r.stdout, "automatic failover on") {
		t.Fatalf("status through the daemon: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}

	w.cutOffAlpha()
	stopped := time.Now()
	waitFor(t, 90*time.Second, "BIND answers bravo", func() bool { return w.answers(w.bravoIP) })
	took := time.Since(stopped)
	// interval 1s x fail_after 3, plus a cold standby's apply and the
	// DNS update: a loose bound, the figure is what matters.
	t.Logf("detection to DNS: %s (interval 1s, fail_after 3, cold standby)", took.Round(10*time.Millisecond))
	if took > 60*time.Second {
		t.Errorf("detection to DNS took %s", took)
	}
	if got := httpBody(t, w.bravoIP, w.port); got != "bravo" {
		t.Fatalf("bravo serves %q", got)
	}
	// The daemon holds the journal; history and status go through it.
	if n := w.automaticOps(); n != 1 {
		t.Fatalf("%d automatic operations, want 1", n)
	}
	if ds := w.decisions(); !hasDecision(ds, "failover", "www from alpha to bravo") {
		t.Fatalf("no failover decision in the journal: %+v", ds)
	}
	// Checks follow the service: the daemon now probes bravo's address.
	waitFor(t, 20*time.Second, "www's check probes bravo", func() bool {
		for _, p := range w.status().Providers {
			if p.Name == "bravo" {
				for _, c := range p.Checks {
					if strings.Contains(c.Target, w.bravoIP) && c.OK {
						return true
					}
				}
			}
		}
		return false
	})
	if code, took := d.stop(syscall.SIGTERM, 45*time.Second); code != 0 {
		t.Fatalf("SIGTERM: exit %d after %s", code, took)
	}

	// Run again: alpha is still down, www is on bravo; nothing moves.
	d = w.startDaemon()
	w.waitRounds(4) // fail_after 3: alpha's loss confirmed again, and a round to act on it
	if n := w.automaticOps(); n != 1 {
		t.Fatalf("after a restart: %d automatic operations, want still 1", n)
	}
	if !w.answers(w.bravoIP) {
		t.Fatal("www no longer answers bravo after a restart")
	}
	d.stop(syscall.SIGTERM, 45*time.Second)
}

// An account the provider's API reports suspended is left by itself,
// while its hosts still answer.
func TestDaemonFailsOverOnAccountSuspended(t *testing.T) {
	t.Parallel()
	var suspended atomic.Bool
	api := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		if suspended.Load() {
			rw.WriteHeader(http.StatusForbidden)
			_, _ = io.WriteString(rw, `{"error": "account suspended"}`)
			return
		}
		_, _ = io.WriteString(rw, `{"status": "active"}`)
	}))
	defer api.Close()
	w := newWorld(t, worldOptions{policy: autoPolicy, alphaAPI: api.URL + "/v1/account"})
	w.startAlpha()
	w.startDaemon()
	w.waitHealthyIn("alpha")
	suspended.Store(true)
	waitFor(t, 90*time.Second, "BIND answers bravo", func() bool { return w.answers(w.bravoIP) })
	if got := httpBody(t, w.alphaIP, w.port); got != "alpha" {
		t.Fatalf("alpha's host should still answer: %q", got)
	}
	if ds := w.decisions(); !hasDecision(ds, "failover", "www from alpha to bravo") {
		t.Fatalf("no failover decision: %+v", ds)
	}
}

// Alpha up and down every other round never adds up to a loss; a real
// loss fails over; a second loss inside the cooldown is held back, and
// the held-back decision is journaled.
func TestDaemonFlappingAndCooldown(t *testing.T) {
	t.Parallel()
	var requests atomic.Int64
	var flapping atomic.Bool
	flapping.Store(true)
	api := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		if requests.Add(1)%2 == 0 && flapping.Load() {
			rw.WriteHeader(http.StatusForbidden)
			_, _ = io.WriteString(rw, `{"error": "account suspended"}`)
			return
		}
		_, _ = io.WriteString(rw, `{"status": "active"}`)
	}))
	defer api.Close()
	w := newWorld(t, worldOptions{policy: autoPolicy + "\n  cooldown = \"10m\"", alphaAPI: api.URL + "/v1/account"})
	w.startAlpha()
	w.startDaemon()
	// Ten rounds of flapping.
	waitFor(t, 30*time.Second, "ten rounds of alpha's API", func() bool { return requests.Load() >= 10 })
	if !w.answers(w.alphaIP) || w.automaticOps() != 0 {
		t.Fatal("flapping caused a failover")
	}

	flapping.Store(false)
	w.cutOffAlpha()
	waitFor(t, 90*time.Second, "BIND answers bravo", func() bool { return w.answers(w.bravoIP) })

	// Alpha comes back (recover_after 2), then bravo is lost within the
	// cooldown: the move back is held, not made.
	w.reviveAlpha()
	w.waitHealthyIn("alpha")
	// Never an automatic failback: alpha healthy again changes nothing,
	// past recover_after 2 and a round to act.
	w.waitRounds(3)
	if !w.answers(w.bravoIP) || w.automaticOps() != 1 || len(w.history()) != 1 {
		t.Fatal("the daemon moved www back to alpha by itself")
	}
	killPidfile(t, filepath.Join(w.runDir, "bravo.pid"))
	waitFor(t, 60*time.Second, "a held-back decision naming the cooldown", func() bool {
		return hasDecision(w.decisions(), "held_back", "policy.cooldown")
	})
	if !w.answers(w.bravoIP) {
		t.Fatal("a second automatic failover ran inside the cooldown")
	}
	if n := w.automaticOps(); n != 1 {
		t.Fatalf("%d automatic operations, want 1", n)
	}
}

// The hold switch stops an automatic failover; turning it off lets the
// daemon act at once.
func TestDaemonHoldSwitch(t *testing.T) {
	t.Parallel()
	w := newWorld(t, worldOptions{policy: autoPolicy})
	w.startAlpha()
	w.startDaemon()
	if r := w.lifeboat(nil, "hold", "on", "--reason", "maintenance window"); r.code != 0 || !strings.Contains(r.stdout, "Hold is on") {
		t.Fatalf("hold on: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if r := w.lifeboat(nil, "hold"); r.code != 0 || !strings.Contains(r.stdout, "maintenance window") {
		t.Fatalf("hold: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	// On a second time without --reason: the reason given first stays.
	if r := w.lifeboat(nil, "hold", "on"); r.code != 0 || !strings.Contains(r.stdout, "(maintenance window)") {
		t.Fatalf("hold on again: exit %d, want the first reason kept\n%s%s", r.code, r.stdout, r.stderr)
	}
	w.waitHealthyIn("alpha")
	w.cutOffAlpha()
	waitFor(t, 60*time.Second, "a held-back decision naming the hold switch", func() bool {
		return hasDecision(w.decisions(), "held_back", "hold switch is on")
	})
	w.waitRounds(2) // more rounds held, not only the first
	if !w.answers(w.alphaIP) || w.automaticOps() != 0 {
		t.Fatal("the daemon failed over while held")
	}
	if r := w.lifeboat(nil, "hold", "off"); r.code != 0 {
		t.Fatalf("hold off: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	waitFor(t, 90*time.Second, "BIND answers bravo after hold off", func() bool { return w.answers(w.bravoIP) })
}

// With the daemon running (automatic failover off), an operator's plain
// `lifeboat failover --yes` runs in the daemon and succeeds; history and
// status work meanwhile; a second run says it is already done.
func TestDaemonManualFailoverThroughSocket(t *testing.T) {
	t.Parallel()
	w := newWorld(t, worldOptions{})
	w.startAlpha()
	w.startDaemon()
	w.waitHealthyIn("alpha")
	w.cutOffAlpha()
	r := w.lifeboat(nil, "failover", "--yes")
	if r.code != 0 || !strings.Contains(r.stderr, "a daemon is running") || !w.answers(w.bravoIP) {
		t.Fatalf("failover through the daemon: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if !strings.Contains(r.stdout, "www: moved from alpha to bravo") {
		t.Fatalf("the operator did not see the outcome:\n%s", r.stdout)
	}
	ops := w.history()
	if len(ops) != 1 || ops[0].Kind != "manual" || ops[0].Status != "succeeded" {
		t.Fatalf("history through the daemon: %+v", ops)
	}
	if ds := w.decisions(); !hasDecision(ds, "held_back", "policy.auto_failover is off") {
		t.Fatalf("the daemon did not journal why it did not act: %+v", ds)
	}
	r = w.lifeboat(nil, "failover", "-y")
	if r.code != 0 || !strings.Contains(r.stdout, "Already done") {
		t.Fatalf("second failover: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if st := w.status(); len(st.Services) != 1 || st.Services[0].Placement != "bravo" {
		t.Fatalf("status through the daemon: %+v", st)
	}
	// A second daemon on the same journal is refused, saying why.
	if r := w.lifeboat(nil, "run"); r.code != 1 || !strings.Contains(r.stderr, "another lifeboat process") {
		t.Fatalf("a second lifeboat run: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}

	// Nothing is checked at alpha any more, so the daemon no longer
	// claims it is down: once it is back, failback through the daemon
	// goes ahead.
	w.reviveAlpha()
	waitFor(t, 20*time.Second, "alpha no longer shown down", func() bool {
		for _, p := range w.status().Providers {
			if p.Name == "alpha" {
				return p.State == "unknown"
			}
		}
		return false
	})
	if r := w.lifeboat(nil, "failback", "--yes"); r.code != 0 || !w.answers(w.alphaIP) {
		t.Fatalf("failback through the daemon: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
}

// SIGTERM in the middle of an automatic failover: the daemon exits within
// its bound, the operation is journaled unfinished, and the next run
// resumes it and completes it once.
func TestDaemonSIGTERMDuringFailoverResumes(t *testing.T) {
	t.Parallel()
	w := newWorld(t, worldOptions{policy: autoPolicy})
	w.startAlpha()
	d := w.startDaemon("LIFEBOAT_TEST_TERM_AT=www/bravo/apply:started")
	w.waitHealthyIn("alpha")
	w.cutOffAlpha()
	if code := d.wait(90 * time.Second); code != 0 {
		t.Fatalf("the daemon's exit after SIGTERM: %d", code)
	}
	ops := w.history()
	if len(ops) != 1 || ops[0].Status != "running" {
		t.Fatalf("after SIGTERM: want one unfinished operation, got %+v", ops)
	}
	w.startDaemon()
	waitFor(t, 90*time.Second, "BIND answers bravo after the restart", func() bool { return w.answers(w.bravoIP) })
	waitFor(t, 30*time.Second, "the operation succeeded", func() bool {
		ops := w.history()
		return len(ops) == 1 && ops[0].Status == "succeeded" && len(ops[0].Resumed) == 1
	})
}

// A real loss during a full drill aborts the drill (journaled), and the
// real failover runs. The drill is held at its apply step by a test hook
// so the loss lands while it is in flight.
func TestDaemonRealLossAbortsFullDrill(t *testing.T) {
	t.Parallel()
	w := newWorld(t, worldOptions{policy: autoPolicy, extra: drillBlocks})
	w.startAlpha()
	pause := filepath.Join(w.dir, "pause")
	if err := os.WriteFile(pause, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	w.startDaemon("LIFEBOAT_TEST_PAUSE_AT=www/bravo/apply:started", "LIFEBOAT_TEST_PAUSE_FILE="+pause)
	w.waitHealthyIn("alpha")

	drillDone := make(chan result, 1)
	go func() { drillDone <- w.lifeboat(nil, "drill", "gameday", "-o", "json") }()
	waitFor(t, 60*time.Second, "the drill's failover reaches its apply", func() bool {
		_, err := os.Stat(pause + ".reached")
		return err == nil
	})
	w.cutOffAlpha()
	waitFor(t, 60*time.Second, "the drill aborted by the real loss", func() bool {
		return hasDecision(w.decisions(), "drill_aborted", "alpha is down")
	})
	if err := os.Remove(pause); err != nil {
		t.Fatal(err)
	}
	var r result
	select {
	case r = <-drillDone:
	case <-time.After(2 * time.Minute):
		t.Fatal("lifeboat drill did not return")
	}
	var rep struct {
		Aborted     bool
		AbortReason string `json:"abort_reason"`
	}
	if r.code == 0 || json.Unmarshal([]byte(r.stdout), &rep) != nil || !rep.Aborted {
		t.Fatalf("drill: exit %d, want an aborted report\n%s%s", r.code, r.stdout, r.stderr)
	}
	waitFor(t, 90*time.Second, "BIND answers bravo after the real failover", func() bool { return w.answers(w.bravoIP) })
	waitFor(t, 30*time.Second, "the automatic failover succeeded", func() bool {
		var drillAborted, autoOK bool
		for _, op := range w.history() {
			drillAborted = drillAborted || op.Kind == "drill" && op.Status == "aborted"
			autoOK = autoOK || op.Kind == "automatic" && op.Status == "succeeded"
		}
		return drillAborted && autoOK
	})
}

// A scheduled drill runs from its cron spec; SIGHUP swaps a valid new
// configuration in and keeps the running one when the new one is invalid.
func TestDaemonScheduledDrillAndReload(t *testing.T) {
	t.Parallel()
	drills := newReceiver(t)
	w := newWorld(t, worldOptions{extra: fmt.Sprintf(`
drill "ready" {
  service  = "www"
  schedule = "@every 2s"
}
notify "drills" {
  events = ["drill"]
  webhook {
    url = %q
  }
}
`, drills.srv.URL)})
	w.startAlpha()
	d := w.startDaemon()
	waitFor(t, 60*time.Second, "a scheduled readiness drill's report", func() bool {
		r := w.lifeboat(nil, "history", "--drills", "-o", "json")
		var doc struct {
			Drills []struct {
				Name string
				OK   bool
			}
		}
		return r.code == 0 && json.Unmarshal([]byte(r.stdout), &doc) == nil && len(doc.Drills) > 0 && doc.Drills[0].Name == "ready" && doc.Drills[0].OK
	})
	waitFor(t, 20*time.Second, "the drill's result notified", func() bool {
		return slices.Contains(drills.names(), "drill.passed")
	})
	if r := w.lifeboat(nil, "status"); !strings.Contains(r.stdout, "Drill ready (readiness of www): next") || !strings.Contains(r.stdout, "automatic failover off") {
		t.Fatalf("status: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}

	orig, err := os.ReadFile(w.cfg)
	if err != nil {
		t.Fatal(err)
	}
	on := strings.Replace(string(orig), "policy {", "policy {\n  auto_failover = true", 1)
	if err := os.WriteFile(w.cfg, []byte(on), 0o644); err != nil {
		t.Fatal(err)
	}
	_ = d.cmd.Process.Signal(syscall.SIGHUP)
	waitFor(t, 30*time.Second, "the reloaded configuration in status", func() bool {
		return strings.Contains(w.lifeboat(nil, "status").stdout, "automatic failover on")
	})

	if err := os.WriteFile(w.cfg, []byte(on+"\nservice \"broken\" {\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_ = d.cmd.Process.Signal(syscall.SIGHUP)
	waitFor(t, 30*time.Second, "the refused reload reported", func() bool {
		return strings.Contains(d.out.String(), "configuration not reloaded, the running one is kept")
	})
	// Status reads the (now broken) file itself: the daemon's state is
	// what matters, so ask through a valid copy of the configuration.
	if err := os.WriteFile(w.cfg, []byte(on), 0o644); err != nil {
		t.Fatal(err)
	}
	if r := w.lifeboat(nil, "status"); r.code != 0 || !strings.Contains(r.stdout, "automatic failover on") {
		t.Fatalf("status after a refused reload: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if code, took := d.stop(syscall.SIGTERM, 45*time.Second); code != 0 {
		t.Fatalf("SIGTERM: exit %d after %s", code, took)
	}
}

// BenchmarkDetectionToDNS measures the daemon's automatic failover: from
// the moment alpha's host stops to BIND answering bravo's address, with
// interval 1s, fail_after 3 and a warm standby (bravo's host already
// running), split into detection (to the down transition), planning (to
// the operation's start), apply (prepare to wait-healthy) and cutover
// (the DNS update and its verification).
func BenchmarkDetectionToDNS(b *testing.B) {
	var total, detect, plan, apply, cutover time.Duration
	for range b.N {
		w := newWorld(b, worldOptions{policy: autoPolicy})
		w.startAlpha()
		w.startProvider("bravo", w.bravoIP)
		d := w.startDaemon()
		w.waitHealthyIn("alpha")
		w.cutOffAlpha()
		cut := time.Now()
		waitFor(b, 90*time.Second, "BIND answers bravo", func() bool { return w.answers(w.bravoIP) })
		total += time.Since(cut)
		down := transitionTime(b, d.out.String(), "alpha", "down")
		ops := w.history()
		if len(ops) != 1 {
			b.Fatalf("want one operation, got %+v", ops)
		}
		detect += down.Sub(cut)
		plan += ops[0].Started.Sub(down)
		for _, s := range ops[0].Steps {
			took := s.Finished.Sub(s.Started)
			switch s.ID[strings.LastIndex(s.ID, "/")+1:] {
			case "dns-cutover", "verify-dns":
				cutover += took
			case "prepare", "apply", "read-outputs", "wait-healthy":
				apply += took
			}
		}
		d.stop(syscall.SIGTERM, 45*time.Second)
		w.stopHosts()
	}
	n := float64(b.N)
	b.ReportMetric(total.Seconds()/n, "detection-to-dns-s")
	b.ReportMetric(detect.Seconds()/n, "detect-s")
	b.ReportMetric(plan.Seconds()*1000/n, "plan-ms")
	b.ReportMetric(apply.Seconds()*1000/n, "apply-ms")
	b.ReportMetric(cutover.Seconds()*1000/n, "cutover-ms")
}

// transitionTime finds when the daemon logged provider's change to state.
func transitionTime(t testing.TB, log, provider, state string) time.Time {
	t.Helper()
	for _, line := range strings.Split(log, "\n") {
		if !strings.Contains(line, `msg="provider state changed" provider=`+provider+" ") || !strings.Contains(line, " to="+state+" ") {
			continue
		}
		f := strings.Fields(line)
		if len(f) > 0 && strings.HasPrefix(f[0], "time=") {
			at, err := time.Parse(time.RFC3339Nano, strings.TrimPrefix(f[0], "time="))
			if err != nil {
				t.Fatal(err)
			}
			return at
		}
	}
	t.Fatalf("no %s -> %s transition in the daemon's log:\n%s", provider, state, log)
	return time.Time{}
}

// receiver collects the notifications posted to it.
type receiver struct {
	mu     sync.Mutex
	events []map[string]any
	srv    *httptest.Server
}

func newReceiver(t *testing.T) *receiver {
	r := &receiver{}
	r.srv = httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, req *http.Request) {
		var ev map[string]any
		if err := json.NewDecoder(req.Body).Decode(&ev); err == nil {
			r.mu.Lock()
			r.events = append(r.events, ev)
			r.mu.Unlock()
		}
	}))
	t.Cleanup(r.srv.Close)
	return r
}

// names lists the "event" field of each JSON event, or the Slack text.
func (r *receiver) names() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for _, ev := range r.events {
		if name, ok := ev["event"].(string); ok {
			out = append(out, name)
		} else if text, ok := ev["text"].(string); ok {
			out = append(out, "slack: "+text)
		}
	}
	return out
}

// The daemon sends its decisions and provider state changes to the blocks
// that take them, and operations to the blocks that take failovers.
func TestDaemonNotifiesDecisionsAndStates(t *testing.T) {
	t.Parallel()
	decisions, chat := newReceiver(t), newReceiver(t)
	w := newWorld(t, worldOptions{policy: autoPolicy, extra: fmt.Sprintf(`
notify "watch" {
  events = ["decision", "provider_state"]
  webhook {
    url = %q
  }
}
notify "chat" {
  events = ["failover"]
  slack {
    url = %q
  }
}
`, decisions.srv.URL, chat.srv.URL)})
	w.startAlpha()
	w.startDaemon()
	w.waitHealthyIn("alpha")
	w.cutOffAlpha()
	waitFor(t, 90*time.Second, "BIND answers bravo", func() bool { return w.answers(w.bravoIP) })
	waitFor(t, 30*time.Second, "the decision and the state changes delivered", func() bool {
		got := strings.Join(decisions.names(), " ")
		return strings.Contains(got, "decision.acted") && strings.Contains(got, "provider.state_changed")
	})
	for _, name := range decisions.names() {
		if strings.HasPrefix(name, "operation.") {
			t.Fatalf("a decisions-only block got %s", name)
		}
	}
	waitFor(t, 30*time.Second, "Slack got the failover", func() bool {
		got := strings.Join(chat.names(), "\n")
		return strings.Count(got, "slack: ") >= 2
	})
	for _, text := range chat.names() {
		if strings.Contains(text, "is down") || strings.Contains(text, "degraded") {
			t.Fatalf("a failover-only Slack block got a provider state change: %q", text)
		}
	}
}

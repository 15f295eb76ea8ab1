package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/lifeboat-dev/lifeboat/internal/journal"
	"github.com/lifeboat-dev/lifeboat/internal/testharness"
	"github.com/lifeboat-dev/lifeboat/terraform"
)

// These tests run the built lifeboat binary as a subprocess against real
// OpenTofu workspaces (the local example's), real BIND servers and real
// hosts on loopback addresses.
//
// Each world has addresses and ports of its own, so the tests run in
// parallel (t.Parallel), -parallel at a time. Those holding a tight time
// bound (every test of several nodes, whose etcd lease is 2 s, the
// connection cap, the notify bound) are left sequential: they run first,
// alone. Under the race detector a node of a loaded machine can miss its
// lease, and the others would rightly count it as gone.

var (
	buildOnce sync.Once
	builtBin  string
	buildErr  error
)

// lifeboatBinary builds cmd/lifeboat once per test process.
func lifeboatBinary(t testing.TB) string {
	t.Helper()
	testharness.Real(t, "lifeboat binary")
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "lifeboat-e2e-")
		if err != nil {
			buildErr = err
			return
		}
		builtBin = filepath.Join(dir, "lifeboat")
		args := []string{"build", "-tags", "lifeboat_testhooks", "-o", builtBin}
		if os.Getenv("LIFEBOAT_E2E_RACE") != "" {
			args = append(args, "-race") // the subprocesses under the race detector: it exits 66 on a race
		}
		out, err := exec.Command("go", append(args, ".")...).CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return builtBin
}

// world is one failover scenario: two providers with their workspaces,
// one or two BIND servers holding example.test, and the configuration.
type world struct {
	t         testing.TB
	dir       string
	cfg       string
	bin       string
	tofu      *testharness.Tofu
	infra     string
	hostBin   string
	runDir    string
	alphaIP   string
	bravoIP   string
	charlieIP string
	port      int
	dns       []*testharness.BIND
	extraEnv  []string // for every lifeboat run
}

type worldOptions struct {
	dnsServers  int    // default 1
	waitHealthy string // default 30s
	adopt       bool
	charlie     bool   // a third candidate, provider charlie (a copy of bravo's workspace)
	noAddresses bool   // providers list no addresses: they come from the workspaces' outputs
	webhook     bool   // a notify block posting to the URL in $E2E_WEBHOOK
	alphaAPI    string // a provider_api check of alpha asking this URL
	policy      string // more lines for the policy block (the daemon's safeguards)
	extra       string // more top-level HCL (drill blocks)
	service     string // more lines for service "www" (data and backup blocks)
	// records adds zone records, given the world's addresses.
	records func(w *world) []string
}

func newWorld(t testing.TB, o worldOptions) *world {
	t.Helper()
	if o.dnsServers == 0 {
		o.dnsServers = 1
	}
	if o.waitHealthy == "" {
		o.waitHealthy = "30s"
	}
	w := &world{t: t, dir: t.TempDir(), bin: lifeboatBinary(t), tofu: testharness.FindTofu(t)}
	w.infra = testharness.ExampleInfra(t)
	w.hostBin = testharness.BuildLifeboatHost(t)
	w.runDir = filepath.Join(w.dir, "run")
	w.alphaIP, w.bravoIP = testharness.LoopbackIP(t), testharness.LoopbackIP(t)
	w.port = freePortOnBoth(t, w.alphaIP, w.bravoIP)
	t.Cleanup(w.stopHosts)

	var dnsBlocks strings.Builder
	for i := range o.dnsServers {
		records := []string{
			"www IN A " + w.alphaIP,
			`_lifeboat.www IN TXT "heritage=lifeboat,owner=lifeboat/www"`,
		}
		if o.records != nil {
			records = append(records, o.records(w)...)
		}
		b := testharness.StartBIND(t, testharness.BINDOptions{Zone: "example.test.", Records: records})
		w.dns = append(w.dns, b)
		s := b.RFC2136Settings()
		fmt.Fprintf(&dnsBlocks, `
dns "ns%d" {
  type   = "rfc2136"
  zone   = "example.test."
  vendor = "dns-vendor-%d"
  settings = {
    server   = %q
    key_name = %q
    key_alg  = %q
    key      = env("E2E_TSIG_%d")
  }
}
`, i+1, i+1, s["server"], s["key_name"], s["key_alg"], i+1)
	}
	ws := func(name, ip string, port int) string {
		runDir := w.runDir
		if name == "charlie" {
			runDir = filepath.Join(w.runDir, "charlie")
		}
		return fmt.Sprintf(`
  terraform {
    dir = %q
    vars = {
      listen_ip = %q
      port      = "%d"
      host_bin  = env("E2E_HOST_BIN")
      run_dir   = %q
    }
  }`, filepath.Join(w.infra, name), ip, port, runDir)
	}
	addresses := func(ip string) string {
		if o.noAddresses {
			return ""
		}
		return fmt.Sprintf("addresses = [%q]", ip)
	}
	notify := ""
	if o.webhook {
		notify = `
notify "ops" {
  webhook {
    url = env("E2E_WEBHOOK")
  }
}
`
	}
	alphaAPI := ""
	if o.alphaAPI != "" {
		alphaAPI = fmt.Sprintf(`
  check "api" {
    provider_api {
      url = %q
    }
  }`, o.alphaAPI)
	}
	candidates, charlie := `["alpha", "bravo"]`, ""
	if o.charlie {
		w.charlieIP = testharness.LoopbackIP(t)
		if l, err := netListen(w.charlieIP, w.port); err != nil {
			t.Fatalf("port %d not free on %s: %v", w.port, w.charlieIP, err)
		} else {
			l.Close()
		}
		copyDir(t, filepath.Join(w.infra, "bravo"), filepath.Join(w.infra, "charlie"))
		candidates = `["alpha", "bravo", "charlie"]`
		charlie = fmt.Sprintf(`
provider "charlie" {
  vendor    = "charlie-net"
  standby   = "cold"
  addresses = [%q]
%s
}
`, w.charlieIP, ws("charlie", w.charlieIP, w.port))
	}
	cfg := fmt.Sprintf(`
state {
  path = "state/lifeboat.db"
}

terraform {
  binary          = %q
  cli_config_file = %q
  timeout         = "2m"
}
%s
provider "alpha" {
  vendor    = "alpha-hosting"
  %s
%s%s
}

provider "bravo" {
  vendor    = "bravo-cloud"
  standby   = "cold"
  %s
%s
}
%s
service "www" {
  records    = ["www"]
  ttl        = 30
  candidates = %s
  adopt      = %v
  vars = {
    active = "true"
  }
  check "http" {
    http {
      path          = "/healthz"
      port          = %d
      expect_status = [200]
      body_regex    = "alpha|bravo"
    }
  }
%s
}

%s
policy {
  interval     = "1s"
  timeout      = "1s"
  wait_healthy = %q
  verify_dns   = "20s"
%s
}
%s
`, w.tofu.Binary, w.tofu.CLIConfigFile, dnsBlocks.String(),
		addresses(w.alphaIP), ws("alpha", w.alphaIP, w.port), alphaAPI,
		addresses(w.bravoIP), ws("bravo", w.bravoIP, w.port), charlie, candidates,
		o.adopt, w.port, o.service, notify, o.waitHealthy, o.policy, o.extra)
	w.cfg = filepath.Join(w.dir, "lifeboat.hcl")
	if err := os.WriteFile(w.cfg, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	return w
}

func freePortOnBoth(t testing.TB, a, b string) int {
	for range 50 {
		p := testharness.FreePort(t, a)
		if l, err := netListen(b, p); err == nil {
			l.Close()
			return p
		}
	}
	t.Fatalf("no port free on both %s and %s", a, b)
	return 0
}

// env is the environment of every lifeboat subprocess: the TSIG secrets
// come from variables, as a user's would.
func (w *world) env(extra ...string) []string {
	env := append(os.Environ(), w.tofu.Env()...)
	for i, b := range w.dns {
		env = append(env, fmt.Sprintf("E2E_TSIG_%d=%s", i+1, b.Secret))
	}
	// The host binary's path comes from the environment, so the workspace
	// variable is a secret: it must reach tofu but never the journal.
	env = append(env, "E2E_HOST_BIN="+w.hostBin)
	return append(append(env, w.extraEnv...), extra...)
}

type result struct {
	stdout, stderr string
	code           int
	killed         bool
}

func (w *world) lifeboat(extraEnv []string, args ...string) result {
	w.t.Helper()
	return w.lifeboatAt(w.cfg, extraEnv, args...)
}

// lifeboatAt runs lifeboat with another configuration file (another node's).
func (w *world) lifeboatAt(cfg string, extraEnv []string, args ...string) result {
	w.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, w.bin, append([]string{"-c", cfg}, args...)...)
	cmd.Env = w.env(extraEnv...)
	cmd.Stdin = nil
	var out, errb strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &errb
	began := time.Now()
	err := cmd.Run()
	w.t.Logf("lifeboat %s: %s", strings.Join(args, " "), time.Since(began).Round(time.Millisecond))
	r := result{stdout: out.String(), stderr: errb.String()}
	var ee *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &ee):
		r.code = ee.ExitCode()
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() && ws.Signal() == syscall.SIGKILL {
			r.killed = true
		}
	default:
		w.t.Fatalf("run lifeboat %v: %v", args, err)
	}
	return r
}

// startAlpha brings provider alpha's host up through its workspace, as the
// first deployment would, and checks it serves.
func (w *world) startAlpha() { w.t.Helper(); w.startProvider("alpha", w.alphaIP) }

// startProvider applies a provider's workspace with the service's
// variables and checks its host serves.
func (w *world) startProvider(name, ip string) {
	w.t.Helper()
	ws, err := terraform.Open(filepath.Join(w.infra, name), "", terraform.Options{
		Binary: w.tofu.Binary, CLIConfigFile: w.tofu.CLIConfigFile, Timeout: 2 * time.Minute,
	})
	if err != nil {
		w.t.Fatal(err)
	}
	ctx := context.Background()
	if err := ws.Prepare(ctx); err != nil {
		w.t.Fatal(err)
	}
	vars := map[string]string{"active": "true", "listen_ip": ip, "port": strconv.Itoa(w.port), "host_bin": w.hostBin, "run_dir": w.runDir}
	if err := ws.Apply(ctx, vars, nil); err != nil {
		w.t.Fatal(err)
	}
	if got := httpBody(w.t, ip, w.port); got != name {
		w.t.Fatalf("%s serves %q, want %s", name, got, name)
	}
}

// cutOffAlpha makes alpha's host stop answering, as a provider pulling the plug would.
func (w *world) cutOffAlpha() {
	w.t.Helper()
	killPidfile(w.t, filepath.Join(w.runDir, "alpha.pid"))
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		if _, err := http.Get(fmt.Sprintf("http://%s:%d/", w.alphaIP, w.port)); err != nil {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	w.t.Fatal("alpha still answers after being cut off")
}

// stopHosts kills every host the test started, whatever state the workspaces are in.
func (w *world) stopHosts() {
	pids, _ := filepath.Glob(filepath.Join(w.runDir, "*.pid"))
	more, _ := filepath.Glob(filepath.Join(w.runDir, "*", "*.pid"))
	for _, p := range append(pids, more...) {
		killPidfile(w.t, p)
	}
}

func killPidfile(t testing.TB, path string) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(raw)))
	if err != nil || pid <= 1 {
		return
	}
	_ = syscall.Kill(pid, syscall.SIGKILL)
	_ = os.Remove(path)
}

func httpBody(t testing.TB, ip string, port int) string {
	t.Helper()
	_, body, err := testharness.HTTPGet(fmt.Sprintf("http://%s:%d/", ip, port))
	if err != nil {
		t.Fatalf("GET %s:%d: %v", ip, port, err)
	}
	return strings.TrimSpace(body)
}

func (w *world) history() []journal.Operation {
	w.t.Helper()
	return w.historyAt(w.cfg)
}

// historyAt reads the history through another configuration (a node's).
func (w *world) historyAt(cfg string) []journal.Operation {
	w.t.Helper()
	r := w.lifeboatAt(cfg, nil, "history", "-o", "json", "--limit", "0")
	if r.code != 0 {
		w.t.Fatalf("history: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	var doc struct {
		Operations []journal.Operation `json:"operations"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
		w.t.Fatalf("history JSON: %v\n%s", err, r.stdout)
	}
	return doc.Operations
}

func wantA(t testing.TB, b *testharness.BIND, want string) {
	t.Helper()
	b.WantAnswer(t, "www.example.test.", "A", want)
	if t.Failed() {
		t.FailNow()
	}
}

func TestFailoverEndToEnd(t *testing.T) {
	hooks := make(chan []byte, 4)
	hook := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		hooks <- b
	}))
	defer hook.Close()
	w := newWorld(t, worldOptions{webhook: true})
	w.startAlpha()
	wantA(t, w.dns[0], w.alphaIP)
	w.cutOffAlpha()

	w.extraEnv = []string{"E2E_WEBHOOK=" + hook.URL + "/hook/s3cret-token"}

	// prepare initialises bravo's workspace ahead of the emergency, once.
	prepared := func() map[string]bool {
		r := w.lifeboat(nil, "prepare", "-o", "json")
		var doc struct {
			Workspaces []struct {
				Provider string
				Already  bool `json:"already_prepared"`
				Error    string
			}
		}
		if r.code != 0 || json.Unmarshal([]byte(r.stdout), &doc) != nil || len(doc.Workspaces) != 2 {
			t.Fatalf("prepare: exit %d\n%s%s", r.code, r.stdout, r.stderr)
		}
		out := map[string]bool{}
		for _, ws := range doc.Workspaces {
			out[ws.Provider] = ws.Already
		}
		return out
	}
	if got := prepared(); got["bravo"] {
		t.Fatalf("bravo was prepared before anything ran: %v", got)
	}
	if got := prepared(); !got["alpha"] || !got["bravo"] {
		t.Fatalf("a second prepare found work to do: %v", got)
	}

	r := w.lifeboat(nil, "failover", "--from", "alpha", "--yes")
	if r.code != 0 {
		t.Fatalf("failover: exit %d\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
	}
	if strings.Contains(r.stdout+r.stderr, "s3cret-token") || strings.Contains(r.stdout+r.stderr, w.dns[0].Secret) {
		t.Fatal("a secret (webhook URL or TSIG key) appears in the output")
	}
	for _, want := range []string{"www/bravo/apply", "www/bravo/dns-cutover", "moved from alpha to bravo", "alpha was left as it is"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("failover output lacks %q:\n%s", want, r.stdout)
		}
	}
	wantA(t, w.dns[0], w.bravoIP)
	if got := httpBody(t, w.bravoIP, w.port); got != "bravo" {
		t.Fatalf("bravo serves %q", got)
	}
	// operation.started, then operation.succeeded with the timeline.
	var events []string
	for len(events) < 2 {
		select {
		case b := <-hooks:
			var n struct {
				Event, Service string
				Details        struct {
					From, To  string
					Addresses []string
					Timeline  []journal.Step
				}
			}
			if err := json.Unmarshal(b, &n); err != nil || n.Service != "www" {
				t.Fatalf("webhook got %v: %s", err, b)
			}
			events = append(events, n.Event)
			if n.Event == "operation.succeeded" && (n.Details.From != "alpha" || n.Details.To != "bravo" ||
				!slices.Equal(n.Details.Addresses, []string{w.bravoIP}) || len(n.Details.Timeline) < 6) {
				t.Fatalf("webhook got %s", b)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("the webhook got only %v", events)
		}
	}
	if events[0] != "operation.started" || events[1] != "operation.succeeded" {
		t.Fatalf("webhook events %v, want started then succeeded", events)
	}

	ops := w.history()
	if len(ops) != 1 {
		t.Fatalf("history has %d operations, want 1", len(ops))
	}
	op := ops[0]
	if op.Status != journal.StatusSucceeded || op.To != "bravo" || op.From != "alpha" {
		t.Fatalf("operation: status %s, %s -> %s", op.Status, op.From, op.To)
	}
	var kinds []string
	for _, s := range op.Steps {
		kinds = append(kinds, s.ID)
	}
	wantSteps := []string{"www/bravo/prepare", "www/bravo/apply", "www/bravo/read-outputs", "www/bravo/wait-healthy",
		"www/bravo/dns-cutover", "www/bravo/verify-dns", "www/bravo/notify"}
	if !slices.Equal(kinds, wantSteps) {
		t.Fatalf("steps %v, want %v", kinds, wantSteps)
	}
	raw := w.lifeboat(nil, "history", "-o", "json")
	if strings.Contains(raw.stdout, w.hostBin) || !strings.Contains(raw.stdout, `"host_bin": "(secret)"`) {
		t.Fatalf("the journal holds the secret variable's value, or no placeholder:\n%s", raw.stdout)
	}
	text := w.lifeboat(nil, "history")
	if !strings.Contains(text.stdout, "www/bravo/verify-dns") {
		t.Fatalf("history text lacks the steps:\n%s", text.stdout)
	}

	// A second failover is already done: the service is on bravo now. It
	// succeeds and changes nothing.
	again := w.lifeboat(nil, "failover", "--from", "alpha", "--yes")
	if again.code != 0 || !strings.Contains(again.stdout, "Already done") || len(w.history()) != 1 {
		t.Fatalf("second failover: exit %d\n%s%s", again.code, again.stdout, again.stderr)
	}
}

// With no addresses in the configuration, status finds the primary's hosts
// in its workspace's outputs, and a failover reads the standby's.
func TestAddressesFromWorkspaceOutputs(t *testing.T) {
	w := newWorld(t, worldOptions{noAddresses: true})
	w.startAlpha()
	doc := w.status()
	if doc.Providers[0].Name != "alpha" || doc.Providers[0].State != "healthy" || len(doc.Providers[0].Checks) != 1 ||
		!strings.Contains(doc.Providers[0].Checks[0].Target, w.alphaIP) {
		t.Fatalf("alpha in status: %+v", doc.Providers[0])
	}
	w.cutOffAlpha()
	if r := w.lifeboat(nil, "failover", "--from", "alpha", "--yes"); r.code != 0 {
		t.Fatalf("failover: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	wantA(t, w.dns[0], w.bravoIP)
	doc = w.status()
	if doc.Services[0].Placement != "bravo" || !slices.Equal(doc.Services[0].Addresses, []string{w.bravoIP}) {
		t.Fatalf("service after failover: %+v", doc.Services[0])
	}
	for _, p := range doc.Providers {
		if p.Name == "bravo" && p.State != "healthy" {
			t.Fatalf("bravo after failover: %+v", p)
		}
	}
}

type statusJSON struct {
	Providers []struct {
		Name, State string
		Checks      []struct {
			Target string
			OK     bool
		}
	}
	Services []struct {
		Name, Placement, Source string
		Addresses               []string
	}
}

func (w *world) status() statusJSON {
	w.t.Helper()
	r := w.lifeboat(nil, "status", "-o", "json")
	var doc statusJSON
	if r.code != 0 || json.Unmarshal([]byte(r.stdout), &doc) != nil || len(doc.Providers) == 0 || len(doc.Services) == 0 {
		w.t.Fatalf("status: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	return doc
}

// After a failover, failback moves the service to its preferred provider
// once that provider is back, and leaves the standby running.
func TestFailback(t *testing.T) {
	w := newWorld(t, worldOptions{waitHealthy: "4s"})
	w.startAlpha()
	w.cutOffAlpha()
	if r := w.lifeboat(nil, "failover", "--from", "alpha", "--yes"); r.code != 0 {
		t.Fatalf("failover: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	wantA(t, w.dns[0], w.bravoIP)

	// alpha's host is still dead: failback brings its workspace up, but
	// wait-healthy rejects it and DNS stays at bravo.
	r := w.lifeboat(nil, "failback", "--yes")
	if r.code != 1 || !strings.Contains(r.stdout+r.stderr, "did not become healthy") {
		t.Fatalf("failback to a dead alpha: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	wantA(t, w.dns[0], w.bravoIP)

	// The provider restores the account: alpha's host answers again.
	host := exec.Command(w.hostBin, "-listen", fmt.Sprintf("%s:%d", w.alphaIP, w.port), "-body", "alpha",
		"-pidfile", filepath.Join(w.runDir, "alpha.pid"))
	if err := host.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = host.Process.Kill(); _, _ = host.Process.Wait() })
	waitServing(t, w.alphaIP, w.port)

	r = w.lifeboat(nil, "failback", "--yes")
	if r.code != 0 || !strings.Contains(r.stdout, "moved from bravo to alpha") {
		t.Fatalf("failback: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	wantA(t, w.dns[0], w.alphaIP)
	if got := httpBody(t, w.bravoIP, w.port); got != "bravo" {
		t.Fatalf("bravo was not left running: %q", got)
	}
	ops := w.history()
	if len(ops) != 3 || ops[0].Kind != "failback" || ops[0].Status != journal.StatusSucceeded || ops[1].Status != journal.StatusFailed {
		t.Fatalf("history: %+v", ops)
	}
}

func waitServing(t testing.TB, ip string, port int) {
	t.Helper()
	c := &http.Client{Timeout: time.Second}
	for range 100 {
		if resp, err := c.Get(fmt.Sprintf("http://%s:%d/", ip, port)); err == nil {
			resp.Body.Close()
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("%s:%d does not answer", ip, port)
}

// plan changes nothing; failover without --yes refuses off a terminal, and
// on one asks and goes ahead only on "yes".
func TestPlanAndFailoverWithoutYes(t *testing.T) {
	w := newWorld(t, worldOptions{})
	w.startAlpha()
	w.cutOffAlpha()
	// plan shows the move and changes nothing.
	p := w.lifeboat(nil, "plan", "--from", "alpha", "-o", "json")
	var plan struct {
		Services []struct {
			Service, Action, From, To string
			Steps                     []struct{ ID string }
		}
	}
	if p.code != 0 || json.Unmarshal([]byte(p.stdout), &plan) != nil || len(plan.Services) != 1 {
		t.Fatalf("plan: exit %d\n%s%s", p.code, p.stdout, p.stderr)
	}
	if sp := plan.Services[0]; sp.Action != "move" || sp.From != "alpha" || sp.To != "bravo" || len(sp.Steps) != 7 {
		t.Fatalf("plan: %+v", sp)
	}
	if p := w.lifeboat(nil, "plan", "--from", "alpha"); p.code != 0 || !strings.Contains(p.stdout, "www: MOVE alpha -> bravo") {
		t.Fatalf("plan text: exit %d\n%s%s", p.code, p.stdout, p.stderr)
	}
	if p := w.lifeboat(nil, "plan", "--to", "nowhere"); p.code != 2 {
		t.Fatalf("plan to an unknown provider: exit %d\n%s%s", p.code, p.stdout, p.stderr)
	}

	r := w.lifeboat(nil, "failover", "--from", "alpha")
	if r.code != 2 || !strings.Contains(r.stderr, "without --yes") {
		t.Fatalf("exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}

	// On a terminal it asks, and anything but "yes" changes nothing.
	// script(1) gives the command a real pseudo-terminal.
	script, err := exec.LookPath("script")
	if err != nil {
		t.Fatalf("script(1) from util-linux is needed to test the terminal prompt: %v", err)
	}
	onTerminal := func(answer string) result {
		cmd := exec.Command(script, "-qec", strings.Join([]string{w.bin, "-c", w.cfg, "failover", "--from", "alpha"}, " "), "/dev/null")
		cmd.Env = w.env()
		cmd.Stdin = strings.NewReader(answer + "\n")
		out, err := cmd.CombinedOutput()
		r := result{stdout: string(out)}
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			r.code = ee.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		return r
	}
	if r := onTerminal("no"); r.code != 1 || !strings.Contains(r.stdout, "Proceed with this failover?") || !strings.Contains(r.stdout, "cancelled: nothing was changed") {
		t.Fatalf("answered no: exit %d\n%s", r.code, r.stdout)
	}
	wantA(t, w.dns[0], w.alphaIP)
	if r := onTerminal("yes"); r.code != 0 || !strings.Contains(r.stdout, "moved from alpha to bravo") {
		t.Fatalf("answered yes: exit %d\n%s", r.code, r.stdout)
	}
	wantA(t, w.dns[0], w.bravoIP)
	ops := w.history()
	if len(ops) != 1 {
		t.Fatalf("want the one confirmed operation, got %+v", ops)
	}
	// The IDs plan printed are the IDs history shows.
	var planned, journaled []string
	for _, st := range plan.Services[0].Steps {
		planned = append(planned, st.ID)
	}
	for _, st := range ops[0].Steps {
		journaled = append(journaled, st.ID)
	}
	if !slices.Equal(planned, journaled) {
		t.Fatalf("plan's step IDs %v, history's %v", planned, journaled)
	}
}

func TestFailoverStandbyNeverHealthy(t *testing.T) {
	// bravo's host listens on another port than the one its checks use.
	w := newWorld(t, worldOptions{waitHealthy: "4s"})
	wrong := freePortOnBoth(t, w.alphaIP, w.bravoIP)
	w = rewriteBravoPort(t, w, wrong)
	w.startAlpha()
	w.cutOffAlpha()

	r := w.lifeboat(nil, "failover", "--from", "alpha", "--yes")
	if r.code != 1 {
		t.Fatalf("failover: exit %d, want 1\n%s%s", r.code, r.stdout, r.stderr)
	}
	all := r.stdout + r.stderr
	for _, want := range []string{`check "http"`, "did not become healthy", "refused"} {
		if !strings.Contains(all, want) {
			t.Errorf("output lacks %q:\n%s", want, all)
		}
	}
	wantA(t, w.dns[0], w.alphaIP)
	ops := w.history()
	if len(ops) != 1 || ops[0].Status != journal.StatusFailed {
		t.Fatalf("history: %+v", ops)
	}
	for _, s := range ops[0].Steps {
		if strings.HasSuffix(s.ID, "/dns-cutover") {
			t.Fatalf("DNS step ran: %+v", s)
		}
	}
}

// rewriteBravoPort points bravo's workspace at another port in the configuration.
func rewriteBravoPort(t testing.TB, w *world, port int) *world {
	raw, err := os.ReadFile(w.cfg)
	if err != nil {
		t.Fatal(err)
	}
	s := string(raw)
	i := strings.Index(s, `provider "bravo"`)
	old := fmt.Sprintf(`port      = "%d"`, w.port)
	s = s[:i] + strings.Replace(s[i:], old, fmt.Sprintf(`port      = "%d"`, port), 1)
	if err := os.WriteFile(w.cfg, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
	return w
}

// A target that never passes its checks is rejected and the next
// candidate is brought up instead, within the same operation.
func TestFailoverTriesNextCandidate(t *testing.T) {
	w := newWorld(t, worldOptions{waitHealthy: "4s", charlie: true})
	rewriteBravoPort(t, w, freePortOnBoth(t, w.alphaIP, w.bravoIP))
	w.startAlpha()
	w.cutOffAlpha()

	r := w.lifeboat(nil, "failover", "--from", "alpha", "--yes")
	if r.code != 0 {
		t.Fatalf("failover: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if !strings.Contains(r.stdout, "bravo was tried and rejected") || !strings.Contains(r.stdout, "moved from alpha to charlie") {
		t.Fatalf("output:\n%s", r.stdout)
	}
	wantA(t, w.dns[0], w.charlieIP)
	ops := w.history()
	if len(ops) != 1 || ops[0].Status != journal.StatusSucceeded {
		t.Fatalf("want one succeeded operation, got %+v", ops)
	}
	var ids []string
	for _, s := range ops[0].Steps {
		ids = append(ids, s.ID)
	}
	for _, want := range []string{"www/bravo/wait-healthy", "www/target", "www/charlie/dns-cutover"} {
		if !slices.Contains(ids, want) {
			t.Errorf("timeline lacks %s: %v", want, ids)
		}
	}
	if slices.Contains(ids, "www/bravo/dns-cutover") {
		t.Errorf("DNS was cut over to the unhealthy bravo: %v", ids)
	}
}

func copyDir(t testing.TB, from, to string) {
	t.Helper()
	if err := os.CopyFS(to, os.DirFS(from)); err != nil {
		t.Fatal(err)
	}
}

func TestFailoverOneDNSServerDown(t *testing.T) {
	w := newWorld(t, worldOptions{dnsServers: 2})
	w.startAlpha()
	w.cutOffAlpha()
	w.dns[1].Stop()

	r := w.lifeboat(nil, "failover", "--from", "alpha", "--yes")
	if r.code != 1 {
		t.Fatalf("failover: exit %d, want 1\n%s%s", r.code, r.stdout, r.stderr)
	}
	all := r.stdout + r.stderr
	if !strings.Contains(all, "DNS provider ns2 was not updated") || !strings.Contains(all, "lifeboat resume") {
		t.Fatalf("output does not say ns2 failed and how to retry:\n%s", all)
	}
	wantA(t, w.dns[0], w.bravoIP)
	if strings.Contains(all, w.dns[1].Secret) {
		t.Fatal("the TSIG secret appears in the output")
	}

	w.dns[1].Restart(t)
	wantA(t, w.dns[1], w.alphaIP) // still the old answer until the retry
	r = w.lifeboat(nil, "resume")
	if r.code != 0 {
		t.Fatalf("resume: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	wantA(t, w.dns[0], w.bravoIP)
	wantA(t, w.dns[1], w.bravoIP)
	ops := w.history()
	if len(ops) != 1 || ops[0].Status != journal.StatusSucceeded {
		t.Fatalf("want one succeeded operation, got %+v", ops)
	}
}

// TestFailoverCrashAtEveryStep kills the failover with SIGKILL right after
// each journal write of each step (the boundaries come from a reference
// run's journal), then runs it again and checks it converges into one
// operation.
func TestFailoverCrashAtEveryStep(t *testing.T) {
	ref := newWorld(t, worldOptions{})
	ref.startAlpha()
	ref.cutOffAlpha()
	if r := ref.lifeboat(nil, "failover", "--from", "alpha", "--yes"); r.code != 0 {
		t.Fatalf("reference failover: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	ops := ref.history()
	if len(ops) != 1 {
		t.Fatalf("reference run: %d operations", len(ops))
	}
	var points []string
	for _, s := range ops[0].Steps {
		points = append(points, s.ID+":started", s.ID+":finished")
	}
	ref.stopHosts()

	for _, point := range points {
		t.Run(strings.ReplaceAll(point, "/", "_"), func(t *testing.T) {
			t.Parallel() // a world of its own
			w := newWorld(t, worldOptions{})
			w.startAlpha()
			w.cutOffAlpha()
			r := w.lifeboat([]string{"LIFEBOAT_TEST_KILL_AT=" + point}, "failover", "--from", "alpha", "--yes")
			if !r.killed {
				t.Fatalf("the process was not killed at %s: exit %d\n%s%s", point, r.code, r.stdout, r.stderr)
			}
			r = w.lifeboat(nil, "failover", "--from", "alpha", "--yes")
			if r.code != 0 {
				t.Fatalf("run after the crash: exit %d\n%s%s", r.code, r.stdout, r.stderr)
			}
			if !strings.Contains(r.stderr, "resuming it first") {
				t.Fatalf("the second run did not resume:\n%s", r.stderr)
			}
			wantA(t, w.dns[0], w.bravoIP)
			if got := httpBody(t, w.bravoIP, w.port); got != "bravo" {
				t.Fatalf("bravo serves %q", got)
			}
			ops := w.history()
			if len(ops) != 1 || ops[0].Status != journal.StatusSucceeded || ops[0].To != "bravo" {
				t.Fatalf("want one succeeded operation to bravo, got %d: %+v", len(ops), ops)
			}
			doc := w.status()
			if doc.Services[0].Placement != "bravo" || doc.Services[0].Source != "journal" {
				t.Fatalf("placement after resume: %+v", doc.Services[0])
			}
		})
	}
}

func netListen(ip string, port int) (net.Listener, error) {
	return net.Listen("tcp", net.JoinHostPort(ip, strconv.Itoa(port)))
}

// BenchmarkFailover measures a whole failover on the real parts: the time
// from the start of `lifeboat failover` to the DNS answer changing, split by
// step; lifeboat's own wall time (everything outside the steps, which wait
// on tofu, DNS servers and checks) and its own CPU time (without children),
// each also as a share of the whole.
func BenchmarkFailover(b *testing.B) {
	var wall, cpu, inSteps time.Duration
	steps := map[string]time.Duration{}
	for range b.N {
		b.StopTimer()
		w := newWorld(b, worldOptions{})
		w.startAlpha()
		w.cutOffAlpha()
		b.StartTimer()
		r := w.lifeboat(nil, "failover", "--from", "alpha", "--yes", "-o", "json")
		b.StopTimer()
		if r.code != 0 {
			b.Fatalf("failover: exit %d\n%s%s", r.code, r.stdout, r.stderr)
		}
		var doc struct {
			Process struct {
				CPU  float64 `json:"cpu_seconds"`
				Wall float64 `json:"wall_seconds"`
			} `json:"process"`
		}
		if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
			b.Fatal(err)
		}
		wall += time.Duration(doc.Process.Wall * float64(time.Second))
		cpu += time.Duration(doc.Process.CPU * float64(time.Second))
		for _, s := range w.history()[0].Steps {
			kind := s.ID[strings.LastIndex(s.ID, "/")+1:]
			steps[kind] += s.Finished.Sub(s.Started)
			inSteps += s.Finished.Sub(s.Started)
		}
		w.stopHosts()
	}
	n := float64(b.N)
	b.ReportMetric(wall.Seconds()/n, "wall-s/op")
	b.ReportMetric(cpu.Seconds()*1000/n, "lifeboat-cpu-ms/op")
	b.ReportMetric(100*cpu.Seconds()/wall.Seconds(), "lifeboat-cpu-%")
	b.ReportMetric((wall-inSteps).Seconds()*1000/n, "lifeboat-own-wall-ms/op")
	b.ReportMetric(100*(wall-inSteps).Seconds()/wall.Seconds(), "lifeboat-own-wall-%")
	for k, d := range steps {
		b.ReportMetric(d.Seconds()*1000/n, k+"-ms/op")
	}
}

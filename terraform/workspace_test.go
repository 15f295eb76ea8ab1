package terraform

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io/fs"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lifeboat-dev/lifeboat/internal/testharness"
)

// These tests run the real OpenTofu against testdata/basic, which uses only
// the builtin terraform_data resource (no providers, fully offline).

// openTofu copies testdata/basic into a fresh directory and opens it.
func openTofu(t *testing.T, name string, opts Options) *Workspace {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "infra")
	copyModule(t, "testdata/basic", dir)
	return openTofuDir(t, dir, name, opts)
}

func openTofuDir(t *testing.T, dir, name string, opts Options) *Workspace {
	t.Helper()
	tofu := testharness.FindTofu(t)
	opts.Binary = tofu.Binary
	opts.CLIConfigFile = tofu.CLIConfigFile
	opts.Logger = slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelDebug}))
	if opts.VarDir == "" {
		opts.VarDir = filepath.Join(t.TempDir(), "state", VarDirName)
	}
	w, err := Open(dir, name, opts)
	if err != nil {
		t.Fatal(err)
	}
	// Whatever the test did, no variable file may outlive its command.
	t.Cleanup(func() { assertNoVarFiles(t, opts.VarDir) })
	return w
}

// openSame opens w's directory again with w's options, as a second
// lifeboat process would.
func openSame(t *testing.T, w *Workspace, name string) *Workspace {
	t.Helper()
	w2, err := Open(w.Dir(), name, w.opts)
	if err != nil {
		t.Fatal(err)
	}
	return w2
}

func copyModule(t *testing.T, from, to string) {
	t.Helper()
	if err := os.MkdirAll(to, 0o755); err != nil {
		t.Fatal(err)
	}
	ents, err := os.ReadDir(from)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		b, err := os.ReadFile(filepath.Join(from, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(to, e.Name()), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func TestTofuPrepare(t *testing.T) {
	w := openTofu(t, "staging", Options{})
	ctx := t.Context()
	if w.Prepared() {
		t.Fatal("Prepared before Prepare")
	}
	start := time.Now()
	if err := w.Prepare(ctx); err != nil {
		t.Fatal(err)
	}
	cold := time.Since(start)
	if !w.Prepared() {
		t.Fatal("not Prepared after Prepare")
	}
	start = time.Now()
	if err := w.Prepare(ctx); err != nil {
		t.Fatal(err)
	}
	warm := time.Since(start)
	t.Logf("Prepare: cold %v (init, workspace new), warm %v", cold, warm)
	if warm > cold/2 || warm > 100*time.Millisecond {
		t.Errorf("second Prepare took %v (first %v): it should run no command", warm, cold)
	}
	if got := w.currentWorkspace(); got != "staging" {
		t.Errorf("selected workspace %q, want staging", got)
	}

	// Another Workspace value on the same directory with another name
	// selects its own workspace before running anything.
	w2 := openSame(t, w, "default")
	if w2.Prepared() {
		t.Error("default workspace reported prepared while staging is selected")
	}
	if err := w2.Apply(ctx, map[string]string{"active": "true"}, nil); err != nil {
		t.Fatal(err)
	}
	if got := w.currentWorkspace(); got != "default" {
		t.Errorf("selected workspace %q, want default", got)
	}
	if w.Prepared() {
		t.Error("staging reported prepared while default is selected")
	}
	// staging's state is separate: nothing applied there, so no outputs.
	if addrs, err := w.Addresses(ctx, "addresses"); !errors.Is(err, ErrNoOutput) {
		t.Errorf("staging addresses %v, %v; want ErrNoOutput", addrs, err)
	}
	if got := w.currentWorkspace(); got != "staging" {
		t.Errorf("selected workspace %q, want staging", got)
	}
}

func TestTofuPlanApplyOutputs(t *testing.T) {
	w := openTofu(t, "", Options{})
	ctx := t.Context()
	vars := map[string]string{"active": "true", "hosts": "2", "size": "large"}

	planFile := filepath.Join(t.TempDir(), "up.tfplan")
	changes, err := w.Plan(ctx, vars, planFile)
	if err != nil {
		t.Fatal(err)
	}
	if !changes {
		t.Error("plan of a fresh workspace has no changes")
	}
	assertNoVarFiles(t, w.opts.VarDir)
	if fi, err := os.Stat(planFile); err != nil || fi.Size() == 0 {
		t.Fatalf("plan file: %v", err)
	}

	var mu sync.Mutex
	var events []Event
	start := time.Now()
	err = w.Apply(ctx, vars, func(e Event) {
		mu.Lock()
		events = append(events, e)
		mu.Unlock()
	})
	if err != nil {
		t.Fatal(err)
	}
	assertNoVarFiles(t, w.opts.VarDir)
	t.Logf("apply took %v, %d events", time.Since(start), len(events))
	var started, completed []string
	for _, e := range events {
		switch e.Type {
		case "apply_start":
			started = append(started, e.Resource+" "+e.Action)
		case "apply_complete":
			completed = append(completed, e.Resource+" "+e.Action)
		}
	}
	slices.Sort(started)
	slices.Sort(completed)
	want := []string{"terraform_data.host[0] create", "terraform_data.host[1] create"}
	if !slices.Equal(started, want) || !slices.Equal(completed, want) {
		t.Errorf("progress: started %q, completed %q; want %q for both", started, completed, want)
	}
	if !slices.ContainsFunc(events, func(e Event) bool { return e.Type == "change_summary" }) {
		t.Error("no change_summary event")
	}

	addrs, err := w.Addresses(ctx, "addresses")
	if err != nil || !slices.Equal(addrs, []string{"127.0.0.10", "127.0.0.11"}) {
		t.Errorf("Addresses(addresses) = %v, %v", addrs, err)
	}
	addrs, err = w.Addresses(ctx, "primary")
	if err != nil || !slices.Equal(addrs, []string{"127.0.0.10"}) {
		t.Errorf("Addresses(primary) = %v, %v", addrs, err)
	}
	if _, err := w.Addresses(ctx, "web_ipv4"); !errors.Is(err, ErrNoOutput) {
		t.Errorf("Addresses(web_ipv4) error %v, want ErrNoOutput", err)
	}
	outs, err := w.Outputs(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var size string
	if err := json.Unmarshal(outs["size"], &size); err != nil || size != "large" {
		t.Errorf("output size = %s (%v), want large", outs["size"], err)
	}

	changes, err = w.Plan(ctx, vars, planFile)
	if err != nil || changes {
		t.Errorf("plan after apply: changes %v, err %v; want no changes", changes, err)
	}

	// Plan the scale-down to a file and apply exactly that plan.
	changes, err = w.Plan(ctx, map[string]string{"active": "false"}, planFile)
	if err != nil || !changes {
		t.Fatalf("plan scale-down: changes %v, err %v", changes, err)
	}
	if err := w.ApplyPlan(ctx, planFile, nil); err != nil {
		t.Fatal(err)
	}
	addrs, err = w.Addresses(ctx, "addresses")
	if err != nil || len(addrs) != 0 {
		t.Errorf("Addresses(addresses) after scale-down = %v, %v; want none", addrs, err)
	}
	// The CLI leaves null outputs out altogether.
	if addrs, err := w.Addresses(ctx, "primary"); !errors.Is(err, ErrNoOutput) {
		t.Errorf("Addresses(primary) after scale-down = %v, %v; want ErrNoOutput (null)", addrs, err)
	}
}

func TestTofuApplyFailureRedactsSecrets(t *testing.T) {
	w := openTofu(t, "", Options{})
	const secret = "s3cr3t-token-value"
	var msgs []string
	err := w.Apply(t.Context(), map[string]string{"fail": "true", "token": secret}, func(e Event) {
		msgs = append(msgs, e.Message)
	})
	if err == nil {
		t.Fatal("apply with a failing provisioner succeeded")
	}
	t.Logf("error:\n%v", err)
	var te *Error
	if !errors.As(err, &te) || te.Op != "apply" || te.Binary != "tofu" {
		t.Fatalf("error %T %v, want *Error for tofu apply", err, err)
	}
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 1 {
		t.Errorf("error does not wrap the exit status: %v", err)
	}
	text := err.Error()
	for _, want := range []string{"tofu apply", "local-exec provisioner error", "exit status 3", "token=<hidden>"} {
		if !strings.Contains(text, want) {
			t.Errorf("error lacks %q", want)
		}
	}
	if strings.Contains(text, secret) {
		t.Error("error contains the secret variable value")
	}
	assertNoVarFiles(t, w.opts.VarDir)
	if len(msgs) == 0 {
		t.Error("no progress events")
	}
	for _, m := range msgs {
		if strings.Contains(m, secret) {
			t.Errorf("progress event contains the secret: %q", m)
		}
	}
}

func TestTofuTimeout(t *testing.T) {
	w := openTofu(t, "", Options{Timeout: 2 * time.Second, KillAfter: 10 * time.Second})
	ctx := t.Context()
	if err := w.Prepare(ctx); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	err := w.Apply(ctx, map[string]string{"active": "true", "pause": "30"}, nil)
	took := time.Since(start)
	t.Logf("apply stopped after %v: %v", took, err)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("error %v, want one wrapping context.DeadlineExceeded", err)
	}
	// tofu stops the provisioner on SIGINT; had it not, the kill after
	// KillAfter would show here as 12 s.
	if took > 8*time.Second {
		t.Errorf("apply took %v to stop after a 2s timeout", took)
	}
	if !strings.Contains(err.Error(), "deadline exceeded") {
		t.Errorf("error text %q does not say it timed out", err)
	}
	assertNoVarFiles(t, w.opts.VarDir)
}

func TestTofuCancelLeavesNoVarFile(t *testing.T) {
	w := openTofu(t, "", Options{KillAfter: 10 * time.Second})
	if err := w.Prepare(t.Context()); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	log := filepath.Join(t.TempDir(), "runs.log")
	done := make(chan error, 1)
	go func() {
		done <- w.Apply(ctx, map[string]string{"active": "true", "pause": "30", "log": log, "token": "hunter22-secret"}, nil)
	}()
	// Cancel once the provisioner runs.
	deadline := time.Now().Add(20 * time.Second)
	for {
		if b, _ := os.ReadFile(log); strings.Contains(string(b), "start") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the provisioner did not start within 20s")
		}
		time.Sleep(20 * time.Millisecond)
	}
	assertNoVarFiles(t, w.opts.VarDir)
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("error %v, want context.Canceled only", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("apply did not stop within 20s of cancel")
	}
	assertNoVarFiles(t, w.opts.VarDir)
}

func TestTofuConcurrentAppliesSerialize(t *testing.T) {
	w := openTofu(t, "", Options{})
	log := filepath.Join(t.TempDir(), "runs.log")
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i, tag := range []string{"A", "B"} {
		wg.Go(func() {
			errs[i] = w.Apply(t.Context(), map[string]string{"active": "true", "tag": tag, "log": log, "pause": "1"}, nil)
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	b, err := os.ReadFile(log)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Fields(strings.ReplaceAll(string(b), "\n", " "))
	// Each run writes "start X" then "end X"; overlap would interleave them.
	if len(lines) != 8 || lines[0] != "start" || lines[2] != "end" || lines[1] != lines[3] ||
		lines[4] != "start" || lines[6] != "end" || lines[5] != lines[7] || lines[1] == lines[5] {
		t.Errorf("runs overlapped or missing:\n%s", b)
	}
}

func TestTofuLockAcrossWorkspacesAndProcesses(t *testing.T) {
	w1 := openTofu(t, "", Options{})
	w2 := openSame(t, w1, "")
	ctx := t.Context()
	if err := w1.Prepare(ctx); err != nil {
		t.Fatal(err)
	}

	// Two Workspace values on one directory: the flock keeps them apart.
	unlock, err := w1.lock(ctx)
	if err != nil {
		t.Fatal(err)
	}
	short, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
	_, err = w2.Outputs(short)
	cancel()
	if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "held by another command") {
		t.Errorf("Outputs while locked: %v, want a lock wait ending in context.DeadlineExceeded", err)
	}
	unlock()
	if _, err := w2.Outputs(ctx); err != nil {
		t.Fatalf("Outputs after unlock: %v", err)
	}

	// Another process holding the lock file (flock(1), the same lock
	// another lifeboat process takes) delays us until it lets go.
	flockBin, err := exec.LookPath("flock")
	if err != nil {
		t.Logf("flock(1) not installed: cross-process part not run")
		return
	}
	lockFile := filepath.Join(w1.Dir(), ".terraform", lockFileName)
	holder := exec.Command(flockBin, lockFile, "-c", "echo locked; sleep 1")
	out, err := holder.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := holder.Start(); err != nil {
		t.Fatal(err)
	}
	defer holder.Wait()
	buf := make([]byte, 7)
	if _, err := out.Read(buf); err != nil { // "locked": the other process holds it now
		t.Fatal(err)
	}
	start := time.Now()
	if _, err := w2.Outputs(ctx); err != nil {
		t.Fatal(err)
	}
	if waited := time.Since(start); waited < 700*time.Millisecond {
		t.Errorf("Outputs returned after %v while another process held the lock for 1s", waited)
	}
}

func TestTofuPlanFailureCarriesStderr(t *testing.T) {
	w := openTofu(t, "", Options{})
	const secret = "not-a-number-but-secret"
	_, err := w.Plan(t.Context(), map[string]string{"hosts": secret}, filepath.Join(t.TempDir(), "p.tfplan"))
	var te *Error
	if !errors.As(err, &te) || te.Op != "plan" {
		t.Fatalf("error %v, want *Error for plan", err)
	}
	t.Logf("error:\n%v", err)
	for _, want := range []string{"Invalid value for input variable", "var.hosts", "TF_VAR_hosts"} {
		if !strings.Contains(te.Output, want) {
			t.Errorf("error lacks %q from the CLI's stderr: %q", want, te.Output)
		}
	}
	if strings.Contains(err.Error(), secret) {
		t.Error("error contains the variable value")
	}
	assertNoVarFiles(t, w.opts.VarDir)
}

// A secret variable reaches the workspace's command, a list variable is
// parsed as one, and no file holds the secret: not in the workspace, the
// temporary directory or the variable directory, neither while the apply
// runs (the provisioner searches them) nor after.
func TestTofuVariablesNeverOnDisk(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	dir := filepath.Join(t.TempDir(), "infra")
	copyModule(t, "testdata/secretvar", dir)
	w := openTofuDir(t, dir, "", Options{})
	const secret = "s3cr3t-variable-value-8d1f"
	out := filepath.Join(t.TempDir(), "report")
	scan, _ := json.Marshal([]string{dir, tmp, w.opts.VarDir})
	err := w.Apply(t.Context(), map[string]string{"token": secret, "zones": `["a", "b", "c"]`, "out": out, "scan": string(scan)}, nil)
	if err != nil {
		t.Fatal(err)
	}
	read := func(suffix string) string {
		b, err := os.ReadFile(out + suffix)
		if err != nil {
			t.Fatal(err)
		}
		return strings.TrimSpace(string(b))
	}
	sum := sha256.Sum256([]byte(secret))
	if got := read(".hash"); got != hex.EncodeToString(sum[:]) {
		t.Errorf("the workspace got a token hashing to %s, want the secret's", got)
	}
	if got := read(".zones"); got != "3" {
		t.Errorf("zones has %s elements, want 3", got)
	}
	if got := read(".scan"); got != "clean" {
		t.Errorf("while the apply ran, a file under %s held the secret", scan)
	}
	for _, d := range []string{dir, tmp, w.opts.VarDir} {
		filepath.WalkDir(d, func(p string, e fs.DirEntry, err error) error {
			if err == nil && e.Type().IsRegular() {
				if b, _ := os.ReadFile(p); strings.Contains(string(b), secret) {
					t.Errorf("%s holds the secret after the apply", p)
				}
			}
			return nil
		})
	}
}

// The CLI (and so its providers and provisioners) sees the base
// environment and the variables pass_env names, not lifeboat's secrets.
func TestTofuEnvironmentAllowList(t *testing.T) {
	t.Setenv("LIFEBOAT_OPERATE_TOKEN", "operate-secret-1")
	t.Setenv("LIFEBOAT_WEBHOOK_SECRET", "webhook-secret-2")
	t.Setenv("CF_API_TOKEN", "dns-secret-3")
	t.Setenv("MY_CLOUD_TOKEN", "cloud-token-4")
	t.Setenv("MY_CLOUD_REGION", "eu-5")
	dir := filepath.Join(t.TempDir(), "infra")
	copyModule(t, "testdata/secretvar", dir)
	w := openTofuDir(t, dir, "", Options{PassEnv: []string{"MY_CLOUD_*"}})
	dump := filepath.Join(t.TempDir(), "env")
	if err := w.Apply(t.Context(), map[string]string{"token": "x", "zones": "[]", "out": filepath.Join(t.TempDir(), "r"), "dump": dump}, nil); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(dump)
	if err != nil {
		t.Fatal(err)
	}
	env := string(b)
	for _, want := range []string{"MY_CLOUD_TOKEN=cloud-token-4", "MY_CLOUD_REGION=eu-5", "PATH="} {
		if !strings.Contains(env, want) {
			t.Errorf("the provisioner's environment lacks %s:\n%s", want, env)
		}
	}
	for _, secret := range []string{"operate-secret-1", "webhook-secret-2", "dns-secret-3"} {
		if strings.Contains(env, secret) {
			t.Errorf("the provisioner's environment holds %s", secret)
		}
	}
}

// A plan without a plan file (the readiness drill's) writes nothing that
// holds the variables.
func TestTofuPlanWithoutFile(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	w := openTofu(t, "", Options{})
	const secret = "plan-only-secret-5e2a"
	changes, err := w.Plan(t.Context(), map[string]string{"active": "true", "token": secret}, "")
	if err != nil || !changes {
		t.Fatalf("Plan = %v, %v; want changes", changes, err)
	}
	for _, d := range []string{w.Dir(), tmp, w.opts.VarDir} {
		filepath.WalkDir(d, func(p string, e fs.DirEntry, err error) error {
			if err == nil && e.Type().IsRegular() {
				if b, _ := os.ReadFile(p); strings.Contains(string(b), secret) {
					t.Errorf("%s holds the secret", p)
				}
			}
			return nil
		})
	}
}

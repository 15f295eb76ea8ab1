// Tests of the local example's Terraform workspaces against real OpenTofu:
// applying them starts and stops real lifeboat-host processes.
package local_test

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/hashicorp/terraform-exec/tfexec"

	"github.com/lifeboat-dev/lifeboat/internal/testharness"
)

type workspace struct {
	tf      *tfexec.Terraform
	vars    []string // -var arguments every apply gets
	runDir  string
	addr    string // ip:port the host serves on
	timeout time.Duration
}

func (w *workspace) ctx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), w.timeout)
	t.Cleanup(cancel)
	return ctx
}

// apply runs `tofu apply` with the workspace's vars plus extra, and returns
// the addresses output.
func (w *workspace) apply(t *testing.T, extra ...string) []string {
	t.Helper()
	var opts []tfexec.ApplyOption
	for _, v := range append(slices.Clone(w.vars), extra...) {
		opts = append(opts, tfexec.Var(v))
	}
	start := time.Now()
	if err := w.tf.Apply(w.ctx(t), opts...); err != nil {
		t.Fatalf("apply %v: %v", extra, err)
	}
	t.Logf("apply %v took %v", extra, time.Since(start).Round(time.Millisecond))
	outs, err := w.tf.Output(w.ctx(t))
	if err != nil {
		t.Fatalf("output: %v", err)
	}
	var addrs []string
	if err := json.Unmarshal(outs["addresses"].Value, &addrs); err != nil {
		t.Fatalf("output addresses %s: %v", outs["addresses"].Value, err)
	}
	return addrs
}

// setup copies the example's infra, inits the named workspace and points it
// at a freshly built lifeboat-host on a loopback address of its own.
func setup(t *testing.T, name string) *workspace {
	t.Helper()
	tofu := testharness.FindTofu(t)
	hostBin := testharness.BuildLifeboatHost(t)
	infra := testharness.ExampleInfra(t)
	ip := testharness.LoopbackIP(t)
	port := testharness.FreePort(t, ip)

	tf, err := tfexec.NewTerraform(filepath.Join(infra, name), tofu.Binary)
	if err != nil {
		t.Fatal(err)
	}
	if err := tf.SetEnv(tofu.EnvMap()); err != nil {
		t.Fatal(err)
	}
	w := &workspace{
		tf:     tf,
		runDir: t.TempDir(),
		addr:   net.JoinHostPort(ip, strconv.Itoa(port)),
		vars: []string{
			"host_bin=" + hostBin,
			"listen_ip=" + ip,
			"port=" + strconv.Itoa(port),
		},
		timeout: 2 * time.Minute,
	}
	w.vars = append(w.vars, "run_dir="+w.runDir)

	start := time.Now()
	if err := tf.Init(w.ctx(t)); err != nil {
		t.Fatalf("init: %v", err)
	}
	t.Logf("init took %v", time.Since(start).Round(time.Millisecond))

	// Registered after the temporary directories, so it runs before they go:
	// a failed test must not leave a host process behind.
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		var opts []tfexec.DestroyOption
		for _, v := range w.vars {
			opts = append(opts, tfexec.Var(v))
		}
		if err := tf.Destroy(ctx, opts...); err != nil {
			t.Errorf("destroy: %v", err)
		}
	})
	return w
}

func get(addr string) (string, error) {
	code, body, err := testharness.HTTPGet("http://" + addr + "/healthz")
	if err == nil && code != http.StatusOK {
		err = errors.New(http.StatusText(code))
	}
	return body, err
}

func (w *workspace) requireServes(t *testing.T, addrs []string, body string) {
	t.Helper()
	ip, _, _ := net.SplitHostPort(w.addr)
	if !slices.Equal(addrs, []string{ip}) {
		t.Fatalf("addresses = %v, want [%s]", addrs, ip)
	}
	// The provisioner returns only once the host wrote its pidfile, which it
	// does only once listening: no retries.
	got, err := get(w.addr)
	if err != nil || got != body {
		t.Fatalf("GET %s = %q, %v; want %q", w.addr, got, err, body)
	}
}

func (w *workspace) requireStopped(t *testing.T, addrs []string) {
	t.Helper()
	if len(addrs) != 0 {
		t.Fatalf("addresses = %v, want none", addrs)
	}
	if _, err := get(w.addr); !errors.Is(err, syscall.ECONNREFUSED) {
		t.Fatalf("GET %s: %v, want connection refused", w.addr, err)
	}
	pids, _ := filepath.Glob(filepath.Join(w.runDir, "*.pid"))
	if len(pids) != 0 {
		t.Fatalf("pidfiles left in run_dir: %v", pids)
	}
}

// bravo is the standby: applying its defaults runs nothing; active=true
// starts a host serving "bravo" at the output address; active=false stops it.
func TestBravoStartsAndStops(t *testing.T) {
	w := setup(t, "bravo")
	w.requireStopped(t, w.apply(t))
	w.requireServes(t, w.apply(t, "active=true"), "bravo")
	w.requireStopped(t, w.apply(t, "active=false"))
}

// alpha is the primary: its defaults run a host serving "alpha"; destroy
// stops it.
func TestAlphaRunsByDefaultDestroyStops(t *testing.T) {
	w := setup(t, "alpha")
	w.requireServes(t, w.apply(t), "alpha")

	var opts []tfexec.DestroyOption
	for _, v := range w.vars {
		opts = append(opts, tfexec.Var(v))
	}
	if err := w.tf.Destroy(w.ctx(t), opts...); err != nil {
		t.Fatalf("destroy: %v", err)
	}
	if _, err := get(w.addr); !errors.Is(err, syscall.ECONNREFUSED) {
		t.Fatalf("GET %s after destroy: %v, want connection refused", w.addr, err)
	}
	if _, err := os.Stat(filepath.Join(w.runDir, "alpha.pid")); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("alpha.pid after destroy: %v", err)
	}
}

package daemon

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/lifeboat-dev/lifeboat/internal/config"
)

// goroutinesIn counts the goroutines now in fn (a function name as a stack
// shows it).
func goroutinesIn(fn string) int {
	buf := make([]byte, 1<<20)
	return strings.Count(string(buf[:runtime.Stack(buf, true)]), fn+"(")
}

// waitRunning waits (bounded) until n goroutines are in fn.
func waitRunning(t *testing.T, fn string, n int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for goroutinesIn(fn) != n {
		if time.Now().After(deadline) {
			t.Fatalf("%d goroutine(s) in %s, want %d", goroutinesIn(fn), fn, n)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// A reload stops the old configuration's parts and starts the new one's
// (here the zone sync, turned on then off), and once Run returns nothing
// of any configuration is left running: not the parts, not the engines
// the reloads replaced.
func TestReloadRebuildsThePartsAndLeavesNothingRunning(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	dir := t.TempDir()
	path := filepath.Join(dir, "lifeboat.hcl")
	write := func(sync string) {
		t.Helper()
		line := ""
		if sync != "" {
			line = fmt.Sprintf("  sync_interval = %q\n", sync)
		}
		src := "state {\n  path = \"state/lifeboat.db\"\n}\npolicy {\n  interval = \"1s\"\n" + line + "}\n"
		if err := os.WriteFile(path, []byte(src), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write("")
	d, ctx, stop := runDaemon(t, path)
	const sync, watchDNS = "daemon.(*Daemon).keepZonesInSync", "daemon.(*Daemon).watchDNS"
	waitRunning(t, sync, 0)
	waitRunning(t, watchDNS, 1)

	write("1s")
	if err := d.Reload(ctx); err != nil {
		t.Fatal(err)
	}
	waitRunning(t, sync, 1)
	waitRunning(t, watchDNS, 1)

	write("")
	if err := d.Reload(ctx); err != nil {
		t.Fatal(err)
	}
	waitRunning(t, sync, 0)
	waitRunning(t, watchDNS, 1)

	stop()
}

// runDaemon runs a daemon on the configuration file at path until the
// returned stop, which waits (bounded) for Run to return without error.
func runDaemon(t *testing.T, path string) (*Daemon, context.Context, func()) {
	t.Helper()
	load := func() (*config.Config, error) { return config.Load(path, config.Options{}) }
	cfg, err := load()
	if err != nil {
		t.Fatal(err)
	}
	ready := make(chan struct{})
	d := New(cfg, Options{Load: load, Ready: func(string) { close(ready) }, ShutdownGrace: 5 * time.Second})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- d.Run(ctx) }()
	select {
	case <-ready:
	case err := <-done:
		cancel()
		t.Fatalf("Run ended at start: %v", err)
	case <-time.After(10 * time.Second):
		cancel()
		t.Fatal("the daemon was not ready within 10s")
	}
	stopped := false
	stop := func() {
		t.Helper()
		if stopped {
			return
		}
		stopped = true
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Fatal(err)
			}
		case <-time.After(15 * time.Second):
			t.Fatal("Run did not return within 15s")
		}
	}
	t.Cleanup(stop)
	return d, ctx, stop
}

func TestRestartOnly(t *testing.T) {
	base := func() *config.Config {
		return &config.Config{State: config.State{Path: "/var/lib/lifeboat/lifeboat.db"},
			Server: &config.Server{Listen: "127.0.0.1:8080", ReadToken: "read-token-0123456789", OperateToken: "operate-token-0123456789"}}
	}
	for _, tc := range []struct {
		name   string
		change func(c *config.Config)
		want   string
	}{
		{name: "unchanged", change: func(*config.Config) {}, want: ""},
		{name: "operate token rotated", change: func(c *config.Config) { c.Server.OperateToken = "operate-token-rotated-0123" }, want: ""},
		{name: "read token rotated", change: func(c *config.Config) { c.Server.ReadToken = "read-token-rotated-0123" }, want: ""},
		{name: "interval", change: func(c *config.Config) { c.Policy.Interval = time.Minute; c.Policy.SyncInterval = time.Hour }, want: ""},
		{name: "journal moved", change: func(c *config.Config) { c.State.Path = "/elsewhere.db" }, want: "state.path"},
		{name: "etcd added", change: func(c *config.Config) { c.State.Etcd = &config.Etcd{Endpoints: []string{"http://127.0.0.1:2379"}} }, want: "state.etcd"},
		{name: "listen address", change: func(c *config.Config) { c.Server.Listen = "127.0.0.1:9090" }, want: "server.listen"},
		{name: "TLS key", change: func(c *config.Config) { c.Server.TLSKey = "/other.pem" }, want: "server.tls_cert"},
		{name: "advertise", change: func(c *config.Config) { c.Server.Advertise = "https://lifeboat-2:8080" }, want: "server.advertise"},
		{name: "connection cap", change: func(c *config.Config) { c.Server.MaxConnections = 64 }, want: "server.max_connections"},
		{name: "per-client cap", change: func(c *config.Config) { c.Server.MaxConnectionsPerClient = 4 }, want: "server.max_connections_per_client"},
		{name: "idle timeout", change: func(c *config.Config) { c.Server.IdleTimeout = time.Second }, want: "server.idle_timeout"},
		{name: "server removed", change: func(c *config.Config) { c.Server = nil }, want: "server"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := base()
			tc.change(cfg)
			if got, _ := restartOnly(base(), cfg); got != tc.want {
				t.Fatalf("restartOnly = %q, want %q", got, tc.want)
			}
		})
	}
}

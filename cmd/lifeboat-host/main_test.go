package main_test

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/lifeboat-dev/lifeboat/internal/testharness"
)

// waitFor polls cond every 20 ms for at most d.
func waitFor(d time.Duration, cond func() bool) bool {
	for deadline := time.Now().Add(d); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if cond() {
			return true
		}
	}
	return cond()
}

func TestServesUntilSIGTERM(t *testing.T) {
	bin := testharness.BuildLifeboatHost(t)
	ip := testharness.LoopbackIP(t)
	addr := net.JoinHostPort(ip, strconv.Itoa(testharness.FreePort(t, ip)))
	dir := t.TempDir()
	pidfile := filepath.Join(dir, "host.pid")
	logfile := filepath.Join(dir, "host.log")

	cmd := exec.Command(bin, "-listen", addr, "-body", "bravo", "-pidfile", pidfile, "-log", logfile)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-exited
	})

	// The pidfile appears only once the host listens: no retry needed after it.
	if !waitFor(10*time.Second, func() bool { _, err := os.Stat(pidfile); return err == nil }) {
		t.Fatalf("no pidfile after 10s")
	}
	data, err := os.ReadFile(pidfile)
	if err != nil || strings.TrimSpace(string(data)) != strconv.Itoa(cmd.Process.Pid) {
		t.Fatalf("pidfile = %q, %v; want %d", data, err, cmd.Process.Pid)
	}
	for _, path := range []string{"/", "/healthz"} {
		resp, err := http.Get("http://" + addr + path)
		if err != nil {
			t.Fatalf("GET %s: %v", path, err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || string(body) != "bravo" {
			t.Fatalf("GET %s = %d %q, want 200 \"bravo\"", path, resp.StatusCode, body)
		}
	}

	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-exited:
		exited <- err // for the cleanup
		if err != nil {
			t.Fatalf("exit after SIGTERM: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatalf("still running 10s after SIGTERM")
	}
	if _, err := os.Stat(pidfile); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("pidfile left behind: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if _, err := (&net.Dialer{}).DialContext(ctx, "tcp", addr); !errors.Is(err, syscall.ECONNREFUSED) {
		t.Fatalf("dial after exit: %v, want connection refused", err)
	}
	if log, _ := os.ReadFile(logfile); !strings.Contains(string(log), "serving") {
		t.Fatalf("log has no start line: %q", log)
	}
}

func TestFailsWhenAddressTaken(t *testing.T) {
	bin := testharness.BuildLifeboatHost(t)
	l, err := net.Listen("tcp", net.JoinHostPort(testharness.LoopbackIP(t), "0"))
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	pidfile := filepath.Join(t.TempDir(), "host.pid")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, bin, "-listen", l.Addr().String(), "-pidfile", pidfile).CombinedOutput()
	if err == nil {
		t.Fatalf("started on a taken address: %s", out)
	}
	if _, err := os.Stat(pidfile); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("pidfile written although not listening: %v", err)
	}
}

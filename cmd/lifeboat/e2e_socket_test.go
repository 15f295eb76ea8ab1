package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// socketTestConfig writes a configuration whose journal is state.path.
func socketTestConfig(t *testing.T, dir, statePath string) string {
	t.Helper()
	hcl := `
state {
  path = "` + statePath + `"
}

provider "aws" {
  addresses = ["127.0.0.1"]
  terraform {
    dir = "infra/aws"
  }
}

provider "hetzner" {
  standby = "cold"
  terraform {
    dir = "infra/hetzner"
  }
}

service "www" {
  records    = ["www"]
  candidates = ["aws", "hetzner"]
  check "home" {
    tcp {
      port = 1
    }
  }
}

policy {
  interval = "1s"
}
`
	cfg := filepath.Join(dir, "lifeboat.hcl")
	if err := os.WriteFile(cfg, []byte(hcl), 0o600); err != nil {
		t.Fatal(err)
	}
	return cfg
}

// runUntilListening starts `lifeboat run`; when it listens, it is stopped
// with SIGTERM. It returns the exit code and the output.
func runUntilListening(t *testing.T, cfg string) (int, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, lifeboatBinary(t), "-c", cfg, "run")
	out := &syncBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	var err error
	deadline := time.After(30 * time.Second)
wait:
	for {
		select {
		case err = <-done:
			break wait
		case <-deadline:
			t.Fatalf("lifeboat run neither listened nor exited within 30s:\n%s", out.String())
		case <-time.After(50 * time.Millisecond):
			if strings.Contains(out.String(), "control socket") {
				_ = cmd.Process.Signal(syscall.SIGTERM)
				err = <-done
				break wait
			}
		}
	}
	if ee, ok := err.(*exec.ExitError); ok {
		return ee.ExitCode(), out.String()
	}
	if err != nil {
		t.Fatal(err)
	}
	return 0, out.String()
}

// A journal whose name ends in .sock is refused: the control socket would
// be the journal's own path, and start-up used to remove it.
func TestDaemonRefusesJournalNamedLikeTheSocket(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	// A real journal, written by a daemon, then renamed as a user might.
	cfg := socketTestConfig(t, dir, "state/lifeboat.db")
	if code, out := runUntilListening(t, cfg); code != 0 {
		t.Fatalf("the first run exited %d:\n%s", code, out)
	}
	journal := filepath.Join(dir, "state", "lifeboat.sock")
	if err := os.Rename(filepath.Join(dir, "state", "lifeboat.db"), journal); err != nil {
		t.Fatal(err)
	}
	before, err := os.ReadFile(journal)
	if err != nil || len(before) == 0 {
		t.Fatalf("no journal: %v", err)
	}
	cfg = socketTestConfig(t, dir, "state/lifeboat.sock")
	code, out := runUntilListening(t, cfg)
	if code != 2 || !strings.Contains(out, cfg+":3:3") || !strings.Contains(out, "state.path: must not end in .sock") {
		t.Errorf("exit %d, want 2 and the position of state.path:\n%s", code, out)
	}
	after, err := os.ReadFile(journal)
	if err != nil || string(after) != string(before) {
		t.Fatalf("the journal did not survive: %v", err)
	}
}

// Start-up removes only a socket at the socket's path: a regular file
// there is reported and kept.
func TestDaemonKeepsAFileAtTheSocketPath(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	cfg := socketTestConfig(t, dir, "state/lifeboat.db")
	sock := filepath.Join(dir, "state", "lifeboat.sock")
	if err := os.MkdirAll(filepath.Dir(sock), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(sock, []byte("the operator's notes\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	code, out := runUntilListening(t, cfg)
	if code == 0 || !strings.Contains(out, sock) || !strings.Contains(out, "not a socket: a regular file is there") {
		t.Errorf("exit %d, want a failure naming the file:\n%s", code, out)
	}
	if b, err := os.ReadFile(sock); err != nil || string(b) != "the operator's notes\n" {
		t.Fatalf("the file at the socket's path was not kept: %q, %v", b, err)
	}
	// Once the operator moved it, the daemon starts.
	if err := os.Remove(sock); err != nil {
		t.Fatal(err)
	}
	if code, out := runUntilListening(t, cfg); code != 0 {
		t.Fatalf("a clean start exited %d:\n%s", code, out)
	}
}

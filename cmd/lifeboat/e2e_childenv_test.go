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

// The daemon's exec checks run with the base environment and what their
// pass_env names, not the daemon's tokens: a check script sees
// CHECK_TARGET but not the operate token or the webhook secret the daemon
// was started with.
func TestDaemonExecCheckEnvironment(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	dump := filepath.Join(dir, "check-env")
	hcl := `
provider "aws" {
  addresses = ["127.0.0.1"]
  check "script" {
    exec {
      command  = ["sh", "-c", "env > \"$DUMP.tmp\" && mv \"$DUMP.tmp\" \"$DUMP\""]
      env      = { DUMP = "` + dump + `" }
      pass_env = ["CHECK_TARGET"]
    }
  }
}

provider "hetzner" {
  standby   = "cold"
  addresses = ["127.0.0.1"]
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

server {
  listen        = "127.0.0.1:0"
  read_token    = env("LIFEBOAT_READ_TOKEN")
  operate_token = env("LIFEBOAT_OPERATE_TOKEN")
}

notify "ops" {
  webhook {
    url    = "http://127.0.0.1:1/hook"
    secret = env("LIFEBOAT_WEBHOOK_SECRET")
  }
}

policy {
  interval = "200ms"
}
`
	cfg := filepath.Join(dir, "lifeboat.hcl")
	if err := os.WriteFile(cfg, []byte(hcl), 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, lifeboatBinary(t), "-c", cfg, "run")
	cmd.Env = append(os.Environ(),
		"LIFEBOAT_READ_TOKEN=read-token-0123456789",
		"LIFEBOAT_OPERATE_TOKEN=operate-token-0123456789",
		"LIFEBOAT_WEBHOOK_SECRET=webhook-secret-0123456789",
		"CHECK_TARGET=db-primary")
	out := &syncBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		_ = cmd.Wait()
		if t.Failed() {
			t.Logf("daemon output:\n%s", out.String())
		}
	}()
	waitFor(t, 30*time.Second, "the exec check ran", func() bool {
		_, err := os.Stat(dump)
		return err == nil
	})
	b, err := os.ReadFile(dump)
	if err != nil {
		t.Fatal(err)
	}
	env := string(b)
	if !strings.Contains(env, "CHECK_TARGET=db-primary") || !strings.Contains(env, "PATH=") {
		t.Errorf("the check's environment lacks CHECK_TARGET or PATH:\n%s", env)
	}
	for _, secret := range []string{"read-token-0123456789", "operate-token-0123456789", "webhook-secret-0123456789"} {
		if strings.Contains(env, secret) {
			t.Errorf("the check's environment holds %s", secret)
		}
	}
}

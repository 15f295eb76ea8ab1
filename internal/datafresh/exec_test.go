package datafresh_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/lifeboat-dev/lifeboat/internal/config"
	"github.com/lifeboat-dev/lifeboat/internal/datafresh"
)

func sh(script string) []string { return []string{"/bin/sh", "-c", script} }

func TestExecMeasure(t *testing.T) {
	tests := []struct {
		name    string
		script  string
		wantAge time.Duration
		wantErr string
	}{
		{name: "RFC 3339 time", script: "echo 2026-12-07T11:59:18Z", wantAge: 42 * time.Second},
		{name: "duration", script: "printf 1m30s", wantAge: 90 * time.Second},
		{name: "seconds", script: "echo 42", wantAge: 42 * time.Second},
		{name: "fractional seconds", script: "echo '  42.5  '", wantAge: 42500 * time.Millisecond},
		{name: "exit 1 quotes the first line of stderr", script: "echo 'replica unreachable' >&2; echo second >&2; echo 42; exit 1",
			wantErr: "exit status 1: replica unreachable"},
		{name: "garbage", script: "echo 'all good!'", wantErr: "neither an RFC 3339 time"},
		{name: "nothing printed", script: "true", wantErr: "neither"},
		{name: "future time", script: "echo 2026-12-07T13:00:00Z", wantErr: "clock skew or bad value"},
		{name: "oversized output", script: "i=0; while [ $i -lt 2000 ]; do echo 4242; i=$((i+1)); done", wantErr: "output over 4 KiB"},
		{name: "not runnable", script: "", wantErr: "exit status"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cmd := sh(tt.script)
			if tt.script == "" {
				cmd = sh("exec /nonexistent/check")
			}
			m := datafresh.Exec{Command: cmd, Now: fixedNow}.Measure(withDeadline(t))
			if tt.wantErr != "" {
				if m.Err == nil || !strings.Contains(m.Err.Error(), tt.wantErr) {
					t.Fatalf("Measure = %+v; want an error with %q", m, tt.wantErr)
				}
				if e := m.Err.Error(); strings.Contains(e, "unreachable") && !strings.HasSuffix(e, "unreachable") {
					t.Errorf("error quotes more than the first line: %v", m.Err)
				}
				return
			}
			if m.Err != nil || m.Age != tt.wantAge {
				t.Fatalf("Measure = %+v; want age %v", m, tt.wantAge)
			}
		})
	}
}

// A command that outlives the deadline is killed with its children.
func TestExecTimeout(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	m := datafresh.Exec{Command: sh("sleep 30 & sleep 30; echo 1")}.Measure(ctx)
	if m.Err == nil || !errors.Is(m.Err, context.DeadlineExceeded) {
		t.Errorf("Measure = %+v; want a deadline error", m)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("took %v", d)
	}
	if m := (datafresh.Exec{Command: sh("echo 1")}).Measure(context.Background()); !errors.Is(m.Err, datafresh.ErrNoDeadline) {
		t.Errorf("without a deadline: %+v", m)
	}
}

// An exec data block runs once per provider (its providers, else the
// service's candidates), with the base environment, pass_env, env and
// LIFEBOAT_*, and nothing else of lifeboat's environment.
func TestRoundExecEnvironment(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("DATAFRESH_PASSED", "passed-value")
	t.Setenv("DATAFRESH_PRIVATE", "private-value")
	script := filepath.Join(dir, "age.sh")
	if err := os.WriteFile(script, []byte("#!/bin/sh\nenv > \"$OUT/$LIFEBOAT_PROVIDER.env\"\necho 7\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	cfg := &config.Config{
		Dir: dir,
		Providers: []*config.Provider{
			{Name: "a", Addresses: []string{"192.0.2.1", "192.0.2.2"}},
			{Name: "b", Addresses: []string{"192.0.2.9"}},
			{Name: "c"},
		},
		Services: []*config.Service{{Name: "www", Candidates: []string{"a", "b", "c"}, RPO: 5 * time.Second,
			Data: []*config.Data{{Name: "files", Exec: &config.ExecData{
				Command: []string{"./age.sh"}, Env: map[string]string{"OUT": dir},
				PassEnv: []string{"DATAFRESH_PASSED"},
			}}}}},
	}
	rs := datafresh.Round(withDeadline(t), cfg, datafresh.RoundOptions{
		Addresses: func(p string) []string {
			if p == "b" {
				return []string{"198.51.100.7", "198.51.100.8"}
			}
			return nil
		},
	})
	if len(rs) != 3 {
		t.Fatalf("readings %+v; want one per candidate", rs)
	}
	wantAddrs := map[string]string{"a": "192.0.2.1 192.0.2.2", "b": "198.51.100.7 198.51.100.8", "c": ""}
	for i, p := range []string{"a", "b", "c"} {
		rd := rs[i]
		if rd.Key != (datafresh.Key{Service: "www", Data: "files", Provider: p}) || rd.Kind != "exec" ||
			rd.Verdict.State != datafresh.StateStale || rd.Measurement.Age != 7*time.Second {
			t.Errorf("reading %d = %+v; want www/files/%s exec, stale at 7s over the 5s RPO", i, rd, p)
		}
		data, err := os.ReadFile(filepath.Join(dir, p+".env"))
		if err != nil {
			t.Fatal(err)
		}
		env := strings.Split(strings.TrimSpace(string(data)), "\n")
		for _, want := range []string{"LIFEBOAT_SERVICE=www", "LIFEBOAT_DATA=files", "LIFEBOAT_PROVIDER=" + p,
			"LIFEBOAT_ADDRESSES=" + wantAddrs[p], "DATAFRESH_PASSED=passed-value", "OUT=" + dir, "PATH=" + os.Getenv("PATH")} {
			if !slices.Contains(env, want) {
				t.Errorf("%s: environment lacks %q: %q", p, want, env)
			}
		}
		if strings.Contains(string(data), "private-value") {
			t.Errorf("%s: environment holds a variable not passed", p)
		}
	}
	// Providers named in the block replace the candidates.
	cfg.Services[0].Data[0].Exec.Providers = []string{"b"}
	if rs := datafresh.Round(withDeadline(t), cfg, datafresh.RoundOptions{}); len(rs) != 1 || rs[0].Provider != "b" {
		t.Errorf("with providers = [b]: %+v", rs)
	}
}

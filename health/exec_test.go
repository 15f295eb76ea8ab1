package health

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/lifeboat-dev/lifeboat/internal/config"
)

// processGone reports whether pid no longer runs: it does not exist, or
// it is a zombie waiting for a parent that is not ours to reap it.
func processGone(pid int) bool {
	if err := syscall.Kill(pid, 0); errors.Is(err, syscall.ESRCH) {
		return true
	}
	stat, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return os.IsNotExist(err)
	}
	// The state follows the command name in parentheses: "pid (comm) S ...".
	i := bytes.LastIndexByte(stat, ')')
	return i >= 0 && i+2 < len(stat) && stat[i+2] == 'Z'
}

func TestExecTimeoutKillsTheWholeProcessGroup(t *testing.T) {
	pidFile := filepath.Join(t.TempDir(), "grandchild.pid")
	p := NewProbers(ProberOptions{})
	c := &config.Check{Name: "exec", Timeout: 500 * time.Millisecond, Exec: &config.ExecCheck{
		Command: []string{"sh", "-c", `sleep 30 & echo $! > "$1"; wait`, "sh", pidFile},
	}}
	start := time.Now()
	r := probeOnce(t, p, c)
	// The reason says how long the probe had: up to the 500ms timeout,
	// less the time a loaded machine took to start the probe.
	if r.OK || !strings.Contains(r.Reason, "no exit within ") || !strings.HasSuffix(r.Reason, "ms") {
		t.Fatalf("got %+v, want a timeout", r)
	}
	if took := time.Since(start); took > 3*time.Second {
		t.Fatalf("probe took %s", took)
	}
	raw, err := os.ReadFile(pidFile)
	if err != nil {
		t.Fatalf("the script did not record its child: %v", err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(raw)))
	if err != nil || pid <= 1 {
		t.Fatalf("pid file holds %q", raw)
	}
	t.Cleanup(func() { syscall.Kill(pid, syscall.SIGKILL) })
	deadline := time.Now().Add(2 * time.Second)
	for !processGone(pid) {
		if time.Now().After(deadline) {
			t.Fatalf("grandchild %d (sleep 30) still runs after the probe timed out", pid)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestExecRelativeCommandRunsFromConfigDir(t *testing.T) {
	cfgDir := t.TempDir()
	script := "#!/bin/sh\necho \"ran in $(pwd -P)\"\nexit 7\n"
	if err := os.WriteFile(filepath.Join(cfgDir, "x.sh"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	want, err := filepath.EvalSymlinks(cfgDir)
	if err != nil {
		t.Fatal(err)
	}
	t.Chdir(t.TempDir()) // the current directory is somewhere else

	// BuildGroups takes the directory from the configuration.
	cfg := &config.Config{Dir: cfgDir, Providers: []*config.Provider{{Name: "p", Checks: []*config.Check{
		{Name: "script", Timeout: 5 * time.Second, Exec: &config.ExecCheck{Command: []string{"./x.sh"}}},
		{Name: "bare", Timeout: 5 * time.Second, Exec: &config.ExecCheck{Command: []string{"x.sh"}}},
	}}}}
	p := NewProbers(ProberOptions{})
	groups, err := BuildGroups(cfg, p, ConfigTargets(cfg))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	res := RunProbes(ctx, groups[0].Probes, 2)
	if r := res[0]; r.Reason != "exit status 7: ran in "+want {
		t.Errorf("./x.sh: reason %q, want it run from %s", r.Reason, want)
	}
	// A bare name is looked up in PATH only, never in the config directory.
	if r := res[1]; r.OK || !strings.Contains(r.Reason, "cannot run") {
		t.Errorf("bare x.sh: %+v", r)
	}

	// RunChecks and Compile take it from ProberOptions.Dir.
	res2, err := RunChecks(ctx, cfg.Providers[0].Checks[:1], nil, RunOptions{Probers: NewProbers(ProberOptions{Dir: cfgDir})})
	if err != nil {
		t.Fatal(err)
	}
	if res2[0].Reason != "exit status 7: ran in "+want {
		t.Errorf("RunChecks: reason %q", res2[0].Reason)
	}

	// A relative directory is taken from the current one, once.
	t.Chdir(filepath.Dir(cfgDir))
	res3, err := RunChecks(ctx, cfg.Providers[0].Checks[:1], nil, RunOptions{Probers: NewProbers(ProberOptions{Dir: filepath.Base(cfgDir)})})
	if err != nil {
		t.Fatal(err)
	}
	if res3[0].Reason != "exit status 7: ran in "+want {
		t.Errorf("relative Dir: reason %q", res3[0].Reason)
	}
}

func TestExecOutputHidesEnvValues(t *testing.T) {
	const token = "tok-8c1f2a9e"
	p := NewProbers(ProberOptions{})
	cases := []struct {
		name, script string
	}{
		{name: "whole line", script: `echo "calling with $API_TOKEN"; exit 2`},
		// The secret straddles the 200-byte cut of the quoted line.
		{name: "cut line", script: `printf '%196s' '' | tr ' ' x; echo "$API_TOKEN"; exit 2`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := &config.Check{Name: "exec", Timeout: 5 * time.Second, Exec: &config.ExecCheck{
				Command: []string{"sh", "-c", tc.script},
				Env:     map[string]string{"API_TOKEN": token, "MODE": "v1"},
			}}
			r := probeOnce(t, p, c)
			if !strings.HasPrefix(r.Reason, "exit status 2: ") {
				t.Fatalf("reason %q", r.Reason)
			}
			if strings.Contains(r.Reason, "tok-") {
				t.Fatalf("env value leaked into the reason: %q", r.Reason)
			}
			if tc.name == "whole line" && r.Reason != "exit status 2: calling with <hidden>" {
				t.Fatalf("reason %q", r.Reason)
			}
		})
	}
}

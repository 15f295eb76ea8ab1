package childproc

import (
	"context"
	"os/exec"
	"strings"
	"testing"
	"time"
)

func TestCapped(t *testing.T) {
	c := &Capped{Max: 5}
	for _, s := range []string{"ab", "cd", "efg", "h"} {
		if n, err := c.Write([]byte(s)); n != len(s) || err != nil {
			t.Fatalf("Write(%q) = %d, %v", s, n, err)
		}
	}
	if c.String() != "abcde" || !c.Over() {
		t.Fatalf("kept %q, over %v; want abcde, true", c.String(), c.Over())
	}
	exact := &Capped{Max: 5}
	if _, _ = exact.Write([]byte("abcde")); exact.Over() {
		t.Fatal("exactly Max bytes is not over")
	}
}

// A script's background child dies with it when the context ends: the
// run returns within the bound, not when the child's sleep would end.
func TestGroupKillsTheChildren(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	cmd := exec.CommandContext(ctx, "sh", "-c", "sleep 30 & sleep 30")
	out := &Capped{Max: 1 << 10}
	cmd.Stdout, cmd.Stderr = out, out
	Group(cmd, time.Second)
	began := time.Now()
	err := cmd.Run()
	if took := time.Since(began); took > 5*time.Second {
		t.Fatalf("the run took %s: the group was not killed", took)
	}
	if Succeeded(cmd, err) {
		t.Fatalf("a killed command counted as succeeded: %v", err)
	}
}

func TestSucceeded(t *testing.T) {
	cmd := exec.Command("sh", "-c", "exit 0")
	if err := cmd.Run(); !Succeeded(cmd, err) {
		t.Fatalf("exit 0: %v", err)
	}
	cmd = exec.Command("sh", "-c", "echo no >&2; exit 3")
	err := cmd.Run()
	if Succeeded(cmd, err) || !strings.Contains(err.Error(), "exit status 3") {
		t.Fatalf("exit 3: %v", err)
	}
}

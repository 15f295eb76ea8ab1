package metrics

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/lifeboat-dev/lifeboat/internal/testharness"
)

// promtool finds Prometheus's promtool, or skips (fails when real parts are
// required) with the way to install it.
func promtool(t *testing.T) string {
	t.Helper()
	testharness.Real(t, "promtool")
	path, err := exec.LookPath("promtool")
	if err != nil {
		testharness.Require(t, "promtool", "run scripts/prometheus.sh (installs Debian's prometheus package)")
	}
	return path
}

// runPromtool runs promtool with args in dir, stdin as its input, within 30s.
func runPromtool(t *testing.T, dir string, stdin []byte, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, promtool(t), args...)
	cmd.Dir = dir
	cmd.Stdin = bytes.NewReader(stdin)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("promtool %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

func examplesDir(t *testing.T) string {
	return filepath.Join(testharness.RepoRoot(t), "examples", "prometheus")
}

// promtool check metrics lints names, units, suffixes and help texts; it
// prints the problems and exits non-zero on any.
func TestPromtoolCheckMetrics(t *testing.T) {
	text := scrape(t, populated(t))
	out := runPromtool(t, t.TempDir(), []byte(text), "check", "metrics")
	if strings.TrimSpace(out) != "" {
		t.Errorf("promtool check metrics complains:\n%s", out)
	}
}

func TestPromtoolCheckRules(t *testing.T) {
	runPromtool(t, examplesDir(t), nil, "check", "rules", "alerts.yml")
}

// The rules' own unit tests (alerts_test.yml): each alert fires when it
// should and not before.
func TestPromtoolTestRules(t *testing.T) {
	runPromtool(t, examplesDir(t), nil, "test", "rules", "alerts_test.yml")
}

// Every lifeboat_ metric the alerts use is one this package exports, so a
// rename here cannot leave an alert that never fires.
func TestAlertsUseExportedMetrics(t *testing.T) {
	rules, err := os.ReadFile(filepath.Join(examplesDir(t), "alerts.yml"))
	if err != nil {
		t.Fatal(err)
	}
	fams := parse(t, scrape(t, populated(t)))
	used := regexp.MustCompile(`\blifeboat_[a-z_]+`).FindAllString(string(rules), -1)
	if len(used) == 0 {
		t.Fatal("alerts.yml uses no lifeboat_ metric")
	}
	for _, name := range used {
		if fams[name] == nil {
			t.Errorf("alerts.yml uses %s, which is not exported", name)
		}
	}
}

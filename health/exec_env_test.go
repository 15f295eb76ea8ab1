package health

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lifeboat-dev/lifeboat/internal/config"
)

// An exec check sees the base environment, the names its pass_env lists
// and its env, never the rest of lifeboat's environment (the operate
// token, the webhook secret, DNS credentials).
func TestExecEnvironmentAllowList(t *testing.T) {
	t.Setenv("LIFEBOAT_OPERATE_TOKEN", "operate-secret-1")
	t.Setenv("LIFEBOAT_WEBHOOK_SECRET", "webhook-secret-2")
	t.Setenv("CF_API_TOKEN", "dns-secret-3")
	t.Setenv("CHECK_TARGET", "db-primary")
	t.Setenv("CHECK_DB_PASSWORD", "db-pass-4")
	t.Setenv("LC_ALL", "C")
	dump := filepath.Join(t.TempDir(), "env")
	c := &config.Check{Name: "exec", Timeout: 5 * time.Second, Exec: &config.ExecCheck{
		Command: []string{"sh", "-c", `env > "$DUMP"`},
		Env:     map[string]string{"DUMP": dump},
		PassEnv: []string{"CHECK_TARGET", "CHECK_DB_*"},
	}}
	if r := probeOnce(t, NewProbers(ProberOptions{}), c); !r.OK {
		t.Fatalf("the check failed: %s", r.Reason)
	}
	b, err := os.ReadFile(dump)
	if err != nil {
		t.Fatal(err)
	}
	env := string(b)
	for _, want := range []string{"CHECK_TARGET=db-primary", "CHECK_DB_PASSWORD=db-pass-4", "LC_ALL=C", "PATH=", "DUMP="} {
		if !strings.Contains(env, want) {
			t.Errorf("the check's environment lacks %s:\n%s", want, env)
		}
	}
	for _, secret := range []string{"operate-secret-1", "webhook-secret-2", "dns-secret-3"} {
		if strings.Contains(env, secret) {
			t.Errorf("the check's environment holds %s", secret)
		}
	}
}

package config_test

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/lifeboat-dev/lifeboat/internal/config"
)

// With EnvPlaceholders, env() of an unset variable is not an error and
// what depends on its value is not judged; every other problem still is.
func TestEnvPlaceholders(t *testing.T) {
	src := `
server {
  listen        = "127.0.0.1:9797"
  read_token    = env("UNSET_READ_TOKEN")
  operate_token = env("LIFEBOAT_SECRET")
}
policy {
  interval = env("UNSET_INTERVAL")
}
`
	opts := testOptions()
	if _, err := config.Parse("c.hcl", []byte(src), opts); err == nil || !strings.Contains(err.Error(), "UNSET_READ_TOKEN is not set") {
		t.Fatalf("without placeholders: %v, want the unset variable refused", err)
	}
	opts.EnvPlaceholders = true
	cfg, err := config.Parse("c.hcl", []byte(src), opts)
	if err != nil {
		// interval = "lifeboat-placeholder-..." is no duration: left out.
		t.Fatalf("with placeholders: %v", err)
	}
	if want := []string{"UNSET_INTERVAL", "UNSET_READ_TOKEN"}; !slices.Equal(cfg.UnsetEnv, want) {
		t.Errorf("UnsetEnv %q, want %q", cfg.UnsetEnv, want)
	}
	if cfg.Server.OperateToken != testEnv["LIFEBOAT_SECRET"] {
		t.Errorf("a set variable was replaced: %q", cfg.Server.OperateToken)
	}

	// A problem elsewhere is still found, and the variables still named.
	bad := src + "policy {\n  nonsense = 1\n}\n"
	_, err = config.Parse("c.hcl", []byte(bad), opts)
	var ce *config.Error
	if !errors.As(err, &ce) || len(ce.Diags) == 0 || !slices.Equal(ce.UnsetEnv, []string{"UNSET_INTERVAL", "UNSET_READ_TOKEN"}) {
		t.Fatalf("invalid with placeholders: %v (unset %v)", err, ce)
	}
	for _, d := range ce.Diags {
		if d.Line == 8 {
			t.Errorf("a problem reported in the attribute reading an unset variable: %s", d)
		}
	}
	// A set variable's bad value is still judged.
	setBad := strings.Replace(src, `env("UNSET_INTERVAL")`, `env("LIFEBOAT_SECRET")`, 1)
	if _, err := config.Parse("c.hcl", []byte(setBad), opts); err == nil || !strings.Contains(err.Error(), "c.hcl:8:") {
		t.Fatalf("a set variable's bad value: %v, want an error at line 8", err)
	}
}

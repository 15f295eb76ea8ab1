package config_test

import (
	"strings"
	"testing"

	"github.com/lifeboat-dev/lifeboat/internal/config"
	"github.com/lifeboat-dev/lifeboat/internal/redact"
)

// A configuration error hides a secret behind the placeholder Redact and
// every other part of lifeboat use, whether the loader's message or an
// HCL function's quotes it: one spelling for an operator and a log filter
// to look for.
func TestSecretsHaveOnePlaceholder(t *testing.T) {
	secret := testEnv["LIFEBOAT_SECRET"]
	for _, src := range []string{
		`policy { interval = file(env("LIFEBOAT_SECRET")) }`, // the function's error quotes it
		`policy { interval = env("LIFEBOAT_SECRET") }`,       // the loader's own message
	} {
		_, err := config.Parse("c.hcl", []byte(src), testOptions())
		if err == nil {
			t.Fatalf("%s: no error", src)
		}
		if msg := err.Error(); strings.Contains(msg, secret) || !strings.Contains(msg, redact.Placeholder) {
			t.Errorf("%s: error %q, want the secret shown as %s", src, msg, redact.Placeholder)
		}
	}
}

package config_test

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/lifeboat-dev/lifeboat/internal/config"
)

// backend_config completes the workspace's backend at init; an entry from
// env() or file() is secret, and its value is redacted like any secret.
func TestBackendConfig(t *testing.T) {
	src := `provider "p" {
  terraform {
    dir = "infra"
    backend_config = {
      bucket     = "lifeboat-state"
      key        = "p.tfstate"
      secret_key = env("API_TOKEN")
    }
  }
}
`
	cfg, err := config.Parse("testdata/backend.hcl", []byte(src), secretOptions())
	if err != nil {
		t.Fatal(err)
	}
	w := cfg.Providers[0].Terraform
	want := map[string]string{"bucket": "lifeboat-state", "key": "p.tfstate", "secret_key": secretEnv["API_TOKEN"]}
	if diff := cmp.Diff(want, w.BackendConfig); diff != "" {
		t.Errorf("BackendConfig (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(map[string]bool{"secret_key": true}, w.SecretBackendConfig); diff != "" {
		t.Errorf("SecretBackendConfig (-want +got):\n%s", diff)
	}
	if got := cfg.Redact("denied for " + secretEnv["API_TOKEN"]); strings.Contains(got, secretEnv["API_TOKEN"]) {
		t.Errorf("Redact left the secret: %q", got)
	}
}

// A key that -backend-config key=value cannot carry is refused, and the
// message shows no secret value.
func TestBackendConfigBadKey(t *testing.T) {
	src := `provider "p" {
  terraform {
    dir            = "infra"
    backend_config = { "secret key" = env("API_TOKEN") }
  }
}
`
	_, err := config.Parse("testdata/backend.hcl", []byte(src), secretOptions())
	if err == nil || !strings.Contains(err.Error(), `"secret key" is not a backend argument name`) {
		t.Fatalf("err = %v, want the bad key refused", err)
	}
	if strings.Contains(err.Error(), secretEnv["API_TOKEN"]) {
		t.Errorf("the error shows the secret: %v", err)
	}
}

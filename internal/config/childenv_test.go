package config_test

import (
	"slices"
	"testing"

	"github.com/lifeboat-dev/lifeboat/internal/config"
)

func TestPassEnvParsed(t *testing.T) {
	src := `
provider "a" {
  terraform {
    dir      = "infra/a"
    pass_env = ["AWS_*", "HCLOUD_TOKEN"]
  }
  check "script" {
    exec {
      command  = ["./check.sh"]
      pass_env = ["DB_HOST"]
    }
  }
}
`
	cfg, err := config.Parse("testdata/case.hcl", []byte(src), testOptions())
	if err != nil {
		t.Fatal(err)
	}
	p := cfg.Providers[0]
	if !slices.Equal(p.Terraform.PassEnv, []string{"AWS_*", "HCLOUD_TOKEN"}) || !slices.Equal(p.Checks[0].Exec.PassEnv, []string{"DB_HOST"}) {
		t.Fatalf("pass_env %q and %q", p.Terraform.PassEnv, p.Checks[0].Exec.PassEnv)
	}
}

func TestChildEnv(t *testing.T) {
	environ := []string{"PATH=/bin", "LC_ALL=C", "AWS_KEY=k", "AWS=no", "HCLOUD_TOKEN=h", "HCLOUD_TOKEN2=no", "SECRET=s", "=odd", "NOEQUALS"}
	got := config.ChildEnv(environ, []string{"PATH", "LC_*"}, []string{"AWS_*", "HCLOUD_TOKEN"})
	want := []string{"PATH=/bin", "LC_ALL=C", "AWS_KEY=k", "HCLOUD_TOKEN=h"}
	if !slices.Equal(got, want) {
		t.Fatalf("ChildEnv = %q, want %q", got, want)
	}
}

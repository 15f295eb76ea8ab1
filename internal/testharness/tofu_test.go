package testharness_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-exec/tfexec"

	"github.com/lifeboat-dev/lifeboat/internal/testharness"
)

func TestTofuEnv(t *testing.T) {
	t.Setenv("TF_IN_AUTOMATION", "yes")
	t.Setenv("TF_LOG", "trace")
	tf := &testharness.Tofu{Binary: "tofu", CLIConfigFile: "/x/tofurc"}

	m := tf.EnvMap()
	if m["TF_CLI_CONFIG_FILE"] != "/x/tofurc" || m["CHECKPOINT_DISABLE"] != "1" || m["PATH"] == "" {
		t.Fatalf("EnvMap lacks TF_CLI_CONFIG_FILE, CHECKPOINT_DISABLE or PATH")
	}
	if p := tfexec.ProhibitedEnv(m); len(p) != 0 {
		t.Fatalf("EnvMap has variables tfexec.SetEnv refuses: %v", p)
	}

	env := tf.Env()
	for _, want := range []string{"TF_CLI_CONFIG_FILE=/x/tofurc", "CHECKPOINT_DISABLE=1", "TF_IN_AUTOMATION=1"} {
		if !slices.Contains(env, want) {
			t.Fatalf("Env lacks %s", want)
		}
	}
	if slices.Contains(env, "TF_IN_AUTOMATION=yes") {
		t.Fatalf("Env keeps the process's TF_IN_AUTOMATION next to its own")
	}
}

// The providers `make tools` builds install from the filesystem mirror with
// no network, and work: local_file writes a file, null_resource applies, and
// the dns provider's schema loads.
func TestTofuMirrorProviders(t *testing.T) {
	tofu := testharness.FindTofu(t)
	if _, err := os.Stat(tofu.MirrorDir); err != nil {
		testharness.Require(t, "provider mirror", "run `make tools` (builds the providers into .tools/mirror)")
	}
	dir := t.TempDir()
	out := filepath.Join(dir, "hello.txt")
	main := `
terraform {
  required_providers {
    local = { source = "hashicorp/local", version = "2.9.0" }
    null  = { source = "hashicorp/null", version = "2.1.2" }
    dns   = { source = "hashicorp/dns", version = "2.2.0" }
  }
}
provider "dns" {}
resource "local_file" "hello" {
  filename = "` + out + `"
  content  = "hello from the mirror"
}
resource "null_resource" "n" {}
`
	if err := os.WriteFile(filepath.Join(dir, "main.tf"), []byte(main), 0o644); err != nil {
		t.Fatal(err)
	}
	tf, err := tfexec.NewTerraform(dir, tofu.Binary)
	if err != nil {
		t.Fatal(err)
	}
	if err := tf.SetEnv(tofu.EnvMap()); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	start := time.Now()
	if err := tf.Init(ctx); err != nil {
		t.Fatalf("init from the mirror: %v", err)
	}
	t.Logf("init with 3 providers took %v", time.Since(start).Round(time.Millisecond))
	start = time.Now()
	if err := tf.Apply(ctx); err != nil {
		t.Fatalf("apply: %v", err)
	}
	t.Logf("apply took %v", time.Since(start).Round(time.Millisecond))
	if got, err := os.ReadFile(out); err != nil || string(got) != "hello from the mirror" {
		t.Fatalf("local_file wrote %q, %v", got, err)
	}

	// The same with exec.Cmd and Env(): no warning about a CLI config file.
	cmd := exec.CommandContext(ctx, tofu.Binary, "version")
	cmd.Env = tofu.Env()
	msg, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(msg), "OpenTofu v") || strings.Contains(string(msg), "Warning") {
		t.Fatalf("tofu version: %v\n%s", err, msg)
	}
}

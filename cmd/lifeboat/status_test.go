package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"github.com/lifeboat-dev/lifeboat/internal/testharness"
	"github.com/lifeboat-dev/lifeboat/internal/wire"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func writeStatusConfig(t *testing.T, addrs []string) string {
	t.Helper()
	quoted := make([]string, len(addrs))
	for i, a := range addrs {
		quoted[i] = fmt.Sprintf("%q", a)
	}
	hcl := fmt.Sprintf(`
provider "aws" {
  addresses = [%s]
  terraform {
    dir = "infra/aws"
  }
  check "web" {
    http {
      path          = "/healthz"
      expect_status = [200]
    }
  }
}

provider "hetzner" {
  terraform {
    dir = "infra/hetzner"
  }
}

service "www" {
  records    = ["www"]
  candidates = ["aws", "hetzner"]
  check "home" {
    http {
      path       = "/"
      body_regex = "^hello$"
    }
  }
}

policy {
  interval   = "50ms"
  fail_after = 2
}
`, strings.Join(quoted, ", "))
	path := filepath.Join(t.TempDir(), "lifeboat.hcl")
	if err := os.WriteFile(path, []byte(hcl), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func runCLI(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(context.Background(), args, strings.NewReader(""), &out, &errb)
	return code, out.String(), errb.String()
}

func TestStatusText(t *testing.T) {
	a := testharness.StartHost(t, testharness.LoopbackIP(t), "hello")
	b := testharness.StartHost(t, testharness.LoopbackIP(t), "hello")
	cfg := writeStatusConfig(t, []string{a.Addr, b.Addr})
	code, out, errOut := runCLI(t, "status", "-c", cfg)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{
		"aws       healthy", "all 2 checks passed", "www/home", a.URL + "/healthz", "status 200 OK",
		"hetzner   unknown", "no checks ran",
		"www      aws        healthy", "first candidate",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

func TestStatusJSONRoundsDown(t *testing.T) {
	a := testharness.StartHost(t, testharness.LoopbackIP(t), "hello")
	cfg := writeStatusConfig(t, []string{a.Addr})
	a.Stop()
	code, out, errOut := runCLI(t, "status", "-c", cfg, "-o", "json", "--rounds", "2")
	if code != 0 {
		t.Fatalf("exit %d (a run whatever the states is exit 0): %s", code, errOut)
	}
	var doc wire.StatusDoc
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("not one JSON document: %v\n%s", err, out)
	}
	aws := doc.Providers[0]
	if doc.Rounds != 2 || aws.Name != "aws" || aws.State != "down" || len(aws.Checks) != 2 || aws.Since == nil {
		t.Fatalf("aws after 2 failed rounds with fail_after 2: %+v", aws)
	}
	if aws.Checks[0].OK || aws.Checks[0].Reason != "connection refused" {
		t.Fatalf("check: %+v", aws.Checks[0])
	}
	if doc.Services[0].Placement != "aws" || doc.Services[0].ProviderState != "down" {
		t.Fatalf("services: %+v", doc.Services)
	}
}

func TestStatusUsageErrors(t *testing.T) {
	bad := filepath.Join(t.TempDir(), "bad.hcl")
	os.WriteFile(bad, []byte("provider \"x\" {\n  nonsense = 1\n}\n"), 0o600)
	if code, _, errOut := runCLI(t, "status", "-c", bad); code != 2 || !strings.Contains(errOut, "bad.hcl:") {
		t.Fatalf("invalid config: exit %d, stderr %q", code, errOut)
	}
	cfg := writeStatusConfig(t, []string{"127.0.0.1:1"})
	if code, _, _ := runCLI(t, "status", "-c", cfg, "--rounds", "0"); code != 2 {
		t.Fatalf("--rounds 0: exit %d, want 2", code)
	}
}

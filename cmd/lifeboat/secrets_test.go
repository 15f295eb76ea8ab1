package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lifeboat-dev/lifeboat/internal/testharness"
)

// Values from env() never reach the output: a DNS server address in an
// error, an http check's URL, a workspace variable built by a template or
// too short to match by value.
func TestSecretsStayOutOfOutput(t *testing.T) {
	host := testharness.StartHost(t, testharness.LoopbackIP(t), "hello")
	deadDNS := testharness.LoopbackIP(t) + ":1"
	t.Setenv("T_DNS_SERVER", deadDNS)
	t.Setenv("T_CHECK_URL", "http://"+host.Addr+"/secret-path-0123")
	t.Setenv("T_TOKEN", "tok-9876")
	t.Setenv("T_SHORT", "42")
	b := testharness.StartBIND(t, testharness.BINDOptions{Zone: "example.test."})
	good := b.RFC2136Settings()
	t.Setenv("T_GOOD_KEY", good["key"])
	hcl := fmt.Sprintf(`
dns "good" {
  type   = "rfc2136"
  zone   = "example.test."
  vendor = "other-dns"
  settings = {
    server   = %q
    key_name = %q
    key_alg  = %q
    key      = env("T_GOOD_KEY")
  }
}
`, good["server"], good["key_name"], good["key_alg"]) + `
dns "ns" {
  type = "rfc2136"
  zone = "example.test."
  settings = {
    server   = env("T_DNS_SERVER")
    key_name = "k"
    key_alg  = "hmac-sha256"
    key      = "c2VjcmV0"
  }
}

provider "aws" {
  terraform {
    dir  = "infra/aws"
  }
  check "web" {
    http {
      url = env("T_CHECK_URL")
    }
  }
}

provider "hetzner" {
  standby = "cold"
  terraform {
    dir = "infra/hetzner"
    vars = {
      auth  = "Bearer ${env("T_TOKEN")}"
      small = env("T_SHORT")
    }
  }
}

service "www" {
  records    = ["www"]
  candidates = ["aws", "hetzner"]
  check "home" {
    http {
      path = "/"
    }
  }
}

policy {
  interval = "50ms"
  timeout  = "300ms"
}
`
	cfg := filepath.Join(t.TempDir(), "lifeboat.hcl")
	if err := os.WriteFile(cfg, []byte(hcl), 0o600); err != nil {
		t.Fatal(err)
	}
	_, out1, err1 := runCLI(t, "status", "-c", cfg)
	_, out2, err2 := runCLI(t, "status", "-c", cfg, "-o", "json")
	_, out3, err3 := runCLI(t, "plan", "-c", cfg, "--from", "aws", "-o", "json")
	_, out4, err4 := runCLI(t, "plan", "-c", cfg, "--from", "aws")
	all := strings.Join([]string{out1, err1, out2, err2, out3, err3, out4, err4}, "\n")
	if !strings.Contains(out1, "no nameserver answers") || !strings.Contains(out4, "MOVE aws -> hetzner") || !strings.Contains(out4, `var auth = "(secret)"`) {
		t.Fatalf("the commands did not run as expected:\n%s", all)
	}
	for _, secret := range []string{deadDNS, "secret-path-0123", "tok-9876", `"42"`, "= 42"} {
		if strings.Contains(all, secret) {
			t.Errorf("%q appears in the output:\n%s", secret, all)
		}
	}
}

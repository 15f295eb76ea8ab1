package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A secret DNS server or check URL whose host does not resolve: the
// resolver's error names the host alone, which must be hidden like the
// whole value. (.onion names are never resolved, RFC 7686: no query
// leaves the machine.)
func TestSecretHostFormsStayOutOfStatus(t *testing.T) {
	t.Setenv("T_DNS_SERVER", "ns1.Secret-Zone-7f.onion:5353")
	t.Setenv("T_CHECK_URL", "http://probe.Hidden-Host-9a.onion:8080/health")
	hcl := `
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
  addresses = ["127.0.0.1"]
  check "web" {
    http {
      url = env("T_CHECK_URL")
    }
  }
}

provider "hetzner" {
  standby   = "cold"
  addresses = ["127.0.0.1"]
}

service "www" {
  records    = ["www"]
  candidates = ["aws", "hetzner"]
  check "home" {
    tcp {
      port = 1
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
	_, out1, err1 := runCLI(t, "status", "-c", cfg, "-o", "json")
	_, out2, err2 := runCLI(t, "status", "-c", cfg)
	all := strings.Join([]string{out1, err1, out2, err2}, "\n")
	if !strings.Contains(out1, `"dns"`) || !strings.Contains(all, "<hidden>") {
		t.Fatalf("status did not report the DNS server and the check as expected:\n%s", all)
	}
	for _, form := range []string{
		"ns1.Secret-Zone-7f.onion:5353", "ns1.Secret-Zone-7f.onion", "ns1.secret-zone-7f.onion", "Secret-Zone", "secret-zone",
		"probe.Hidden-Host-9a.onion:8080", "probe.Hidden-Host-9a.onion", "probe.hidden-host-9a.onion", "Hidden-Host", "hidden-host", "/health",
	} {
		if strings.Contains(all, form) {
			t.Errorf("%q appears in the output", form)
		}
	}
	if t.Failed() {
		t.Logf("output:\n%s", all)
	}
}

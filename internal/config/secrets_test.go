package config_test

import (
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/lifeboat-dev/lifeboat/internal/config"
)

var secretEnv = map[string]string{
	"API_TOKEN": "tok-1234567890",
	"PIN":       "42", // too short to be tracked by value
	"KEY_NAME":  "computed",
	"SHORT":     "abcd1234",
	"LONG":      "abcd1234efgh",
}

func secretOptions() config.Options {
	return config.Options{LookupEnv: func(k string) (string, bool) {
		v, ok := secretEnv[k]
		return v, ok
	}}
}

// A var is secret when its expression calls a function anywhere, whatever
// its value; the same rule holds for a provider's workspace and a service.
func TestSecretVars(t *testing.T) {
	cases := []struct {
		name string
		vars string
		want map[string]bool
	}{
		{"literals", `{ size = "cx22", count = 2 }`, nil},
		{"env", `{ token = env("API_TOKEN"), size = "cx22" }`, map[string]bool{"token": true}},
		{"template", `{ token = "Bearer ${env("API_TOKEN")}" }`, map[string]bool{"token": true}},
		{"two bytes", `{ pin = env("PIN"), size = "cx22" }`, map[string]bool{"pin": true}},
		{"file", `{ key = file("tsig.key") }`, map[string]bool{"key": true}},
		{"nested template", `{ a = "x-${"y-${env("PIN")}"}", b = "${"plain"}" }`, map[string]bool{"a": true}},
		{"in a conditional", `{ a = true ? env("PIN") : "none" }`, map[string]bool{"a": true}},
		{"quoted key", `{ "with-dash" = env("PIN"), "other" = "x" }`, map[string]bool{"with-dash": true}},
		{"computed map", `{ for k in ["a", "b"] : k => env("PIN") }`, map[string]bool{"a": true, "b": true}},
		{"computed key", `{ (env("KEY_NAME")) = "v", other = "w" }`, map[string]bool{"computed": true, "other": true}},
		{"computed map without function", `{ for k in ["a"] : k => "${k}-x" }`, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			src := fmt.Sprintf(`provider "p" {
  terraform {
    dir  = "infra"
    vars = %s
  }
}
service "s" {
  records    = ["@"]
  candidates = ["p"]
  vars       = %s
  check "up" {
    tcp { port = 80 }
  }
}
`, tc.vars, tc.vars)
			cfg, err := config.Parse("testdata/secrets.hcl", []byte(src), secretOptions())
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, cfg.Providers[0].Terraform.SecretVars); diff != "" {
				t.Errorf("workspace (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.want, cfg.Services[0].SecretVars); diff != "" {
				t.Errorf("service (-want +got):\n%s", diff)
			}
		})
	}
}

// The whole value of a secret var (4 bytes or more) counts as secret by
// value too, for the callers that still ask IsSecret.
func TestSecretVarWholeValue(t *testing.T) {
	src := `provider "p" {
  terraform {
    dir  = "infra"
    vars = { token = "Bearer ${env("API_TOKEN")}", size = "cx22" }
  }
}
`
	cfg, err := config.Parse("testdata/secrets.hcl", []byte(src), secretOptions())
	if err != nil {
		t.Fatal(err)
	}
	if !cfg.IsSecret("Bearer "+secretEnv["API_TOKEN"]) || !cfg.IsSecret(secretEnv["API_TOKEN"]) {
		t.Error("the templated value and the env value must both be secret")
	}
	if cfg.IsSecret("cx22") {
		t.Error("a literal is not secret")
	}
}

func TestHTTPURLSecret(t *testing.T) {
	cases := []struct {
		name string
		http string
		want bool
	}{
		{"literal url", `url = "https://example.com/health"`, false},
		{"env url", `url = env("URL")`, true},
		{"template url", `url = "https://example.com/${env("PIN")}/health"`, true},
		{"path", `path = "/healthz"`, false},
	}
	opts := secretOptions()
	opts.LookupEnv = func(k string) (string, bool) {
		if k == "URL" {
			return "https://example.com/?key=k3y", true
		}
		v, ok := secretEnv[k]
		return v, ok
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			src := "provider \"p\" {\n  check \"c\" {\n    http {\n      " + tc.http + "\n    }\n  }\n}\n"
			cfg, err := config.Parse("c.hcl", []byte(src), opts)
			if err != nil {
				t.Fatal(err)
			}
			h := cfg.Providers[0].Checks[0].HTTP
			if h.URLSecret != tc.want {
				t.Errorf("URLSecret = %v, want %v", h.URLSecret, tc.want)
			}
			if tc.want && cfg.Redact("GET "+h.URL+": refused") != "GET <hidden>: refused" {
				t.Errorf("the secret URL is not redacted: %q", cfg.Redact("GET "+h.URL))
			}
		})
	}
}

func TestRedact(t *testing.T) {
	src := `dns "d" {
  type     = "rfc2136"
  zone     = "example.com"
  settings = { short = env("SHORT"), long = env("LONG"), pin = env("PIN") }
}
`
	cfg, err := config.Parse("c.hcl", []byte(src), secretOptions())
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct{ in, want string }{
		{"", ""},
		{"nothing secret here", "nothing secret here"},
		// Inside a larger string.
		{"auth failed for key=abcd1234; retrying", "auth failed for key=<hidden>; retrying"},
		// Longest first: LONG contains SHORT, and must go whole.
		{"abcd1234efgh and abcd1234", "<hidden> and <hidden>"},
		{"xabcd1234efghx", "x<hidden>x"},
		// Values under 4 bytes are not scrubbed: "42" would mangle every number.
		{"port 4242", "port 4242"},
	}
	for _, tc := range cases {
		if got := cfg.Redact(tc.in); got != tc.want {
			t.Errorf("Redact(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}

	// Safe from several goroutines (the sorted list is built once).
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if got := cfg.Redact("abcd1234efgh"); got != "<hidden>" {
				t.Errorf("concurrent Redact = %q", got)
			}
		}()
	}
	wg.Wait()

	// A nil or hand-built configuration changes nothing.
	var none *config.Config
	if got := none.Redact("abcd1234"); got != "abcd1234" {
		t.Errorf("nil config: %q", got)
	}
	if got := (&config.Config{}).Redact("abcd1234"); got != "abcd1234" {
		t.Errorf("hand-built config: %q", got)
	}
	if strings.Contains(fmt.Sprint(cfg.DNS[0].Settings), "<hidden>") {
		t.Error("Redact must not change the configuration's values")
	}
}

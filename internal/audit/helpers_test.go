package audit_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/lifeboat-dev/lifeboat/internal/audit"
	"github.com/lifeboat-dev/lifeboat/internal/config"
)

// now is the audit's clock in every test.
var now = time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)

// cleanHCL is a configuration with nothing to find: two hosting vendors in
// two jurisdictions, two DNS vendors, the journal and the Terraform state
// at vendors that host nothing, an rto the budget meets. Cases patch it.
const cleanHCL = `
state {
  vendor       = "ovh"
  jurisdiction = "FR"
}

dns "cloudflare" {
  type         = "cloudflare"
  zone         = "example.org."
  jurisdiction = "US"
  nameservers  = ["ada.ns.cloudflare.com:53", "bob.ns.cloudflare.com:53"]
  ns_names     = ["ada.ns.cloudflare.com", "bob.ns.cloudflare.com"]
}

dns "desec" {
  type         = "desec"
  zone         = "example.org."
  jurisdiction = "DE"
  nameservers  = ["ns1.desec.io:53", "ns2.desec.org:53"]
  ns_names     = ["ns1.desec.io", "ns2.desec.org"]
}

registrar "domains" {
  type = "gandi"
  zone = "example.org."
}

provider "hetzner" {
  jurisdiction = "DE"
  addresses    = ["192.0.2.10"]
  terraform {
    dir = "infra/hetzner"
  }
}

provider "digitalocean" {
  jurisdiction = "US"
  standby      = "cold"
  terraform {
    dir = "infra/digitalocean"
  }
}

service "www" {
  records    = ["@", "www"]
  ttl        = 60
  rto        = "10m"
  candidates = ["hetzner", "digitalocean"]
  check "https" {
    http {
      path = "/healthz"
    }
  }
}

policy {
  interval   = "10s"
  fail_after = 6
}

notify "ops" {
  vendor = "pagerduty"
  webhook {
    url = "https://events.example.com/x"
  }
}
`

// cleanFacts go with cleanHCL: nothing to find in them either.
func cleanFacts() audit.Facts {
	return audit.Facts{
		Now:        now,
		Placement:  map[string]string{"www": "hetzner"},
		Delegation: map[string][]string{"example.org.": {"ada.ns.cloudflare.com.", "ns1.desec.io."}},
		Published: map[string][]audit.Record{
			"cloudflare": {{Name: "@", Type: "A", Value: "192.0.2.10"}, {Name: "www", Type: "A", Value: "192.0.2.10"}},
			"desec":      {{Name: "@", Type: "A", Value: "192.0.2.10"}, {Name: "www", Type: "A", Value: "192.0.2.10"}},
		},
		Addresses: map[string][]string{"hetzner": {"192.0.2.10"}, "digitalocean": {"198.51.100.20"}},
		Backends: map[string]audit.Backend{
			"hetzner":      {Type: "s3", Vendor: "aws", Detail: "bucket tfstate at s3.eu-central-1.amazonaws.com"},
			"digitalocean": {Type: "s3", Vendor: "aws", Detail: "bucket tfstate at s3.eu-central-1.amazonaws.com"},
		},
		ApplyTimes: map[string]time.Duration{"digitalocean": 2*time.Minute + 10*time.Second},
		Drills: map[string][]audit.DrillFact{
			"www": {{Name: "weekly", Mode: "canary", At: now.Add(-50 * time.Hour), OK: true}},
		},
	}
}

func parse(t *testing.T, src string) *config.Config {
	t.Helper()
	cfg, err := config.Parse("lifeboat.hcl", []byte(src), config.Options{})
	if err != nil {
		t.Fatalf("configuration: %v", err)
	}
	withData(cfg)
	return cfg
}

// withData gives every service without one a postgres data block "db" at
// each of its candidates, built by hand: it stands for the data block
// cleanHCL would write, so the clean configuration says where its data
// lives. A case about a service without data removes it (checkCase.cfg).
func withData(cfg *config.Config) {
	for _, s := range cfg.Services {
		if s == nil || len(s.Data) > 0 {
			continue
		}
		dsn := map[string]string{}
		for _, c := range s.Candidates {
			dsn[c] = "postgres://lifeboat@" + c + ".db.internal/app"
		}
		s.Data = []*config.Data{{Name: "db", Postgres: &config.PostgresData{DSN: dsn}}}
	}
}

// patch replaces each old with its new in cleanHCL; an old that is not
// there fails the test, so a case cannot silently test the clean file.
func patch(t *testing.T, pairs ...string) string {
	t.Helper()
	src := cleanHCL
	for i := 0; i+1 < len(pairs); i += 2 {
		if !strings.Contains(src, pairs[i]) {
			t.Fatalf("patch: %q is not in the clean configuration", pairs[i])
		}
		src = strings.Replace(src, pairs[i], pairs[i+1], 1)
	}
	return src
}

// got maps the IDs of the report's findings of one check to their severity.
func got(r audit.Report, check string) map[string]audit.Severity {
	out := map[string]audit.Severity{}
	for _, f := range r.Findings {
		if f.Check == check {
			out[f.ID] = f.Severity
		}
	}
	return out
}

func find(t *testing.T, r audit.Report, id string) audit.Finding {
	t.Helper()
	for _, f := range r.Findings {
		if f.ID == id {
			return f
		}
	}
	t.Fatalf("no finding %s in %v", id, ids(r))
	return audit.Finding{}
}

func ids(r audit.Report) []string {
	var out []string
	for _, f := range r.Findings {
		out = append(out, f.ID+"="+f.Severity.String())
	}
	return out
}

// checkCase is one row of a check's table.
type checkCase struct {
	name  string
	src   string             // configuration; "" is the clean one
	facts func(*audit.Facts) // changes to the clean facts
	// cfg changes the parsed configuration: the data, backup and restore
	// blocks are built by hand.
	cfg  func(*config.Config)
	want map[string]audit.Severity
	// evidence must each appear in some evidence line of the finding with
	// the given ID (key "ID" -> substrings).
	evidence map[string][]string
}

func runCases(t *testing.T, check string, cases []checkCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			src := c.src
			if src == "" {
				src = cleanHCL
			}
			f := cleanFacts()
			if c.facts != nil {
				c.facts(&f)
			}
			cfg := parse(t, src)
			if c.cfg != nil {
				c.cfg(cfg)
			}
			r := audit.Audit(cfg, f)
			g := got(r, check)
			want := c.want
			if want == nil {
				want = map[string]audit.Severity{}
			}
			if !mapsEqual(g, want) {
				t.Errorf("%s findings %v, want %v\nall: %v", check, g, want, ids(r))
			}
			for fid, subs := range c.evidence {
				fd := find(t, r, fid)
				all := strings.Join(append(slices.Clone(fd.Evidence), fd.Title, fd.Fix), "\n")
				for _, s := range subs {
					if !strings.Contains(all, s) {
						t.Errorf("%s: %q not in\n%s", fid, s, all)
					}
				}
			}
		})
	}
}

func mapsEqual(a, b map[string]audit.Severity) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

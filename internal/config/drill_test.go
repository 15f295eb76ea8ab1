package config_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/lifeboat-dev/lifeboat/internal/config"
)

// Two zones; service www writes example.test (dns "a"), api writes
// other.test (dns "b"), web writes both.
const drillBase = `provider "p" {
}
dns "a" {
  type = "cloudflare"
  zone = "example.test"
}
dns "b" {
  type = "cloudflare"
  zone = "Other.Test."
}
service "www" {
  records    = ["@", "www", "Shop"]
  candidates = ["p"]
  dns        = ["a"]
  check "up" {
    tcp { port = 80 }
  }
}
service "api" {
  records    = ["api"]
  candidates = ["p"]
  dns        = ["b"]
  check "up" {
    tcp { port = 80 }
  }
}
`

// drillBaseLines is where a drill block appended to drillBase starts.
var drillBaseLines = strings.Count(drillBase, "\n")

func drillBlock(attrs string) string {
	return drillBase + "drill \"d\" {\n  service = \"www\"\n  mode    = \"canary\"\n" + attrs + "}\n"
}

// A canary drill writes and then deletes its record: a record that is, or
// may be, production is refused, naming the record attribute.
func TestDrillRecordRefused(t *testing.T) {
	recordLine := drillBaseLines + 4 // the attribute's line
	blockLine := drillBaseLines + 1
	cases := []struct {
		name      string
		src       string
		line, col int
		msg       string
	}{
		{"the service's record", drillBlock("  record = \"www\"\n"), recordLine, 3, `drill "d": record: "www" is a record of service "www"`},
		{"the service's record in another case", drillBlock("  record = \"WWW\"\n"), recordLine, 3, `"WWW" is a record of service "www"`},
		{"a record written in another case", drillBlock("  record = \"shop\"\n"), recordLine, 3, `"shop" is a record of service "www"`},
		{"the apex", drillBlock("  record = \"@\"\n"), recordLine, 3, `drill "d": record: "@" is the zone's apex`},
		{"the apex written absolutely", drillBlock("  record = \"example.test\"\n"), recordLine, 3, `"example.test" is written as an absolute name in zone example.test.`},
		{"the apex with a trailing dot", drillBlock("  record = \"example.test.\"\n"), recordLine, 3, `drill "d": record: must be a name relative to the zone`},
		{"a name outside the zone", drillBlock("  record = \"drill.elsewhere.test.\"\n"), recordLine, 3, `drill "d": record: must be a name relative to the zone`},
		{"a service record written absolutely", drillBlock("  record = \"www.Example.Test\"\n"), recordLine, 3, `written as an absolute name in zone example.test.`},
		{"an ownership name", drillBlock("  record = \"_lifeboat.drill\"\n"), recordLine, 3, `must be a plain name`},
		{"a wildcard", drillBlock("  record = \"*\"\n"), recordLine, 3, `must be a plain name`},
		{"another service's record in a shared zone",
			strings.Replace(drillBlock("  record = \"api\"\n"), `dns        = ["b"]`, `dns        = ["a", "b"]`, 1), recordLine, 3, `"api" is a record of service "api"`},
		{"the default record is a service's",
			strings.Replace(drillBlock(""), `"Shop"]`, `"Shop", "drill-www"]`, 1), blockLine, 1, `drill "d": record: the default record "drill-www" is a record of service "www"`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := config.Parse("testdata/case.hcl", []byte(tc.src), testOptions())
			var ce *config.Error
			if !errors.As(err, &ce) {
				t.Fatalf("got %v, want *config.Error", err)
			}
			if len(ce.Diags) != 1 {
				t.Errorf("got %d diagnostics, want 1:\n%v", len(ce.Diags), err)
			}
			for _, d := range ce.Diags {
				if d.Line == tc.line && d.Column == tc.col && strings.Contains(d.Message, tc.msg) && d.Filename == "testdata/case.hcl" {
					return
				}
			}
			t.Errorf("want testdata/case.hcl:%d:%d: ...%s...; got\n%v", tc.line, tc.col, tc.msg, err)
		})
	}
}

// Names of the drill's own are accepted, and so is another service's
// record name when that service writes another zone only.
func TestDrillRecordAccepted(t *testing.T) {
	for _, src := range []string{
		drillBlock(""),
		drillBlock("  record = \"drill-www\"\n"),
		drillBlock("  record = \"api\"\n"),
		drillBlock("  record = \"canary.www\"\n"),
		// A readiness drill writes nothing: its default record is not checked.
		strings.Replace(strings.Replace(drillBlock(""), `"Shop"]`, `"Shop", "drill-www"]`, 1), `"canary"`, `"readiness"`, 1),
	} {
		cfg, err := config.Parse("testdata/case.hcl", []byte(src), testOptions())
		if err != nil {
			t.Errorf("%v\nconfig:\n%s", err, src)
			continue
		}
		if r := cfg.Drills[0].Record; r == "" {
			t.Errorf("no drill record after defaults: %q", r)
		}
	}
}

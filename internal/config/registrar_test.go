package config_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/lifeboat-dev/lifeboat/internal/config"
)

func TestRegistrarAndDelegation(t *testing.T) {
	src := `
dns "first" {
  type     = "rfc2136"
  zone     = "Example.Test"
  ns_names = ["NS1.first.example.net", "ns2.first.example.net."]
}
dns "second" {
  type = "rfc2136"
  zone = "Example.Test."
}
registrar "parent" {
  type     = "rfc2136"
  zone     = "example.test"
  settings = { server = "127.0.0.1:53" }
}
policy {
  auto_redelegate = true
  emergency_ttl   = "20s"
  recovery_window = "2m"
}
`
	var checked []string
	opts := config.Options{RegistrarSettings: func(typ string, settings map[string]string) error {
		checked = append(checked, typ+" "+settings["server"])
		return nil
	}}
	cfg, err := config.Parse("c.hcl", []byte(src), opts)
	if err != nil {
		t.Fatal(err)
	}
	if got := cfg.DNS[0].NSNames; strings.Join(got, " ") != "ns1.first.example.net. ns2.first.example.net." {
		t.Errorf("ns_names %q, want fully qualified and lowercase", got)
	}
	// Without nameservers or an rfc2136 server, a provider's own servers
	// are its ns_names.
	if got := cfg.DNS[0].Nameservers; strings.Join(got, " ") != "ns1.first.example.net:53 ns2.first.example.net:53" {
		t.Errorf("nameservers %q, want the ns_names at port 53", got)
	}
	g := cfg.Registrar("Example.Test.")
	if g == nil || g.Name != "parent" || g.Vendor != "rfc2136" {
		t.Fatalf("registrar of the zone as the dns blocks spell it: %+v", g)
	}
	if len(checked) != 1 || checked[0] != "rfc2136 127.0.0.1:53" {
		t.Errorf("RegistrarSettings saw %q", checked)
	}
	p := cfg.Policy
	if !p.AutoRedelegate || p.EmergencyTTL != 20*time.Second || p.RecoveryWindow != 2*time.Minute {
		t.Errorf("policy %+v", p)
	}
	if !cfg.IsSecret("127.0.0.1:53") {
		t.Error("a registrar's settings are secrets, as a dns block's are")
	}
}

func TestRegistrarSettingsErrors(t *testing.T) {
	src := `
dns "a" {
  type = "rfc2136"
  zone = "example.test"
}
registrar "p" {
  type = "namecheep"
  zone = "example.test"
}
registrar "q" {
  type = "gandi"
  zone = "example.test"
}
`
	opts := config.Options{RegistrarSettings: func(typ string, _ map[string]string) error {
		if typ == "namecheep" {
			return fmt.Errorf("%w %q (known: gandi, porkbun, rfc2136)", config.ErrUnknownRegistrarType, typ)
		}
		return errors.New(`missing required setting "bearer_token"`)
	}}
	_, err := config.Parse("c.hcl", []byte(src), opts)
	var ce *config.Error
	if !errors.As(err, &ce) {
		t.Fatalf("got %v", err)
	}
	want := []string{
		`c.hcl:7:3: registrar "p": type: unknown registrar type "namecheep"`,
		`c.hcl:10:1: registrar "q": settings: missing required setting "bearer_token"`,
		`c.hcl:12:3: registrar "q": zone: zone example.test. already has registrar "p"`,
	}
	for _, w := range want {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("want %s in\n%v", w, err)
		}
	}
}

func TestZoneFileBlock(t *testing.T) {
	src := `
dns "a" {
  type = "rfc2136"
  zone = "Example.Test."
}
zone "example.test" {
  file = "zones/example.test.zone"
}
`
	cfg, err := config.Parse("/etc/lifeboat/lifeboat.hcl", []byte(src), config.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got := cfg.ZoneFile("Example.Test."); got != "/etc/lifeboat/zones/example.test.zone" {
		t.Errorf("zone file of the zone as the dns block spells it: %q", got)
	}
	bad := `
dns "a" {
  type = "rfc2136"
  zone = "example.test."
}
zone "other.test" {
  file = "x.zone"
}
zone "example.test." {
}
zone "example.test" {
  file = "y.zone"
}
zone "example.test" {
  file = "z.zone"
}
`
	_, err = config.Parse("c.hcl", []byte(bad), config.Options{})
	for _, want := range []string{
		`c.hcl:6:6: zone "other.test": no dns block serves it`,
		`c.hcl:9:1: zone "example.test.": file: is required`,
		`c.hcl:11:6: zone "example.test": duplicate zone, the first is at line 9`,
		`c.hcl:14:6: zone "example.test": duplicate zone, the first is at line 9`,
	} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("want %s in\n%v", want, err)
		}
	}
}

func TestDNSProxiedRecords(t *testing.T) {
	src := `
dns "cf" {
  type        = "cloudflare"
  zone        = "example.test"
  proxied     = ["WWW", "@"]
  not_proxied = ["mail"]
}
dns "plain" {
  type = "cloudflare"
  zone = "example.test"
}
`
	cfg, err := config.Parse("c.hcl", []byte(src), config.Options{})
	if err != nil {
		t.Fatal(err)
	}
	got := cfg.DNSProvider("cf").ProxiedRecords()
	if len(got) != 3 || !got["www"] || !got["@"] || got["mail"] {
		t.Errorf("ProxiedRecords = %v, want www and @ true, mail false", got)
	}
	if _, ok := got["mail"]; !ok {
		t.Error("mail is missing: not_proxied must be an explicit false")
	}
	if got := cfg.DNSProvider("plain").ProxiedRecords(); got != nil {
		t.Errorf("a block without the lists: %v, want nil (every record keeps its proxy)", got)
	}
}

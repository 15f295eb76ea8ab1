package scaffold

import (
	"context"
	"encoding/base64"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclparse"

	"github.com/lifeboat-dev/lifeboat/internal/config"
	"github.com/lifeboat-dev/lifeboat/internal/registrar"
	"github.com/lifeboat-dev/lifeboat/providers"
)

// secretValue is what a test puts in every secret's variable: a TSIG key
// must be base64, and base64 passes every token check.
var secretValue = base64.StdEncoding.EncodeToString([]byte("not a real secret"))

// parse loads a rendered configuration as `lifeboat validate` does, with
// every secret the answers name set (and nothing else).
func parse(t *testing.T, a Answers, src []byte) *config.Config {
	t.Helper()
	env := map[string]string{}
	for _, s := range a.Secrets() {
		env[s.Env] = secretValue
	}
	cfg, err := config.Parse("lifeboat.hcl", src, config.Options{
		DNSSettings: providers.CheckDNSSettings, RegistrarSettings: registrar.Check,
		LookupEnv: func(k string) (string, bool) { v, ok := env[k]; return v, ok },
	})
	if err != nil {
		t.Fatalf("the rendered configuration does not validate: %v\n%s", err, src)
	}
	return cfg
}

func sample() Answers {
	return Answers{
		Providers: []Provider{{Name: "hetzner"}, {Name: "digitalocean", Standby: "cold"}},
		DNS:       []DNS{{Name: "cloudflare", Type: "cloudflare", Zone: "Example.com"}},
		Services:  []Service{{Name: "www", Records: []string{"www", "@"}, CheckPath: "/healthz"}},
	}
}

// Every registered DNS type renders to a dns block the registry accepts,
// its secrets read with env() and never written.
func TestConfigEveryDNSType(t *testing.T) {
	for _, typ := range providers.DNSTypes() {
		t.Run(typ, func(t *testing.T) {
			a := sample()
			a.DNS = []DNS{{Name: "main-dns", Type: typ, Zone: "example.org."}}
			if err := a.Normalize(); err != nil {
				t.Fatal(err)
			}
			src := Config(a)
			cfg := parse(t, a, src)
			d := cfg.DNSProvider("main-dns")
			if d == nil || d.Type != typ || d.Zone != "example.org." {
				t.Fatalf("dns block: %+v", d)
			}
			_, required, err := providers.DNSSettingKeys(typ)
			if err != nil {
				t.Fatal(err)
			}
			for _, k := range required {
				if _, ok := d.Settings[k]; !ok {
					t.Errorf("required setting %s not written", k)
				}
			}
			if strings.Contains(string(src), secretValue) {
				t.Fatalf("a secret's value was written:\n%s", src)
			}
			for _, k := range secretKeys(typ) {
				want := `(?m)^    ` + k + ` +\= env\("MAIN_DNS_` + strings.ToUpper(k) + `"\)$`
				if !regexp.MustCompile(want).Match(src) {
					t.Errorf("want %s in\n%s", want, src)
				}
			}
		})
	}
}

// A plain setting is one the registry knows for its type, and a secret
// setting is any other required one: the table cannot name a key that
// does not exist.
func TestPlainSettingsExist(t *testing.T) {
	for typ, settings := range plainSettings {
		keys, _, err := providers.DNSSettingKeys(typ)
		if err != nil {
			t.Fatalf("%s: %v", typ, err)
		}
		for _, s := range settings {
			if !slices.Contains(keys, s.key) {
				t.Errorf("%s: %s is not a setting of the type", typ, s.key)
			}
		}
	}
}

// The sample renders what the task's flags describe: the primary and a
// cold standby, the service on both in order, the check, the workspaces'
// directories, the address output lifeboat reads by default.
func TestConfigSample(t *testing.T) {
	a := sample()
	if err := a.Normalize(); err != nil {
		t.Fatal(err)
	}
	src := Config(a)
	cfg := parse(t, a, src)
	if p := cfg.Provider("hetzner"); p == nil || p.Standby != config.StandbyActive || p.Vendor != "hetzner" || p.Terraform.Dir == "" {
		t.Fatalf("hetzner: %+v", p)
	}
	if p := cfg.Provider("digitalocean"); p == nil || p.Standby != config.StandbyCold {
		t.Fatalf("digitalocean: %+v", p)
	}
	s := cfg.Services[0]
	if !slices.Equal(s.Records, []string{"www", "@"}) || !slices.Equal(s.Candidates, []string{"hetzner", "digitalocean"}) {
		t.Fatalf("service: %+v", s)
	}
	if s.AddressOutput != AddressOutput || AddressOutput != config.DefaultAddressOutput {
		t.Fatalf("address output %q, the skeleton's %q, lifeboat's default %q", s.AddressOutput, AddressOutput, config.DefaultAddressOutput)
	}
	if len(s.Checks) != 1 || s.Checks[0].HTTP == nil || s.Checks[0].HTTP.Path != "/healthz" || s.Checks[0].HTTP.Host != "www.example.com" {
		t.Fatalf("check: %+v", s.Checks)
	}
	if s.Vars["active"] != "true" {
		t.Fatalf("vars: %v", s.Vars)
	}
	if cfg.DNS[0].Zone != "example.com." {
		t.Fatalf("zone %q", cfg.DNS[0].Zone)
	}
	if !strings.Contains(string(src), `api_token = env("CLOUDFLARE_API_TOKEN")`) {
		t.Fatalf("the secret is not read from CLOUDFLARE_API_TOKEN:\n%s", src)
	}
	if !strings.Contains(string(src), `pass_env = ["HCLOUD_TOKEN"]`) {
		t.Fatalf("no pass_env for hetzner:\n%s", src)
	}
}

// Each workspace skeleton is HCL declaring the variable and the output
// lifeboat uses, with active on only at an active standby.
func TestWorkspace(t *testing.T) {
	for _, tc := range []struct {
		p      Provider
		active string
		hint   string
	}{
		{Provider{Name: "hetzner", Vendor: "hetzner", Standby: "active"}, "true", "hetznercloud/hcloud"},
		{Provider{Name: "spare", Vendor: "acme", Standby: "cold"}, "false", "the provider of acme"},
		{Provider{Name: "warm", Vendor: "aws", Standby: "warm"}, "false", "hashicorp/aws"},
	} {
		src := Workspace(tc.p)
		f, diags := hclparse.NewParser().ParseHCL(src, "main.tf")
		if diags.HasErrors() {
			t.Fatalf("%s: %v\n%s", tc.p.Name, diags, src)
		}
		content, _, diags := f.Body.PartialContent(&hcl.BodySchema{Blocks: []hcl.BlockHeaderSchema{
			{Type: "variable", LabelNames: []string{"name"}}, {Type: "output", LabelNames: []string{"name"}},
		}})
		if diags.HasErrors() {
			t.Fatal(diags)
		}
		var vars, outs []string
		for _, b := range content.Blocks {
			if b.Type == "variable" {
				vars = append(vars, b.Labels[0])
			} else {
				outs = append(outs, b.Labels[0])
			}
		}
		if !slices.Equal(vars, []string{"active"}) || !slices.Equal(outs, []string{config.DefaultAddressOutput}) {
			t.Fatalf("%s: variables %v, outputs %v", tc.p.Name, vars, outs)
		}
		if !strings.Contains(string(src), "default     = "+tc.active+"\n") || !strings.Contains(string(src), tc.hint) {
			t.Fatalf("%s: want active default %s and %q:\n%s", tc.p.Name, tc.active, tc.hint, src)
		}
	}
}

func TestNormalizeRefuses(t *testing.T) {
	for name, edit := range map[string]func(a *Answers){
		"no provider":        func(a *Answers) { a.Providers = nil },
		"no dns":             func(a *Answers) { a.DNS = nil },
		"bad provider name":  func(a *Answers) { a.Providers[0].Name = "../x" },
		"provider twice":     func(a *Answers) { a.Providers[1].Name = "hetzner" },
		"bad standby":        func(a *Answers) { a.Providers[1].Standby = "lukewarm" },
		"unknown dns type":   func(a *Answers) { a.DNS[0].Type = "bind" },
		"bad zone":           func(a *Answers) { a.DNS[0].Zone = "com" },
		"secret setting":     func(a *Answers) { a.DNS[0].Settings = map[string]string{"api_token": "x"} },
		"absolute record":    func(a *Answers) { a.Services[0].Records = []string{"www.example.com."} },
		"unknown candidate":  func(a *Answers) { a.Services[0].Candidates = []string{"linode"} },
		"candidate twice":    func(a *Answers) { a.Services[0].Candidates = []string{"hetzner", "hetzner"} },
		"relative path":      func(a *Answers) { a.Services[0].CheckPath = "healthz" },
		"reserved name sync": func(a *Answers) { a.Services[0].Name = "sync" },
	} {
		a := sample()
		edit(&a)
		if err := a.Normalize(); !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: got %v, want ErrInvalid", name, err)
		}
	}
}

func TestParseSpecs(t *testing.T) {
	p, err := ParseProvider("digitalocean:do:cold")
	if err != nil || p != (Provider{Name: "digitalocean", Vendor: "do", Standby: "cold"}) {
		t.Fatalf("%+v %v", p, err)
	}
	d, err := ParseDNS("cf:cloudflare:example.com.")
	if err != nil || d.Name != "cf" || d.Type != "cloudflare" || d.Zone != "example.com." || d.Vendor != "" {
		t.Fatalf("%+v %v", d, err)
	}
	s, err := ParseService("api:api,@:b,a:/up")
	if err != nil || s.Name != "api" || !slices.Equal(s.Records, []string{"api", "@"}) || !slices.Equal(s.Candidates, []string{"b", "a"}) || s.CheckPath != "/up" {
		t.Fatalf("%+v %v", s, err)
	}
	for _, bad := range []func() error{
		func() error { _, err := ParseProvider("a:b:c:d"); return err },
		func() error { _, err := ParseDNS("a:cloudflare"); return err },
		func() error { _, err := ParseService(":x"); return err },
		func() error { a := sample(); return a.SetDNSSetting("nope.server=x:53") },
		func() error { a := sample(); return a.SetDNSSetting("cloudflare.server") },
	} {
		if err := bad(); !errors.Is(err, ErrInvalid) {
			t.Errorf("got %v, want ErrInvalid", err)
		}
	}
}

// The questions, answered as a user would (defaults taken with Enter, a
// bad answer corrected), give the same answers as the flags.
func TestAskMatchesFlags(t *testing.T) {
	in := strings.Join([]string{
		"hetzner", "", "", // vendor and standby defaulted
		"digitalocean", "", "lukewarm", "cold", // a bad standby asked again
		"",
		"ns", "", "rfc2136", "example.com", "", "10.0.0.53:53", "", "",
		"",
		"", "www,@", "", "/healthz", // service www by default
		"api", "", "digitalocean,hetzner", "",
		"",
	}, "\n") + "\n"
	var out strings.Builder
	got, err := Ask(context.Background(), strings.NewReader(in), &out)
	if err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	want := Answers{}
	for _, spec := range []string{"hetzner", "digitalocean:digitalocean:cold"} {
		p, _ := ParseProvider(spec)
		want.Providers = append(want.Providers, p)
	}
	d, _ := ParseDNS("ns:rfc2136:example.com")
	want.DNS = []DNS{d}
	if err := want.SetDNSSetting("ns.server=10.0.0.53:53"); err != nil {
		t.Fatal(err)
	}
	for _, spec := range []string{"www:www,@::/healthz", "api::digitalocean,hetzner"} {
		s, _ := ParseService(spec)
		want.Services = append(want.Services, s)
	}
	if err := want.Normalize(); err != nil {
		t.Fatal(err)
	}
	if string(Config(got)) != string(Config(want)) {
		t.Fatalf("the questions gave\n%s\nthe flags\n%s", Config(got), Config(want))
	}
	if !strings.Contains(out.String(), "want active, warm or cold") || !strings.Contains(out.String(), "NS_KEY") {
		t.Fatalf("the session did not correct the bad answer or name the secret:\n%s", out.String())
	}
}

// Input that ends before the questions do is an error, not a half
// configuration.
func TestAskClosedInput(t *testing.T) {
	_, err := Ask(context.Background(), strings.NewReader("hetzner\n\n"), &strings.Builder{})
	if !errors.Is(err, ErrClosed) {
		t.Fatalf("got %v, want ErrClosed", err)
	}
}

// Write refuses an existing configuration and leaves it as it was; with
// force it overwrites it, and an existing workspace file is always kept.
func TestWriteRefusesExisting(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "lifeboat.hcl")
	a := sample()
	if err := a.Normalize(); err != nil {
		t.Fatal(err)
	}
	res, err := Write(path, a, false)
	if err != nil || len(res.Written) != 2 {
		t.Fatalf("%+v %v", res, err)
	}
	if err := os.WriteFile(path, []byte("mine\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tf := filepath.Join(dir, "infra", "hetzner", "main.tf")
	if err := os.WriteFile(tf, []byte("# my workspace\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := CheckTarget(path, false); !errors.Is(err, ErrExists) {
		t.Fatalf("CheckTarget: %v", err)
	}
	if _, err := Write(path, a, false); !errors.Is(err, ErrExists) {
		t.Fatalf("second write: %v", err)
	}
	if b, _ := os.ReadFile(path); string(b) != "mine\n" {
		t.Fatalf("the refused write changed the file: %q", b)
	}
	if err := os.Remove(filepath.Join(dir, "infra", "digitalocean", "main.tf")); err != nil {
		t.Fatal(err)
	}
	res, err = Write(path, a, true)
	if err != nil || !slices.Equal(res.Kept, []string{tf}) || len(res.Written) != 1 {
		t.Fatalf("forced write: %+v %v", res, err)
	}
	if b, _ := os.ReadFile(path); string(b) != string(Config(a)) {
		t.Fatal("--force did not overwrite the configuration")
	}
	if b, _ := os.ReadFile(tf); string(b) != "# my workspace\n" {
		t.Fatal("an existing workspace file was overwritten")
	}
}

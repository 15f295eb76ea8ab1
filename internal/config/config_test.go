package config_test

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/lifeboat-dev/lifeboat/internal/config"
)

func loadFull(t *testing.T) *config.Config {
	t.Helper()
	cfg, err := config.Load("testdata/full.hcl", testOptions())
	if err != nil {
		t.Fatalf("full.hcl: %v", err)
	}
	return cfg
}

func TestFullSketch(t *testing.T) {
	cfg := loadFull(t)

	abs, _ := filepath.Abs("testdata")
	if cfg.Filename != "testdata/full.hcl" || cfg.Dir != abs {
		t.Errorf("Filename %q Dir %q", cfg.Filename, cfg.Dir)
	}
	if got := cfg.Path(cfg.State.Path); got != filepath.Join(abs, "var/lifeboat.db") {
		t.Errorf("state path resolves to %q", got)
	}
	if got := cfg.Path("/abs/x"); got != "/abs/x" {
		t.Errorf("absolute path changed: %q", got)
	}

	wantTF := config.TerraformCLI{Binary: "tofu", CLIConfigFile: "tf/cli.tfrc", Timeout: 15 * time.Minute, LockTimeout: config.DefaultTerraformLockTimeout}
	if diff := cmp.Diff(wantTF, cfg.Terraform, ignoreRanges()); diff != "" {
		t.Errorf("terraform (-want +got):\n%s", diff)
	}

	wantDNS := []*config.DNSProvider{
		{
			Name: "primary", Type: "rfc2136", Zone: "example.com.", Vendor: "rfc2136",
			Settings: map[string]string{
				"server": "127.0.0.1:5300", "key_name": "lifeboat", "key_alg": "hmac-sha256",
				"key": "c2VjcmV0LXRzaWcta2V5LWZyb20tZmlsZQ==", // file(), trailing newline trimmed
			},
			Nameservers: []string{"127.0.0.1:5300"}, // rfc2136 default: settings.server
		},
		{
			Name: "secondary", Type: "cloudflare", Zone: "example.com.", // dot added
			Vendor: "cloudflare", Jurisdiction: "US",
			Settings: map[string]string{"api_token": testEnv["CF_API_TOKEN"]},
		},
	}
	if diff := cmp.Diff(wantDNS, cfg.DNS, ignoreRanges()); diff != "" {
		t.Errorf("dns (-want +got):\n%s", diff)
	}

	wantProviders := []*config.Provider{
		{
			Name: "aws", Vendor: "amazon", Jurisdiction: "US", Standby: config.StandbyActive,
			Terraform: &config.Workspace{Dir: "infra/aws", Workspace: "default"},
			Checks: []*config.Check{{
				Name: "api", Interval: 5 * time.Second, Timeout: 3 * time.Second,
				ProviderAPI: &config.ProviderAPICheck{
					URL:    "https://ec2.us-east-1.amazonaws.com/?Action=DescribeAccountAttributes",
					Method: "GET", Token: testEnv["AWS_PROBE_TOKEN"], Header: "Authorization",
					LostPattern: config.DefaultLostPattern,
				},
			}},
		},
		{
			Name: "hetzner", Vendor: "hetzner", Jurisdiction: "DE", Standby: config.StandbyWarm,
			Addresses: []string{"127.0.0.2"},
			Terraform: &config.Workspace{Dir: "infra/hetzner", Workspace: "standby",
				Vars: map[string]string{"size": "cx22", "count": "2"}},
			Checks: []*config.Check{{
				Name: "ssh", Interval: 10 * time.Second, Timeout: 3 * time.Second,
				TCP: &config.TCPCheck{Port: 22, Expect: "^SSH-"},
			}},
		},
		{
			Name: "ovh", Vendor: "ovh", Standby: config.StandbyCold,
			Terraform: &config.Workspace{Dir: "infra/ovh", Workspace: "default"},
		},
	}
	if diff := cmp.Diff(wantProviders, cfg.Providers, ignoreRanges()); diff != "" {
		t.Errorf("providers (-want +got):\n%s", diff)
	}

	defaults := func(h config.HTTPCheck) *config.HTTPCheck {
		if h.Method == "" {
			h.Method = "GET"
		}
		if h.CertExpiryWarning == 0 {
			h.CertExpiryWarning = 336 * time.Hour
		}
		return &h
	}
	wantServices := []*config.Service{
		{
			Name: "www", Records: []string{"@", "www"}, TTL: 300,
			Candidates:    []string{"aws", "hetzner", "ovh"},
			AddressOutput: "web_ipv4",
			DNS:           []string{"primary", "secondary"}, // default: all
			Checks: []*config.Check{
				{Name: "http", Interval: 5 * time.Second, Timeout: 3 * time.Second,
					HTTP: defaults(config.HTTPCheck{Path: "/healthz", Scheme: "http", Port: 80, Host: "www.example.com",
						ExpectStatus: []int{200}, BodyRegex: "ok", FollowRedirects: true, MaxRedirects: 10})},
				{Name: "tls", Interval: 5 * time.Second, Timeout: 2 * time.Second,
					HTTP: defaults(config.HTTPCheck{URL: "https://www.example.com/", CertExpiryWarning: 720 * time.Hour,
						FollowRedirects: false, MaxRedirects: 0,
						ExpectHeaders: map[string]string{"Content-Type": "^text/html"}})},
				{Name: "resolves", Interval: 5 * time.Second, Timeout: 3 * time.Second,
					DNS: &config.DNSCheck{Server: "127.0.0.1:5300", Name: "www.example.com", Type: "AAAA"}},
				{Name: "script", Interval: 5 * time.Second, Timeout: 3 * time.Second,
					Exec: &config.ExecCheck{Command: []string{"./check.sh", "--quick"}, Env: map[string]string{"MODE": "fast"}}},
			},
		},
		{
			Name: "api", Records: []string{"api"}, TTL: 60, Candidates: []string{"hetzner"},
			AddressOutput: "addresses", DNS: []string{"primary"},
			Checks: []*config.Check{
				{Name: "up", Interval: 5 * time.Second, Timeout: 3 * time.Second, TCP: &config.TCPCheck{Port: 80}},
			},
		},
	}
	if diff := cmp.Diff(wantServices, cfg.Services, ignoreRanges()); diff != "" {
		t.Errorf("services (-want +got):\n%s", diff)
	}

	wantPolicy := config.Policy{
		Interval: 5 * time.Second, Timeout: 3 * time.Second, FailAfter: 3, RecoverAfter: 5,
		Quorum: 1, AutoFailover: true, Cooldown: 30 * time.Minute, MaxAuto: 3, AutoWindow: 24 * time.Hour, Concurrency: 64,
		WaitHealthy: 5 * time.Minute, VerifyDNS: 2 * time.Minute,
		EmergencyTTL: config.DefaultEmergencyTTL, RecoveryWindow: config.DefaultRecoveryWindow,
		DataInterval: config.DefaultDataInterval,
	}
	if diff := cmp.Diff(wantPolicy, cfg.Policy, ignoreRanges()); diff != "" {
		t.Errorf("policy (-want +got):\n%s", diff)
	}

	wantDrills := []*config.Drill{
		{Name: "weekly", Schedule: "0 4 * * 1", Service: "www", Mode: config.DrillCanary, Record: "drill-www"},
		{Name: "manual", Service: "api", Mode: config.DrillReadiness, Record: "drill-api", Target: "hetzner"},
	}
	if diff := cmp.Diff(wantDrills, cfg.Drills, ignoreRanges()); diff != "" {
		t.Errorf("drills (-want +got):\n%s", diff)
	}

	wantNotify := []*config.Notify{{
		Name: "ops", Events: []string{"failover", "drill"}, Timeout: 10 * time.Second, Retries: 3,
		Webhook: &config.Webhook{URL: testEnv["LIFEBOAT_WEBHOOK"], Headers: map[string]string{"X-Team": "ops"}},
	}}
	if diff := cmp.Diff(wantNotify, cfg.Notify, ignoreRanges()); diff != "" {
		t.Errorf("notify (-want +got):\n%s", diff)
	}
}

// ignoreRanges compares values, not positions (TestRanges checks those).
func ignoreRanges() cmp.Option {
	return cmp.FilterPath(func(p cmp.Path) bool {
		sf, ok := p.Last().(cmp.StructField)
		return ok && sf.Name() == "Range"
	}, cmp.Ignore())
}

func TestRanges(t *testing.T) {
	cfg := loadFull(t)
	www := cfg.Service("www")
	if www.Range.Start.Line != 71 || www.Range.Start.Column != 1 || www.Range.Filename != "testdata/full.hcl" {
		t.Errorf("service range %v", www.Range)
	}
	if r := cfg.AttrRange(www.Range, "ttl"); r.Start.Line != 73 || r.Start.Column != 3 {
		t.Errorf("ttl range %v", r)
	}
	// Not written: the block's own range.
	if r := cfg.AttrRange(www.Range, "adopt"); r != www.Range {
		t.Errorf("adopt range %v", r)
	}
	http := www.Checks[0].HTTP
	if http.Range.Start.Line != 77 || http.Range.Start.Column != 5 {
		t.Errorf("http range %v", http.Range)
	}
	if r := cfg.AttrRange(http.Range, "expect_status"); r.Start.Line != 79 {
		t.Errorf("expect_status range %v", r)
	}
	if r := cfg.Policy.Range; r.Start.Line != 118 {
		t.Errorf("policy range %v", r)
	}
	// A hand-built Config has no attribute ranges and must not panic.
	var empty config.Config
	if r := empty.AttrRange(www.Range, "ttl"); r != www.Range {
		t.Errorf("hand-built: %v", r)
	}
}

func TestEmptyConfigDefaults(t *testing.T) {
	cfg, err := config.Parse("lifeboat.hcl", nil, config.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.State.Path != "lifeboat.db" || cfg.Terraform.Timeout != 10*time.Minute || cfg.Policy.Interval != 5*time.Second ||
		cfg.Policy.Quorum != 0.5 || cfg.Policy.Cooldown != 30*time.Minute || cfg.Policy.Concurrency != 64 ||
		cfg.Policy.MaxAuto != 3 || cfg.Policy.AutoWindow != 24*time.Hour {
		t.Errorf("defaults not applied: %+v %+v %+v", cfg.State, cfg.Terraform, cfg.Policy)
	}
}

func TestDefaultsWithoutOverrides(t *testing.T) {
	src := `
state {
  etcd {
    endpoints = ["http://127.0.0.1:2379"]
  }
}
provider "p" {
  check "web" {
    http {
      scheme = "https"
    }
  }
}
service "s" {
  records    = ["@"]
  candidates = ["p"]
  check "up" {
    tcp { port = 80 }
  }
}
drill "d" {
  service = "s"
}
`
	cfg, err := config.Parse("c.hcl", []byte(src), config.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if e := cfg.State.Etcd; e == nil || e.Prefix != "/lifeboat/" || cfg.State.Path != "lifeboat.db" || e.Lease != 3*time.Second || e.Node == "" {
		t.Errorf("state %+v", cfg.State)
	}
	if cfg.Policy.NodeQuorum != 0 {
		t.Errorf("node_quorum defaults to %d, want 0 (a majority of the live nodes)", cfg.Policy.NodeQuorum)
	}
	h := cfg.Providers[0].Checks[0].HTTP
	if h.Path != "/" || h.Port != 443 || h.Method != "GET" || !h.FollowRedirects || h.MaxRedirects != 10 {
		t.Errorf("http defaults %+v", h)
	}
	if d := cfg.Drills[0]; d.Record != "drill" || d.Mode != config.DrillReadiness {
		t.Errorf("drill %+v", d)
	}
	if s := cfg.Services[0]; s.DNS != nil || s.TTL != 60 {
		t.Errorf("service %+v", s)
	}
}

// Secrets must not leak through any message, whichever mistake carries them.
func TestSecretsNeverInMessages(t *testing.T) {
	src := `
dns "d" {
  type     = "rfc2136"
  zone     = "example.com"
  settings = { server = "127.0.0.1:53", bogus = env("LIFEBOAT_SECRET") }
}
provider "p" {
  vendor = env("LIFEBOAT_SECRET")
  check "c" {
    http {
      url        = env("LIFEBOAT_SECRET")
      body_regex = "${env("LIFEBOAT_SECRET")}(("
      max_latency = env("LIFEBOAT_SECRET")
    }
  }
}
service "s" {
  records    = [env("LIFEBOAT_SECRET"), env("LIFEBOAT_SECRET")]
  candidates = [env("LIFEBOAT_SECRET")]
  ttl        = env("LIFEBOAT_SECRET")
  check "up" {
    tcp { port = 80 }
  }
}
drill "d" {
  service  = env("LIFEBOAT_SECRET")
  schedule = env("LIFEBOAT_SECRET")
  mode     = env("LIFEBOAT_SECRET")
}
policy {
  quorum   = env("LIFEBOAT_SECRET")
  interval = env("LIFEBOAT_SECRET")
}
notify "n" {
  webhook {
    url = "ftp://${env("LIFEBOAT_SECRET")}"
  }
}
`
	leaky := func(typ string, settings map[string]string) error {
		// A careless checker that quotes a value: the loader scrubs it.
		return errors.New("bad value " + settings["bogus"])
	}
	opts := testOptions()
	opts.DNSSettings = leaky
	_, err := config.Parse("c.hcl", []byte(src), opts)
	var ce *config.Error
	if !errors.As(err, &ce) {
		t.Fatalf("want *config.Error, got %v", err)
	}
	if len(ce.Diags) < 10 {
		t.Errorf("want every mistake reported, got %d:\n%v", len(ce.Diags), err)
	}
	secret := testEnv["LIFEBOAT_SECRET"]
	for _, part := range []string{secret, "hunter2", "very-secret"} {
		if strings.Contains(err.Error(), part) {
			t.Errorf("secret %q leaked:\n%v", part, err)
		}
	}
}

func TestMissingEnvNamesVariableOnly(t *testing.T) {
	src := `notify "n" {
  webhook {
    url = "https://x.example/${env("LIFEBOAT_SECRET")}/${env("LIFEBOAT_HOOK_PATH")}"
  }
}
`
	_, err := config.Parse("c.hcl", []byte(src), testOptions())
	if err == nil || !strings.Contains(err.Error(), "LIFEBOAT_HOOK_PATH is not set") {
		t.Fatalf("want the missing variable named, got %v", err)
	}
	if strings.Contains(err.Error(), testEnv["LIFEBOAT_SECRET"]) {
		t.Errorf("secret leaked: %v", err)
	}
}

func TestDiagnosticsSortedAndComplete(t *testing.T) {
	src := `service "s" {
  candidates = ["nope"]
  ttl        = 0
}
policy {
  interval = "soon"
}
provider "p" {
  standby = "lukewarm"
}
`
	_, err := config.Parse("c.hcl", []byte(src), config.Options{})
	var ce *config.Error
	if !errors.As(err, &ce) {
		t.Fatalf("got %v", err)
	}
	var got []string
	for _, d := range ce.Diags {
		got = append(got, d.String())
	}
	want := []string{
		`c.hcl:1:1: service "s": has no check block: add at least one (http, tcp, dns or exec) so lifeboat can confirm a target is serving before DNS moves to it`,
		`c.hcl:1:1: service "s": records: at least one record is required`,
		`c.hcl:2:3: service "s": candidates: provider "nope" is not declared`,
		`c.hcl:3:3: service "s": ttl: must be between 1 and 86400, got 0`,
		`c.hcl:6:3: policy.interval: invalid duration "soon" (use a number and a unit, such as 30s, 5m or 1h)`,
		`c.hcl:9:3: provider "p": standby: must be one of active, warm, cold, got "lukewarm"`,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if err.Error() != strings.Join(want, "\n") {
		t.Errorf("Error() = %q", err.Error())
	}
}

func TestLoadUnreadable(t *testing.T) {
	_, err := config.Load(filepath.Join(t.TempDir(), "missing.hcl"), config.Options{})
	var ce *config.Error
	if err == nil || errors.As(err, &ce) || !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("want a wrapped not-exist error, got %T %v", err, err)
	}
}

func TestFileFunction(t *testing.T) {
	dir := t.TempDir()
	write := func(name, s string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(s), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write("one.txt", "abc\n")
	write("two.txt", "abc\n\n")
	write("crlf.txt", "abc\r\n")
	write("none.txt", "abc")
	write("lifeboat.hcl", `dns "d" {
  type     = "rfc2136"
  zone     = "example.com"
  settings = { one = file("one.txt"), two = file("two.txt"), crlf = file("crlf.txt"), none = file("none.txt") }
}
`)
	cfg, err := config.Load(filepath.Join(dir, "lifeboat.hcl"), config.Options{})
	if err != nil {
		t.Fatal(err)
	}
	// Exactly one trailing newline is trimmed.
	want := map[string]string{"one": "abc", "two": "abc\n", "crlf": "abc", "none": "abc"}
	if diff := cmp.Diff(want, cfg.DNS[0].Settings); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}

	// A directory, a missing file and a FIFO are refused with the path named.
	if err := os.Mkdir(filepath.Join(dir, "sub"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(filepath.Join(dir, "fifo"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"sub", "gone.key", "fifo"} {
		src := `state {
  path = file("` + p + `")
}
`
		_, err := config.Parse(filepath.Join(dir, "x.hcl"), []byte(src), config.Options{})
		if err == nil || !strings.Contains(err.Error(), `cannot read "`+p+`"`) {
			t.Errorf("file(%q): got %v", p, err)
		}
	}
}

func TestSecretsMessages(t *testing.T) {
	src := `provider "p" {
  check "c" {
    http {
      max_latency = env("LIFEBOAT_SECRET")
      body_regex  = "${env("LIFEBOAT_SECRET")}(("
    }
  }
}
`
	_, err := config.Parse("c.hcl", []byte(src), testOptions())
	want := `c.hcl:4:7: provider "p" check "c": http.max_latency: invalid duration <hidden> (use a number and a unit, such as 30s, 5m or 1h)
c.hcl:5:7: provider "p" check "c": http.body_regex: invalid regular expression: missing closing )`
	if err == nil || err.Error() != want {
		t.Errorf("got\n%v\nwant\n%s", err, want)
	}
}

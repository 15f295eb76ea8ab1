package providers

import (
	"encoding/base64"
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/libdns/powerdns"
	"github.com/libdns/rfc2136"
	"github.com/libdns/route53"
)

// secret is put into settings values; it must never reach an error message.
const secret = "s3cr3t-Value-that-must-not-leak"

// secretBase64 is secret in the form a TSIG key takes.
var secretBase64 = base64.StdEncoding.EncodeToString([]byte(secret))

// formed are valid values for the required keys that have a form to
// check; every other required key gets secret.
var formed = map[string]string{
	"server":     "127.0.0.1:53",
	"key_name":   "lifeboat-key",
	"key_alg":    "hmac-sha256",
	"key":        secretBase64,
	"server_url": "https://pdns.example.net:8081",
	"endpoint":   "ovh-eu",
}

// validSettings builds a settings map holding every required key of typ.
func validSettings(t *testing.T, typ string) map[string]string {
	t.Helper()
	_, required, err := DNSSettingKeys(typ)
	if err != nil {
		t.Fatal(err)
	}
	s := map[string]string{}
	for _, k := range required {
		s[k] = secret
		if v, ok := formed[k]; ok {
			s[k] = v
		}
	}
	return s
}

// inner is the provider a NewDNS result wraps.
func inner(t *testing.T, d DNS) DNS {
	t.Helper()
	g, ok := d.(*guarded)
	if gp, isProxy := d.(*guardedProxy); isProxy {
		g, ok = gp.guarded, true
	}
	if !ok {
		t.Fatalf("NewDNS returned %T, not the guarded wrapper", d)
	}
	if s, ok := g.p.(*safeRoute53); ok {
		return s.p
	}
	return g.p
}

func TestDNSTypesSortedAndComplete(t *testing.T) {
	want := []string{"bunny", "cloudflare", "desec", "digitalocean", "gandi", "hetzner", "ovh", "powerdns", "rfc2136", "route53"}
	if got := DNSTypes(); !slices.Equal(got, want) {
		t.Fatalf("DNSTypes() = %v, want %v", got, want)
	}
}

func TestEveryTypeBuildsFromValidSettings(t *testing.T) {
	for _, typ := range DNSTypes() {
		t.Run(typ, func(t *testing.T) {
			keys, required, err := DNSSettingKeys(typ)
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range required {
				if !slices.Contains(keys, r) {
					t.Errorf("required key %q is not a key of the provider struct (keys %v)", r, keys)
				}
			}
			p, err := NewDNS(typ, validSettings(t, typ))
			if err != nil {
				t.Fatalf("NewDNS: %v", err)
			}
			if p == nil || reflect.ValueOf(inner(t, p)).IsNil() {
				t.Fatal("NewDNS returned a nil provider")
			}
			if err := CheckDNSSettings(typ, validSettings(t, typ)); err != nil {
				t.Fatalf("CheckDNSSettings: %v", err)
			}
		})
	}
}

func TestRequiredKeys(t *testing.T) {
	cases := map[string][]string{
		"rfc2136":    {"key", "key_alg", "key_name", "server"},
		"cloudflare": {"api_token"},
		"route53":    nil,
		"ovh":        {"application_key", "application_secret", "consumer_key", "endpoint"},
	}
	for typ, want := range cases {
		_, got, err := DNSSettingKeys(typ)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got, want) {
			t.Errorf("%s required = %v, want %v", typ, got, want)
		}
	}
}

func TestSettingsReachTheProviderStruct(t *testing.T) {
	p, err := NewDNS("rfc2136", map[string]string{
		"server": "127.0.0.1:53", "key_name": "lifeboat", "key_alg": "hmac-sha256", "key": secretBase64,
	})
	if err != nil {
		t.Fatal(err)
	}
	want := &rfc2136.Provider{Server: "127.0.0.1:53", KeyName: "lifeboat", KeyAlg: "hmac-sha256", Key: secretBase64}
	if p := inner(t, p); !reflect.DeepEqual(p, want) {
		t.Fatalf("got %+v, want %+v", p, want)
	}

	// Kinds other than string: int, bool, duration.
	p, err = NewDNS("route53", map[string]string{
		"region": "eu-west-1", "max_retries": "7", "wait_for_route53_sync": "true", "route53_max_wait": "90s",
	})
	if err != nil {
		t.Fatal(err)
	}
	r := inner(t, p).(*route53.Provider)
	if r.Region != "eu-west-1" || r.MaxRetries != 7 || !r.WaitForRoute53Sync || r.Route53MaxWait != 90*time.Second {
		t.Fatalf("route53 fields not set: region=%q retries=%d sync=%v wait=%v", r.Region, r.MaxRetries, r.WaitForRoute53Sync, r.Route53MaxWait)
	}

	// An optional key that is omitted keeps the provider's default.
	p, err = NewDNS("powerdns", map[string]string{"server_url": "http://127.0.0.1:8081", "api_token": secret})
	if err != nil {
		t.Fatal(err)
	}
	if pd := inner(t, p).(*powerdns.Provider); pd.ServerID != "" || pd.ServerURL != "http://127.0.0.1:8081" {
		t.Fatalf("powerdns fields: id=%q url=%q", pd.ServerID, pd.ServerURL)
	}
}

func TestBadSettings(t *testing.T) {
	with := func(typ string, edit func(map[string]string)) map[string]string {
		s := validSettings(t, typ)
		edit(s)
		return s
	}
	cases := []struct {
		name     string
		typ      string
		settings map[string]string
		want     []string // substrings of the message
	}{
		{"unknown key lists the valid ones", "cloudflare",
			with("cloudflare", func(s map[string]string) { s["apitoken"] = secret }),
			[]string{`unknown setting "apitoken"`, "valid: api_token, zone_token"}},
		{"missing required key", "rfc2136",
			with("rfc2136", func(s map[string]string) { delete(s, "key") }),
			[]string{`missing required setting "key"`}},
		{"empty required key counts as missing", "rfc2136",
			with("rfc2136", func(s map[string]string) { s["key_name"] = "" }),
			[]string{`missing required setting "key_name"`}},
		{"bad int", "route53",
			map[string]string{"max_retries": secret},
			[]string{`setting "max_retries": want an integer`}},
		{"bad bool", "route53",
			map[string]string{"wait_for_route53_sync": secret},
			[]string{`setting "wait_for_route53_sync": want true or false`}},
		{"bad duration", "route53",
			map[string]string{"route53_max_wait": secret},
			[]string{`setting "route53_max_wait": want a duration`}},
		{"debug switch refused", "powerdns",
			with("powerdns", func(s map[string]string) { s["debug"] = "stdout" }),
			[]string{`setting "debug" is not allowed`}},
		{"several problems at once, in key order", "rfc2136",
			map[string]string{"zz": secret, "aa": secret, "server": "127.0.0.1:53"},
			[]string{`unknown setting "aa"`, `unknown setting "zz"`, `missing required setting "key"`}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := CheckDNSSettings(tc.typ, tc.settings)
			if err == nil {
				t.Fatal("no error")
			}
			if !errors.Is(err, ErrInvalidDNSSettings) {
				t.Errorf("error %q does not wrap ErrInvalidDNSSettings", err)
			}
			msg := err.Error()
			for _, w := range tc.want {
				if !strings.Contains(msg, w) {
					t.Errorf("error %q does not contain %q", msg, w)
				}
			}
			if strings.Contains(msg, secret) || strings.Contains(msg, "stdout") {
				t.Errorf("error leaks a value: %q", msg)
			}
			if p, err := NewDNS(tc.typ, tc.settings); err == nil || p != nil {
				t.Errorf("NewDNS = %v, %v; want nil and an error", p, err)
			}
		})
	}
	// Problems come out in a stable order.
	err := CheckDNSSettings("rfc2136", map[string]string{"zz": "x", "aa": "x", "server": "x"})
	if i, j := strings.Index(err.Error(), `"aa"`), strings.Index(err.Error(), `"zz"`); i > j {
		t.Errorf("problems not sorted by key: %q", err)
	}
}

func TestUnknownType(t *testing.T) {
	err := CheckDNSSettings("bind-over-carrier-pigeon", map[string]string{"key": secret})
	if !errors.Is(err, ErrUnknownDNSType) {
		t.Fatalf("error %v does not wrap ErrUnknownDNSType", err)
	}
	if strings.Contains(err.Error(), secret) || !strings.Contains(err.Error(), "rfc2136") {
		t.Errorf("message should list known types and no value: %q", err)
	}
	if _, err := NewDNS("", nil); !errors.Is(err, ErrUnknownDNSType) {
		t.Errorf("empty type: %v", err)
	}
	if _, _, err := DNSSettingKeys("nope"); !errors.Is(err, ErrUnknownDNSType) {
		t.Errorf("DNSSettingKeys: %v", err)
	}
}

func TestCanListZones(t *testing.T) {
	var got []string
	for _, typ := range DNSTypes() {
		if CanListZones(typ) {
			got = append(got, typ)
		}
	}
	if want := []string{"bunny", "cloudflare", "desec"}; !slices.Equal(got, want) {
		t.Errorf("zone listers = %v, want %v", got, want)
	}
	if CanListZones("nope") {
		t.Error("unknown type lists zones")
	}
}

// Each NewDNS call returns a fresh provider: two dns blocks of one type
// must not share state (credentials, cached zones).
func TestNewDNSReturnsDistinctProviders(t *testing.T) {
	a, _ := NewDNS("cloudflare", map[string]string{"api_token": "a"})
	b, _ := NewDNS("cloudflare", map[string]string{"api_token": "b"})
	if a == b || inner(t, a) == inner(t, b) {
		t.Fatal("same pointer returned twice")
	}
}

package providers

import (
	"errors"
	"strings"
	"testing"
)

// Settings are checked offline, for every registered type, and the
// message names the setting, never its value.
func TestSettingsCheckedOffline(t *testing.T) {
	cases := []struct {
		typ, key, value string
		want            string // substring of the message; "" for accepted
	}{
		// rfc2136: the server without a port used to pass and fail later
		// with "missing port in address" quoting the value.
		{"rfc2136", "server", secret, `setting "server": want host:port`},
		{"rfc2136", "server", "dns.example.org", `setting "server": want host:port`},
		{"rfc2136", "server", "dns.example.org:", `setting "server": the port must be a number from 1 to 65535`},
		{"rfc2136", "server", "dns.example.org:0", `setting "server": the port must be`},
		{"rfc2136", "server", "dns.example.org:65536", `setting "server": the port must be`},
		{"rfc2136", "server", "dns.example.org:domain", `setting "server": the port must be`},
		{"rfc2136", "server", ":5353", `setting "server": want host:port`},
		{"rfc2136", "server", "2001:db8::35", `setting "server": want host:port`},
		{"rfc2136", "server", "dns.example.org:53", ""},
		{"rfc2136", "server", "[2001:db8::53]:5353", ""},
		{"rfc2136", "key_alg", "hmac-md5", `setting "key_alg": want one of hmac-sha1, hmac-sha224, hmac-sha256, hmac-sha384, hmac-sha512`},
		{"rfc2136", "key_alg", "HS256", `setting "key_alg": want one of`},
		{"rfc2136", "key_alg", "hmac-sha512.", ""},
		{"rfc2136", "key_alg", "HMAC-SHA1", ""},
		{"rfc2136", "key_alg", "hmac-sha224", ""},
		{"rfc2136", "key_alg", "hmac-sha384", ""},
		{"rfc2136", "key", secret, `setting "key": want a base64 secret`},
		{"rfc2136", "key", "c2VjcmV0", ""},
		{"rfc2136", "key", "c2VjcmV0\n", ""}, // line breaks are ignored, as miekg/dns does
		{"rfc2136", "key_name", "two words", `setting "key_name": want a DNS name`},
		{"rfc2136", "key_name", "lifeboat-key.", ""},

		{"cloudflare", "api_token", "Bearer " + secret, `setting "api_token": must not contain spaces`},
		{"cloudflare", "zone_token", secret + "\n", `setting "zone_token": must not contain`},
		{"digitalocean", "auth_token", secret + " ", `setting "auth_token": must not contain`},
		{"hetzner", "auth_api_token", "\t" + secret, `setting "auth_api_token": must not contain`},
		{"gandi", "bearer_token", secret + "\r", `setting "bearer_token": must not contain`},
		{"desec", "token", "a b", `setting "token": must not contain`},
		{"bunny", "access_key", "a\x00b", `setting "access_key": must not contain`},

		{"powerdns", "server_url", secret, `setting "server_url": want an http or https URL`},
		{"powerdns", "server_url", "dns.example.org:8081", `setting "server_url": want an http or https URL`},
		{"powerdns", "server_url", "ftp://pdns.example.net", `setting "server_url": want an http or https URL`},
		{"powerdns", "server_url", "http://", `setting "server_url": want an http or https URL`},
		{"powerdns", "server_url", "http://127.0.0.1:8081", ""},
		{"powerdns", "api_token", "x y", `setting "api_token": must not contain`},

		{"ovh", "endpoint", secret, `setting "endpoint": want an endpoint name (`},
		{"ovh", "endpoint", "ovh-eu", ""},
		{"ovh", "endpoint", "kimsufi-ca", ""},
		{"ovh", "endpoint", "https://eu.api.ovh.com/1.0", ""},
		{"ovh", "endpoint", "eu.api.ovh.com/1.0", `setting "endpoint": want an endpoint name`},
		{"ovh", "consumer_key", "a b", `setting "consumer_key": must not contain`},

		{"route53", "region", "EU West 1", `setting "region": want an AWS region`},
		{"route53", "region", "eu-west-1", ""},
		{"route53", "region", "us-gov-west-1", ""},
		{"route53", "hosted_zone_id", "/hostedzone/Z123", `setting "hosted_zone_id": want the bare ID`},
		{"route53", "hosted_zone_id", "Z0123456789ABC", ""},
		{"route53", "max_retries", "-1", `setting "max_retries": must not be negative`},
		{"route53", "route53_max_wait", "-5s", `setting "route53_max_wait": must not be negative`},
	}
	for _, tc := range cases {
		t.Run(tc.typ+"/"+tc.key+"/"+tc.value, func(t *testing.T) {
			s := validSettings(t, tc.typ)
			s[tc.key] = tc.value
			err := CheckDNSSettings(tc.typ, s)
			if tc.want == "" {
				if err != nil {
					t.Fatalf("rejected: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatal("accepted")
			}
			if !errors.Is(err, ErrInvalidDNSSettings) {
				t.Errorf("%v does not wrap ErrInvalidDNSSettings", err)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q does not contain %q", err, tc.want)
			}
			if strings.Contains(err.Error(), tc.value) {
				t.Errorf("error quotes the value: %q", err)
			}
		})
	}
}

// The route53 provider uses static keys only when both are set; with one
// of them it would silently act as whatever identity the machine has.
func TestRoute53KeysGoTogether(t *testing.T) {
	cases := []struct {
		settings map[string]string
		want     string
	}{
		{map[string]string{"access_key_id": secret}, `"access_key_id" needs "secret_access_key"`},
		{map[string]string{"secret_access_key": secret}, `"secret_access_key" needs "access_key_id"`},
		{map[string]string{"session_token": secret}, `"session_token" needs "access_key_id" and "secret_access_key"`},
		{map[string]string{"access_key_id": "AKIA1", "secret_access_key": secret, "session_token": secret}, ""},
		{map[string]string{}, ""},
	}
	for _, tc := range cases {
		err := CheckDNSSettings("route53", tc.settings)
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%v rejected: %v", keysOf(tc.settings), err)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("%v: error %v, want %q", keysOf(tc.settings), err, tc.want)
		case err != nil && strings.Contains(err.Error(), secret):
			t.Errorf("error leaks a value: %v", err)
		}
	}
}

func keysOf(m map[string]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// Every registered type with a setting that has a form to check has a
// rule for it: a new provider added without rules fails here.
func TestEveryTypeHasRules(t *testing.T) {
	for _, typ := range DNSTypes() {
		if len(dnsTypes[typ].rules) == 0 {
			t.Errorf("type %s checks none of its settings offline", typ)
		}
		keys, _, _ := DNSSettingKeys(typ)
		for k := range dnsTypes[typ].rules {
			found := false
			for _, key := range keys {
				found = found || key == k
			}
			if !found {
				t.Errorf("type %s has a rule for %q, which is not one of its settings %v", typ, k, keys)
			}
		}
	}
}

// Porkbun's library can exit the process (log.Fatal on a body close
// error), so it is not registered: a configuration naming it gets the
// unknown-type error with the known types.
func TestPorkbunIsNotRegistered(t *testing.T) {
	err := CheckDNSSettings("porkbun", map[string]string{"api_key": secret, "api_secret_key": secret})
	if !errors.Is(err, ErrUnknownDNSType) {
		t.Fatalf("porkbun: %v, want ErrUnknownDNSType", err)
	}
	if !strings.Contains(err.Error(), `"porkbun" (known: bunny, cloudflare,`) || strings.Contains(err.Error(), secret) {
		t.Errorf("message: %q", err)
	}
}

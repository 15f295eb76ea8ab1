package providers

import (
	"encoding/base64"
	"maps"
	"net"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"github.com/miekg/dns"
	"github.com/ovh/go-ovh/ovh"
)

// A check looks at one setting's value offline and returns what is wrong
// with it, or "". The message describes the expected form and never quotes
// the value: settings are often secrets.
type check func(value string) string

// rules maps setting keys to their checks for one provider type; a key
// absent from the settings (or empty) is not checked (required keys are
// reported as missing instead).
type rules map[string]check

// pairRule is a cross-setting check: it sees every setting at once.
type pairRule func(settings map[string]string) []string

// tsigAlgorithms are the TSIG algorithms miekg/dns (under libdns/rfc2136)
// can sign with; it compares them case-insensitively with a trailing dot.
var tsigAlgorithms = []string{"hmac-sha1", "hmac-sha224", "hmac-sha256", "hmac-sha384", "hmac-sha512"}

func hostPort(v string) string {
	const want = "want host:port, such as ns1.example.net:53 or [2001:db8::53]:53"
	host, port, err := net.SplitHostPort(v)
	if err != nil || host == "" || strings.ContainsFunc(host, unicode.IsSpace) {
		return want
	}
	if n, err := strconv.ParseUint(port, 10, 16); err != nil || n == 0 {
		return "the port must be a number from 1 to 65535"
	}
	return ""
}

func tsigAlgorithm(v string) string {
	if slices.Contains(tsigAlgorithms, strings.ToLower(strings.TrimSuffix(v, "."))) {
		return ""
	}
	return "want one of " + strings.Join(tsigAlgorithms, ", ")
}

// base64Key is checked as miekg/dns decodes a TSIG secret.
func base64Key(v string) string {
	if b, err := base64.StdEncoding.DecodeString(v); err != nil || len(b) == 0 {
		return "want a base64 secret, as tsig-keygen prints it"
	}
	return ""
}

func domainName(v string) string {
	if _, ok := dns.IsDomainName(v); !ok || strings.ContainsFunc(v, unicode.IsSpace) {
		return "want a DNS name, such as lifeboat-key"
	}
	return ""
}

// token catches a credential pasted with spaces or a line break (or a
// "Bearer " prefix): it goes into an HTTP header, where it cannot work.
func token(v string) string {
	if strings.ContainsFunc(v, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) {
		return "must not contain spaces, line breaks or control characters"
	}
	return ""
}

func httpURL(v string) string {
	u, err := url.Parse(v)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "want an http or https URL, such as https://pdns.example.net:8081"
	}
	return ""
}

// ovhEndpoint accepts what go-ovh accepts: a known endpoint name, or a URL
// (it takes any value holding a slash as one).
func ovhEndpoint(v string) string {
	if _, ok := ovh.Endpoints[v]; ok {
		return ""
	}
	if strings.Contains(v, "/") && httpURL(v) == "" {
		return ""
	}
	names := slices.Sorted(maps.Keys(ovh.Endpoints))
	return "want an endpoint name (" + strings.Join(names, ", ") + ") or an https URL"
}

var awsRegion = regexp.MustCompile(`^[a-z]{2,}(-[a-z0-9]+)+$`)

func region(v string) string {
	if !awsRegion.MatchString(v) {
		return "want an AWS region, such as eu-west-1"
	}
	return ""
}

var hostedZoneID = regexp.MustCompile(`^[A-Za-z0-9]+$`)

func zoneID(v string) string {
	if !hostedZoneID.MatchString(v) {
		return "want the bare ID, such as Z0123456789ABC (without /hostedzone/)"
	}
	return ""
}

// awsKeys: the route53 provider uses static keys only when both are set
// and silently falls back to the SDK's credential chain otherwise, which
// would act with whatever identity the machine has.
func awsKeys(s map[string]string) []string {
	id, secret := s["access_key_id"] != "", s["secret_access_key"] != ""
	switch {
	case id && !secret:
		return []string{`setting "access_key_id" needs "secret_access_key" too`}
	case secret && !id:
		return []string{`setting "secret_access_key" needs "access_key_id" too`}
	case s["session_token"] != "" && !id:
		return []string{`setting "session_token" needs "access_key_id" and "secret_access_key"`}
	}
	return nil
}

// checkSettings runs t's checks on settings and returns the problems, in
// key order.
func checkSettings(t dnsType, settings map[string]string) []string {
	var problems []string
	for _, key := range slices.Sorted(maps.Keys(settings)) {
		c, ok := t.rules[key]
		if !ok || settings[key] == "" {
			continue
		}
		if msg := c(settings[key]); msg != "" {
			problems = append(problems, "setting "+strconv.Quote(key)+": "+msg)
		}
	}
	for _, r := range t.cross {
		problems = append(problems, r(settings)...)
	}
	return problems
}

// nonNegative is for counts and durations, whose form setField checks.
func nonNegative(v string) string {
	if strings.HasPrefix(strings.TrimSpace(v), "-") {
		return "must not be negative"
	}
	return ""
}

package redact

import (
	"slices"
	"testing"
)

func TestSecretForms(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []string
	}{
		{"ns1.Example.net:53", []string{"ns1.Example.net:53", "ns1.example.net:53", "ns1.Example.net", "ns1.example.net"}},
		{"https://hooks.example.com:8443/T0/xyz", []string{"https://hooks.example.com:8443/T0/xyz", "hooks.example.com:8443", "hooks.example.com"}},
		{"https://user:pw@hooks.example.com/x", []string{"https://user:pw@hooks.example.com/x", "hooks.example.com"}},
		{"[2001:db8::53]:53", []string{"[2001:db8::53]:53", "2001:db8::53"}},
		{"10.0.0.5:53", []string{"10.0.0.5:53", "10.0.0.5"}},
		{"a.b:53", []string{"a.b:53"}}, // the host is too short to scrub
		{"hunter22-token", []string{"hunter22-token"}},
		{"Bearer abc/def", []string{"Bearer abc/def"}},
	} {
		if got := secretForms(tc.in); !slices.Equal(got, tc.want) {
			t.Errorf("secretForms(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// A part of a secret is hidden where it stands as a name of its own, never
// inside a longer name, address or port: a secret DNS server on 127.0.0.1
// must not turn a host's 127.0.0.198 into "<hidden>98".
func TestRedactorHidesPartsOnlyAsWholeNames(t *testing.T) {
	r := Secrets("127.0.0.1:5300", "https://ns1.Example.net:8443/hook", "tok-en-12345")
	for _, tc := range []struct{ in, want string }{
		{"lookup 127.0.0.1: no such host", "lookup <hidden>: no such host"},
		{"dial tcp 127.0.0.1:5300: refused", "dial tcp <hidden>: refused"},
		{"host at 127.0.0.198 answers", "host at 127.0.0.198 answers"},
		{"host at 127.0.0.19:80", "host at 127.0.0.19:80"},
		{"port 127.0.0.1:53001", "port <hidden>1"}, // the whole value, hidden wherever it is
		{"a10.127.0.0.1", "a10.127.0.0.1"},
		{"lookup ns1.example.net. failed", "lookup <hidden>. failed"},
		{"lookup ns1.example.net.evil failed", "lookup ns1.example.net.evil failed"},
		{"Get https://ns1.Example.net:8443/hook: EOF", "Get <hidden>: EOF"},
		{"token tok-en-12345x", "token <hidden>x"}, // a whole value is hidden wherever it is
		{`quoted "tok-en-12345"`, `quoted "<hidden>"`},
	} {
		if got := r.String(tc.in); got != tc.want {
			t.Errorf("String(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

package config

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

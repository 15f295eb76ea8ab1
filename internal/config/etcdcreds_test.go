package config_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/lifeboat-dev/lifeboat/internal/config"
)

// etcd's client dials every endpoint with the credentials of the first:
// after a loopback or unix endpoint without TLS, or any http:// one, an
// https:// endpoint on another machine is reached in clear, and the
// password with it. Such a list is refused at the password, naming the
// endpoint and the first; https first, or ca_file, validates.
func TestEtcdPasswordFollowsTheFirstEndpointsScheme(t *testing.T) {
	etcd := func(endpoints, extra string) string {
		return "state {\n  etcd {\n    endpoints = [" + endpoints + "]\n    password = \"etcd-secret-pw\"\n" + extra + "  }\n}\n"
	}
	refused := []struct{ name, src, ep string }{
		{"loopback without scheme first", etcd(`"localhost:2379", "https://etcd-2.example.org:2379"`, ""), "https://etcd-2.example.org:2379"},
		{"unix socket first", etcd(`"unix:///run/etcd.sock", "https://etcd-2.example.org:2379"`, ""), "https://etcd-2.example.org:2379"},
		{"loopback http first, even with ca_file", etcd(`"http://127.0.0.1:2379", "https://10.0.0.2:2379"`, "    ca_file = \"ca.pem\"\n"), "https://10.0.0.2:2379"},
	}
	for _, tc := range refused {
		_, err := config.Parse("testdata/case.hcl", []byte(tc.src), testOptions())
		var ce *config.Error
		if !errors.As(err, &ce) || len(ce.Diags) != 1 {
			t.Errorf("%s: got %v, want one diagnostic", tc.name, err)
			continue
		}
		d := ce.Diags[0]
		if d.Filename != "testdata/case.hcl" || d.Line != 4 || d.Column != 5 || !strings.Contains(d.Message, "state.etcd.password: would cross the network in clear") || !strings.Contains(d.Message, tc.ep) {
			t.Errorf("%s: got %s:%d:%d: %s", tc.name, d.Filename, d.Line, d.Column, d.Message)
		}
		if strings.Contains(err.Error(), "etcd-secret-pw") {
			t.Errorf("%s: the password is in the error: %v", tc.name, err)
		}
	}
	valid := []struct{ name, src string }{
		{"https first, loopback after", etcd(`"https://etcd-1.example.net:2379", "localhost:2379"`, "")},
		{"all https", etcd(`"https://etcd-1.example.net:2379", "https://etcd-2.example.org:2379"`, "")},
		{"unix socket first with ca_file", etcd(`"unix:///run/etcd.sock", "https://etcd-2.example.org:2379"`, "    ca_file = \"ca.pem\"\n")},
		{"all loopback in clear", etcd(`"localhost:2379", "http://127.0.0.1:2380", "unix:///run/etcd.sock"`, "")},
	}
	for _, tc := range valid {
		if _, err := config.Parse("testdata/case.hcl", []byte(tc.src), testOptions()); err != nil {
			t.Errorf("%s: %v", tc.name, err)
		}
	}
}

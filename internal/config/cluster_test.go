package config_test

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/hashicorp/hcl/v2"

	"github.com/lifeboat-dev/lifeboat/internal/config"
)

// etcdBlock is a state.etcd block with one endpoint and extra lines.
func etcdBlock(lines string) string {
	return "state {\n  etcd {\n    endpoints = [\"https://127.0.0.1:2379\"]\n" + lines + "  }\n}\n"
}

// The settings several lifeboat nodes share etcd with: what is written,
// and what the loader fills in.
func TestClusterSettings(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "lifeboat.hcl")
	abs := filepath.Join(t.TempDir(), "ca.pem")
	cases := []struct {
		name       string
		src        string
		etcd       *config.Etcd // compared without Endpoints, Prefix and Range
		advertise  string
		nodeQuorum int
	}{
		{
			name: "defaults",
			src:  etcdBlock(""),
			etcd: &config.Etcd{Lease: 3 * time.Second, MaxRecords: config.DefaultEtcdMaxRecords},
		},
		{
			name: "every field",
			src: etcdBlock(`    node        = "n1.eu-west_2"
    lease       = "2500ms"
    max_records = 500
    ca_file     = "tls/ca.pem"
    cert_file   = "tls/node.pem"
    key_file    = "tls/node-key.pem"
`) + "policy {\n  node_quorum = 2\n}\n",
			etcd: &config.Etcd{Node: "n1.eu-west_2", Lease: 3 * time.Second, MaxRecords: 500,
				CAFile: filepath.Join(dir, "tls/ca.pem"), CertFile: filepath.Join(dir, "tls/node.pem"), KeyFile: filepath.Join(dir, "tls/node-key.pem")},
			nodeQuorum: 2,
		},
		{
			name: "ca_file alone, absolute; the bounds",
			src:  etcdBlock("    ca_file = \"" + abs + "\"\n    lease = \"2s\"\n    max_records = 100\n"),
			etcd: &config.Etcd{CAFile: abs, Lease: 2 * time.Second, MaxRecords: 100},
		},
		{
			name: "a lease just under a minute rounds up to it",
			src:  etcdBlock("    lease = \"59500ms\"\n"),
			etcd: &config.Etcd{Lease: time.Minute, MaxRecords: config.DefaultEtcdMaxRecords},
		},
		{
			name: "node_quorum written as 0 is the majority default",
			src:  "policy {\n  node_quorum = 0\n}\n",
		},
		{
			name:      "a specific listen address is advertised",
			src:       "server {\n  listen = \"127.0.0.1:9797\"\n}\n",
			advertise: "http://127.0.0.1:9797",
		},
		{
			name:      "with TLS the advertised URL is https",
			src:       "server {\n  listen = \"[::1]:9797\"\n  tls_cert = \"c.pem\"\n  tls_key = \"k.pem\"\n}\n",
			advertise: "https://[::1]:9797",
		},
		{
			name: "a wildcard listen advertises nothing",
			src:  "server {\n  listen = \"0.0.0.0:9797\"\n  read_token = \"0123456789abcdef0123\"\n  tls_cert = \"c.pem\"\n  tls_key = \"k.pem\"\n}\n",
		},
		{
			name: "an IPv6 wildcard listen advertises nothing",
			src:  "server {\n  listen = \"[::]:9797\"\n  read_token = \"0123456789abcdef0123\"\n  tls_cert = \"c.pem\"\n  tls_key = \"k.pem\"\n}\n",
		},
		{
			name: "an empty listen host advertises nothing",
			src:  "server {\n  listen = \":9797\"\n  read_token = \"0123456789abcdef0123\"\n  tls_cert = \"c.pem\"\n  tls_key = \"k.pem\"\n}\n",
		},
		{
			name:      "a written advertise wins and loses its trailing slash",
			src:       "server {\n  listen = \"0.0.0.0:9797\"\n  read_token = \"0123456789abcdef0123\"\n  tls_cert = \"c.pem\"\n  tls_key = \"k.pem\"\n  advertise = \"https://n1.example.net:9797/\"\n}\n",
			advertise: "https://n1.example.net:9797",
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cfg, err := config.Parse(file, []byte(tc.src), config.Options{})
			if err != nil {
				t.Fatal(err)
			}
			if tc.etcd != nil {
				got := cfg.State.Etcd
				if got == nil {
					t.Fatal("no etcd block")
				}
				want := *tc.etcd
				if want.Node == "" {
					// The default is the host name, checked on its own below.
					want.Node = got.Node
				}
				if diff := cmp.Diff(&want, got, cmpopts.IgnoreFields(config.Etcd{}, "Endpoints", "Prefix"), cmpopts.IgnoreTypes(hcl.Range{})); diff != "" {
					t.Errorf("etcd (-want +got):\n%s", diff)
				}
			}
			var adv string
			if cfg.Server != nil {
				adv = cfg.Server.Advertise
			}
			if adv != tc.advertise {
				t.Errorf("advertise %q, want %q", adv, tc.advertise)
			}
			if cfg.Policy.NodeQuorum != tc.nodeQuorum {
				t.Errorf("node_quorum %d, want %d", cfg.Policy.NodeQuorum, tc.nodeQuorum)
			}
		})
	}
}

// Without state.etcd.node, a node is named after its host, made to fit the
// rule a written name must follow.
func TestDefaultNodeIsTheHostName(t *testing.T) {
	h, err := os.Hostname()
	if err != nil {
		t.Fatalf("os.Hostname: %v", err)
	}
	cfg, err := config.Parse("c.hcl", []byte(etcdBlock("")), config.Options{})
	if err != nil {
		t.Fatal(err)
	}
	node := cfg.State.Etcd.Node
	if !regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{0,62}$`).MatchString(node) {
		t.Errorf("default node %q does not fit the node name rule", node)
	}
	if lower := strings.ToLower(h); regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{0,62}$`).MatchString(lower) && node != lower {
		t.Errorf("default node %q, want the host name %q", node, lower)
	}
}

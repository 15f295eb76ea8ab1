package config_test

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lifeboat-dev/lifeboat/internal/config"
)

func TestServerAndSlackBlocks(t *testing.T) {
	env := map[string]string{"READ": "read-token-0123456789", "OPERATE": "operate-token-0123456789", "SLACK": "https://hooks.slack.example/T0/B0/secret", "SIGN": "signing-secret-xyz"}
	opts := config.Options{LookupEnv: func(k string) (string, bool) { v, ok := env[k]; return v, ok }}
	src := `
server {
  read_token    = env("READ")
  operate_token = env("OPERATE")
  tls_cert      = "tls/cert.pem"
  tls_key       = "tls/key.pem"
}
notify "chat" {
  events  = ["failover"]
  timeout = "2s"
  retries = 0
  slack {
    url = env("SLACK")
  }
}
notify "hook" {
  webhook {
    url    = "https://hooks.example/lifeboat"
    secret = env("SIGN")
  }
}
`
	dir := t.TempDir()
	cfg, err := config.Parse(filepath.Join(dir, "lifeboat.hcl"), []byte(src), opts)
	if err != nil {
		t.Fatal(err)
	}
	s := cfg.Server
	if s == nil || s.Listen != config.DefaultListen || s.ReadToken != env["READ"] || s.OperateToken != env["OPERATE"] {
		t.Fatalf("server: %+v", s)
	}
	if s.TLSCert != filepath.Join(dir, "tls/cert.pem") || s.TLSKey != filepath.Join(dir, "tls/key.pem") {
		t.Fatalf("TLS files not resolved against the configuration's directory: %q %q", s.TLSCert, s.TLSKey)
	}
	chat, hook := cfg.Notify[0], cfg.Notify[1]
	if chat.Slack == nil || chat.Slack.URL != env["SLACK"] || chat.Webhook != nil || chat.Timeout != 2*time.Second || chat.Retries != 0 {
		t.Fatalf("slack notify: %+v", chat)
	}
	if hook.Webhook == nil || hook.Webhook.Secret != env["SIGN"] || hook.Timeout != config.DefaultNotifyTimeout || hook.Retries != config.DefaultNotifyRetries {
		t.Fatalf("webhook notify: %+v", hook)
	}
	for _, secret := range []string{env["READ"], env["OPERATE"], env["SLACK"], env["SIGN"]} {
		if got := cfg.Redact("x " + secret + " y"); strings.Contains(got, secret) {
			t.Errorf("%q is not redacted: %q", secret, got)
		}
	}
}

// A server open on the network in clear, or cleartext etcd with a
// password, is refused unless it stays on this machine; an operator who
// accepts plaintext says so in the file. TLS, loopback and the explicit
// opt-in validate, and the connection settings take their defaults.
func TestServerPlaintextAndConnectionLimits(t *testing.T) {
	valid := []struct {
		name, src string
	}{
		{"tls on the network", "server {\n  listen = \"0.0.0.0:9797\"\n  read_token = \"0123456789abcdef0\"\n  tls_cert = \"c.pem\"\n  tls_key = \"k.pem\"\n  advertise = \"https://n1.example.net:9797\"\n}\n"},
		{"explicit plaintext", "server {\n  listen = \"192.0.2.7:9797\"\n  read_token = \"0123456789abcdef0\"\n  insecure_plaintext = true\n}\n"},
		{"loopback http advertise", "server {\n  listen = \"127.0.0.2:9797\"\n  advertise = \"http://127.0.0.2:9797\"\n}\n"},
		{"etcd password over loopback", "state {\n  etcd {\n    endpoints = [\"http://127.0.0.1:2379\", \"localhost:2380\"]\n    password = \"etcd-secret-pw\"\n  }\n}\n"},
		{"etcd password with tls files", "state {\n  etcd {\n    endpoints = [\"etcd.example.net:2379\", \"https://10.0.0.2:2379\"]\n    ca_file = \"ca.pem\"\n    password = \"etcd-secret-pw\"\n  }\n}\n"},
	}
	for _, c := range valid {
		if _, err := config.Parse(filepath.Join(t.TempDir(), "lifeboat.hcl"), []byte(c.src), config.Options{}); err != nil {
			t.Errorf("%s: %v", c.name, err)
		}
	}
	cfg, err := config.Parse(filepath.Join(t.TempDir(), "lifeboat.hcl"), []byte("server {\n}\n"), config.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if s := cfg.Server; s.MaxConnections != config.DefaultMaxConnections || s.MaxConnectionsPerClient != config.DefaultMaxConnectionsPerClient || s.IdleTimeout != config.DefaultServerIdleTimeout || s.InsecurePlaintext {
		t.Fatalf("defaults: %+v", s)
	}
	cfg, err = config.Parse(filepath.Join(t.TempDir(), "lifeboat.hcl"), []byte("server {\n  max_connections = 10\n  idle_timeout = \"5s\"\n}\n"), config.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if s := cfg.Server; s.MaxConnections != 10 || s.MaxConnectionsPerClient != 10 || s.IdleTimeout != 5*time.Second {
		t.Fatalf("a total below the default per-client cap bounds it: %+v", s)
	}
}

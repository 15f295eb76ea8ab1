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

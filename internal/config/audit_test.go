package config_test

import (
	"strings"
	"testing"
	"time"

	"github.com/lifeboat-dev/lifeboat/internal/config"
)

func TestAuditSettings(t *testing.T) {
	src := `
state {
  vendor       = "ovh"
  jurisdiction = "FR"
}
provider "p" {
  terraform {
    dir          = "infra/p"
    state_vendor = "hetzner"
  }
}
service "s" {
  records    = ["@"]
  candidates = ["p"]
  rto        = "5m"
  check "up" {
    tcp { port = 80 }
  }
}
audit {
  drill_max_age = "168h"
}
notify "chat" {
  slack {
    url = "https://hooks.slack.com/services/T/B/x"
  }
}
notify "ops" {
  vendor = "pagerduty"
  webhook {
    url = "https://events.example.com/x"
  }
}
notify "plain" {
  webhook {
    url = "https://events.example.com/y"
  }
}
`
	cfg, err := config.Parse("c.hcl", []byte(src), config.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.State.Vendor != "ovh" || cfg.State.Jurisdiction != "FR" || cfg.Providers[0].Terraform.StateVendor != "hetzner" {
		t.Errorf("state %+v, workspace %+v", cfg.State, cfg.Providers[0].Terraform)
	}
	if cfg.Services[0].RTO != 5*time.Minute || cfg.Audit.DrillMaxAge != 168*time.Hour {
		t.Errorf("rto %s, drill_max_age %s", cfg.Services[0].RTO, cfg.Audit.DrillMaxAge)
	}
	if v := []string{cfg.Notify[0].Vendor, cfg.Notify[1].Vendor, cfg.Notify[2].Vendor}; v[0] != "slack" || v[1] != "pagerduty" || v[2] != "" {
		t.Errorf("notify vendors %q, want slack (a slack block), pagerduty (written), none (not said)", v)
	}

	def, err := config.Parse("c.hcl", []byte("provider \"p\" {\n}\n"), config.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if def.Audit.DrillMaxAge != 30*24*time.Hour {
		t.Errorf("drill_max_age defaults to %s, want 720h", def.Audit.DrillMaxAge)
	}
	for _, bad := range []struct{ src, want string }{
		{"audit {\n  drill_max_age = \"30d\"\n}\n", "audit.drill_max_age: invalid duration"},
		{"audit {\n}\naudit {\n}\n", "audit"},
		{"provider \"p\" {\n}\nservice \"s\" {\n  records = [\"@\"]\n  candidates = [\"p\"]\n  rto = \"0s\"\n  check \"up\" {\n    tcp { port = 80 }\n  }\n}\n", `service "s": rto: duration must be positive`},
	} {
		if _, err := config.Parse("c.hcl", []byte(bad.src), config.Options{}); err == nil || !strings.Contains(err.Error(), bad.want) {
			t.Errorf("%q: got %v, want %q", bad.src, err, bad.want)
		}
	}
}

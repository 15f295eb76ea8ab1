package engine

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/lifeboat-dev/lifeboat/internal/config"
	"github.com/lifeboat-dev/lifeboat/internal/journal"
)

// Offline, the audit's facts come from the configuration, the workspaces'
// files and the journal only, and every look-up it skipped is listed.
func TestAuditFactsOffline(t *testing.T) {
	dir := t.TempDir()
	for name, tf := range map[string]string{
		"alpha": "terraform {\n  backend \"s3\" {\n    bucket = \"st\"\n  }\n}\n",
		"bravo": "resource \"null_resource\" \"x\" {}\n",
	} {
		if err := os.MkdirAll(filepath.Join(dir, "infra", name), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "infra", name, "main.tf"), []byte(tf), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	src := `
dns "ns1" {
  type     = "rfc2136"
  zone     = "example.test."
  settings = {
    server   = "127.0.0.1:1"
    key_name = "k"
    key_alg  = "hmac-sha256"
    key      = "c2VjcmV0"
  }
}
provider "alpha" {
  addresses = ["127.0.0.11"]
  terraform {
    dir = "infra/alpha"
  }
}
provider "bravo" {
  terraform {
    dir          = "infra/bravo"
    state_vendor = "hetzner"
  }
}
provider "charlie" {
  terraform {
    dir = "infra/bravo"
  }
}
service "www" {
  records    = ["www"]
  candidates = ["alpha", "bravo", "charlie"]
  check "up" {
    tcp { port = 80 }
  }
}
`
	path := filepath.Join(dir, "lifeboat.hcl")
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load(path, config.Options{})
	if err != nil {
		t.Fatal(err)
	}
	// A journal with one failover that applied bravo in 2.5s.
	j, err := journal.Open(context.Background(), cfg.State, cfg.Dir, journal.OpenOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t0 := time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)
	ctx := context.Background()
	op, err := j.Begin(ctx, journal.Operation{Kind: "manual", Services: []string{"www"}, From: "alpha", To: "bravo", Started: t0})
	must(t, err)
	must(t, j.StepStarted(ctx, op.Ref(), "www/bravo/apply", t0))
	must(t, j.StepFinished(ctx, op.Ref(), "www/bravo/apply", journal.StepResult{Status: journal.StepOK, At: t0.Add(2500 * time.Millisecond)}))
	must(t, j.SetPlacement(ctx, op.Ref(), "www", "bravo", t0.Add(3*time.Second)))
	must(t, j.Finish(ctx, op.Ref(), journal.StatusSucceeded, "moved", t0.Add(3*time.Second)))
	must(t, j.Close())

	e := New(cfg, nil)
	defer e.Close()
	f := e.auditFacts(ctx, AuditOptions{Offline: true})
	if f.Placement["www"] != "bravo" || f.ApplyTimes["bravo"] != 2500*time.Millisecond {
		t.Errorf("from the journal: placement %v, applies %v", f.Placement, f.ApplyTimes)
	}
	if b := f.Backends["alpha"]; b.Type != "s3" || b.Vendor != "aws" {
		t.Errorf("alpha's backend %+v, want s3 at aws", b)
	}
	if b := f.Backends["bravo"]; b.Type != "local" || b.Vendor != "hetzner" {
		t.Errorf("bravo's backend %+v, want local with state_vendor hetzner", b)
	}
	if !slices.Equal(f.Addresses["alpha"], []string{"127.0.0.11"}) || f.Addresses["bravo"] != nil {
		t.Errorf("addresses %v: want alpha's from the configuration, bravo's not read offline", f.Addresses)
	}
	if f.Drills == nil || len(f.Drills["www"]) != 0 {
		t.Errorf("drills %v: want read (an empty map), none for www", f.Drills)
	}
	var subjects []string
	for _, u := range f.Unchecked {
		subjects = append(subjects, u.Check+" "+u.Subject)
	}
	for _, want := range []string{"shared-fate zone example.test.", "exposure dns ns1", "exposure provider charlie"} {
		if !slices.Contains(subjects, want) {
			t.Errorf("unchecked %v: %q missing", subjects, want)
		}
	}
	// www runs on bravo now: its address is meant to be published.
	if slices.Contains(subjects, "exposure provider bravo") {
		t.Errorf("unchecked %v lists the provider www runs on as an unread standby", subjects)
	}
	if len(f.Delegation) != 0 || len(f.Published) != 0 {
		t.Errorf("offline, something was looked up: %v %v", f.Delegation, f.Published)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

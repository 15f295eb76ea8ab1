package audit_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/lifeboat-dev/lifeboat/internal/audit"
	"github.com/lifeboat-dev/lifeboat/internal/config"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden from the current output")

// goldenReport has a finding of every severity and an unchecked entry:
// one DNS vendor beside the primary, a standby address published, no
// measured apply, an old drill that failed last, a state holder not
// known, and a delegation not looked up.
func goldenReport(t *testing.T) audit.Report {
	t.Helper()
	return audit.Audit(goldenConfig(t), goldenFacts())
}

// goldenConfig adds, by hand, the data tier: an rpo of 5m and the only
// backup block at hetzner, the vendor www runs on.
func goldenConfig(t *testing.T) *config.Config {
	t.Helper()
	cfg := parse(t, goldenSource(t))
	www := cfg.Service("www")
	www.RPO = 5 * time.Minute
	www.Backups = []*config.Backup{{Name: "nightly", Vendor: "hetzner", Directory: "/srv/backups"}}
	return cfg
}

func goldenSource(t *testing.T) string {
	t.Helper()
	return patch(t,
		"type         = \"desec\"\n", "type         = \"desec\"\n  vendor = \"hetzner\"\n",
		`candidates = ["hetzner", "digitalocean"]`, "candidates = [\"hetzner\", \"digitalocean\"]\n  dns = [\"desec\"]",
		`rto        = "10m"`, `rto        = "90s"`)
}

func goldenFacts() audit.Facts {
	f := cleanFacts()
	f.Delegation = nil
	f.ApplyTimes = nil
	f.Backends["hetzner"] = audit.Backend{Type: "http", Detail: "address state.internal.example"}
	f.Published["desec"] = append(f.Published["desec"], audit.Record{Name: "backup", Type: "A", Value: "198.51.100.20"})
	f.Drills["www"] = []audit.DrillFact{
		{Name: "gameday", Mode: "full", At: now.Add(-36 * 24 * time.Hour), OK: false},
		{Name: "weekly", Mode: "canary", At: now.Add(-40 * 24 * time.Hour), OK: true},
	}
	// The standby's replica lags 20 minutes; the nightly backup is 3 days old.
	f.Data = map[string][]audit.DataFact{"www": {
		{Data: "db", Provider: "hetzner", Known: true},
		{Data: "db", Provider: "digitalocean", Age: 20 * time.Minute, Known: true},
	}}
	f.Backups = map[string][]audit.BackupFact{"www": {{Backup: "nightly", Newest: "www-2026-11-25.dump", At: now.Add(-3 * 24 * time.Hour)}}}
	f.Unchecked = []audit.Unchecked{{Check: "shared-fate", Subject: "zone example.org.", Reason: "offline: the delegation is not looked up"}}
	return f
}

func TestGolden(t *testing.T) {
	r := goldenReport(t)
	for _, w := range []struct {
		file  string
		write func(io.Writer, audit.Report) error
	}{
		{"report.txt.golden", audit.WriteText},
		{"report.json.golden", audit.WriteJSON},
		{"report.md.golden", audit.WriteMarkdown},
	} {
		t.Run(w.file, func(t *testing.T) {
			var b bytes.Buffer
			if err := w.write(&b, r); err != nil {
				t.Fatal(err)
			}
			golden(t, w.file, b.Bytes())
		})
	}
	// The JSON reads back as the same report (severities as words).
	var b bytes.Buffer
	if err := audit.WriteJSON(&b, r); err != nil {
		t.Fatal(err)
	}
	var back audit.Report
	if err := json.Unmarshal(b.Bytes(), &back); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back, r) {
		t.Errorf("JSON round trip changed the report:\n%+v\n%+v", back, r)
	}
}

// TestGoldenReportCoversEverySeverity keeps the golden files showing what
// they are meant to show.
func TestGoldenReportCoversEverySeverity(t *testing.T) {
	r := goldenReport(t)
	for s := audit.Low; s <= audit.Critical; s++ {
		if r.AtOrAbove(s)-r.AtOrAbove(s+1) == 0 {
			t.Errorf("no %s finding in %v", s, ids(r))
		}
	}
	if len(r.Unchecked) != 1 {
		t.Errorf("unchecked %v, want one entry", r.Unchecked)
	}
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./internal/audit -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the output (go test ./internal/audit -update rewrites it after review):\n--- got\n%s\n--- want\n%s", name, got, want)
	}
}

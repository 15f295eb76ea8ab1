package backup

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/lifeboat-dev/lifeboat/internal/config"
)

// Measure reports every backup block, sorted, with its age against the
// service's backup_max_age: older is Over, none at all is Over with
// ErrNoBackup, an unreachable place is an error with Over false.
func TestMeasureDirectories(t *testing.T) {
	root := t.TempDir()
	now := base
	writeAt(t, filepath.Join(root, "fresh"), "db-1", "x", now.Add(-30*time.Minute))
	writeAt(t, filepath.Join(root, "stale"), "db-1", "x", now.Add(-3*time.Hour))
	writeAt(t, filepath.Join(root, "daily"), "db-1", "x", now.Add(-25*time.Hour))
	writeAt(t, filepath.Join(root, "empty"), "unrelated", "x", now)
	cfg := &config.Config{Dir: root, Services: []*config.Service{
		{Name: "web", BackupMaxAge: 2 * time.Hour, Backups: []*config.Backup{
			{Name: "stale", Vendor: "hetzner", Directory: "stale", Prefix: "db-"},
			{Name: "fresh", Vendor: "ovh", Directory: filepath.Join(root, "fresh"), Prefix: "db-"},
			{Name: "empty", Vendor: "ovh", Directory: "empty", Prefix: "db-"},
			{Name: "missing", Vendor: "ovh", Directory: "missing"},
		}},
		// No backup_max_age: DefaultBackupMaxAge (26h) applies; 25h is within it.
		{Name: "api", Backups: []*config.Backup{{Name: "daily", Vendor: "scaleway", Directory: "daily"}}},
		{Name: "static"},
	}}

	got := Measure(context.Background(), cfg, "", now)
	type row struct {
		svc, backup, vendor string
		age, maxAge         time.Duration
		over                bool
		err                 error
	}
	want := []row{
		{"api", "daily", "scaleway", 25 * time.Hour, config.DefaultBackupMaxAge, false, nil},
		{"web", "empty", "ovh", 0, 2 * time.Hour, true, ErrNoBackup},
		{"web", "fresh", "ovh", 30 * time.Minute, 2 * time.Hour, false, nil},
		{"web", "missing", "ovh", 0, 2 * time.Hour, false, nil}, // an error, checked below
		{"web", "stale", "hetzner", 3 * time.Hour, 2 * time.Hour, true, nil},
	}
	if len(got) != len(want) {
		t.Fatalf("Measure returned %d statuses, want %d: %+v", len(got), len(want), got)
	}
	for i, w := range want {
		g := got[i]
		if g.Service != w.svc || g.Backup != w.backup || g.Vendor != w.vendor || g.Age != w.age ||
			g.MaxAge != w.maxAge || g.Over != w.over {
			t.Errorf("status %d = %+v, want %+v", i, g, w)
		}
		switch {
		case w.backup == "missing":
			if g.Err == nil || errors.Is(g.Err, ErrNoBackup) {
				t.Errorf("missing directory: Err = %v, want an error other than ErrNoBackup", g.Err)
			}
		case w.err != nil:
			if !errors.Is(g.Err, w.err) {
				t.Errorf("%s: Err = %v, want %v", w.backup, g.Err, w.err)
			}
		case g.Err != nil:
			t.Errorf("%s: Err = %v", w.backup, g.Err)
		}
	}
	if got[4].Newest.Name != "db-1" || !got[4].Newest.Modified.Equal(now.Add(-3*time.Hour)) {
		t.Errorf("stale: Newest = %+v", got[4].Newest)
	}

	only := Measure(context.Background(), cfg, "api", now)
	if len(only) != 1 || only[0].Backup != "daily" {
		t.Errorf("Measure(api) = %+v, want the one daily backup", only)
	}
	if none := Measure(context.Background(), cfg, "nosuch", now); len(none) != 0 {
		t.Errorf("Measure(nosuch) = %+v, want nothing", none)
	}
}

// A backup newer than now (the store's clock ahead) has age 0, not a
// negative one.
func TestMeasureClockAhead(t *testing.T) {
	root := t.TempDir()
	writeAt(t, root, "db-1", "x", base.Add(time.Minute))
	cfg := &config.Config{Dir: root, Services: []*config.Service{
		{Name: "web", Backups: []*config.Backup{{Name: "b", Directory: root}}},
	}}
	got := Measure(context.Background(), cfg, "web", base)
	if len(got) != 1 || got[0].Err != nil || got[0].Age != 0 || got[0].Over {
		t.Fatalf("Measure = %+v, want age 0, not over", got)
	}
}

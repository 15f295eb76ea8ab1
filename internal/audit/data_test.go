package audit_test

import (
	"testing"
	"time"

	"github.com/lifeboat-dev/lifeboat/internal/audit"
	"github.com/lifeboat-dev/lifeboat/internal/config"
)

func rpo(d time.Duration) func(*config.Config) {
	return func(c *config.Config) { c.Service("www").RPO = d }
}

func measured(ds ...audit.DataFact) func(*audit.Facts) {
	return func(f *audit.Facts) { f.Data = map[string][]audit.DataFact{"www": ds} }
}

func TestDataUnknown(t *testing.T) {
	runCases(t, audit.CheckData, []checkCase{
		{name: "clean: www has a data block"},
		{
			name:     "no data block",
			cfg:      func(c *config.Config) { c.Service("www").Data = nil },
			want:     map[string]audit.Severity{"data-unknown.www": audit.Medium},
			evidence: map[string][]string{"data-unknown.www": {"service www has no data block", `add a data block to service "www"`, "service.rpo"}},
		},
	})
}

func TestDataStale(t *testing.T) {
	runCases(t, audit.CheckData, []checkCase{
		{
			name:  "within the rpo",
			cfg:   rpo(5 * time.Minute),
			facts: measured(audit.DataFact{Data: "db", Provider: "hetzner", Known: true}, audit.DataFact{Data: "db", Provider: "digitalocean", Age: 42 * time.Second, Known: true}),
		},
		{
			name:  "exactly the rpo is not over it",
			cfg:   rpo(time.Minute),
			facts: measured(audit.DataFact{Data: "db", Provider: "digitalocean", Age: time.Minute, Known: true}),
		},
		{
			name:  "replica lag over the rpo",
			cfg:   rpo(time.Minute),
			facts: measured(audit.DataFact{Data: "db", Provider: "hetzner", Known: true}, audit.DataFact{Data: "db", Provider: "digitalocean", Age: 90 * time.Second, Known: true}),
			want:  map[string]audit.Severity{"data-stale.www.digitalocean": audit.High},
			evidence: map[string][]string{"data-stale.www.digitalocean": {
				"www's data at digitalocean is 1m30s old, over its rpo of 1m0s",
				"data db at digitalocean: 1m30s old > rpo 1m0s",
				"digitalocean is a candidate of www",
				`raise service.rpo of "www"`,
			}},
		},
		{
			name: "one finding per provider, naming every block over",
			cfg:  rpo(time.Minute),
			facts: measured(
				audit.DataFact{Data: "files", Provider: "digitalocean", Age: 3 * time.Minute, Known: true},
				audit.DataFact{Data: "db", Provider: "digitalocean", Age: 2 * time.Minute, Known: true},
			),
			want: map[string]audit.Severity{"data-stale.www.digitalocean": audit.High},
			evidence: map[string][]string{"data-stale.www.digitalocean": {
				"is 3m0s old, over its rpo", "data db at digitalocean: 2m0s old", "data files at digitalocean: 3m0s old",
			}},
		},
		{
			name:     "age unknown counts as over: the planner rejects it",
			cfg:      rpo(time.Minute),
			facts:    measured(audit.DataFact{Data: "db", Provider: "digitalocean", Reason: "connection refused"}),
			want:     map[string]audit.Severity{"data-stale.www.digitalocean": audit.High},
			evidence: map[string][]string{"data-stale.www.digitalocean": {"cannot be measured", "data db at digitalocean: age unknown (connection refused)"}},
		},
		{
			name:     "the primary itself",
			cfg:      rpo(time.Minute),
			facts:    measured(audit.DataFact{Data: "db", Provider: "hetzner", Age: time.Hour, Known: true}),
			want:     map[string]audit.Severity{"data-stale.www.hetzner": audit.High},
			evidence: map[string][]string{"data-stale.www.hetzner": {"hetzner is where it runs now of www"}},
		},
		{
			name:  "no rpo: ages are shown, nothing is judged",
			facts: measured(audit.DataFact{Data: "db", Provider: "digitalocean", Age: time.Hour, Known: true}),
		},
		{
			name: "not measured: no finding",
			cfg:  rpo(time.Minute),
		},
	})
}

func TestBackupStale(t *testing.T) {
	withBackup := func(maxAge time.Duration) func(*config.Config) {
		return func(c *config.Config) {
			s := c.Service("www")
			s.Backups = []*config.Backup{{Name: "offsite", Vendor: "backblaze", Directory: "/b"}}
			s.BackupMaxAge = maxAge
		}
	}
	newest := func(f audit.BackupFact) func(*audit.Facts) {
		return func(fs *audit.Facts) { fs.Backups = map[string][]audit.BackupFact{"www": {f}} }
	}
	runCases(t, audit.CheckData, []checkCase{
		{name: "fresh backup", cfg: withBackup(0), facts: newest(audit.BackupFact{Backup: "offsite", Newest: "a.dump", At: now.Add(-25 * time.Hour)})},
		{
			name:  "older than the default backup_max_age",
			cfg:   withBackup(0),
			facts: newest(audit.BackupFact{Backup: "offsite", Newest: "a.dump", At: now.Add(-27 * time.Hour)}),
			want:  map[string]audit.Severity{"backup-stale.www.offsite": audit.High},
			evidence: map[string][]string{"backup-stale.www.offsite": {
				"newest backup a.dump written 2026-11-27T09:00:00Z, 27h0m0s before now > backup_max_age 26h0m0s",
				"rule: the newest backup must be younger than service.backup_max_age",
			}},
		},
		{
			name:     "service.backup_max_age is the rule",
			cfg:      withBackup(time.Hour),
			facts:    newest(audit.BackupFact{Backup: "offsite", Newest: "a.dump", At: now.Add(-2 * time.Hour)}),
			want:     map[string]audit.Severity{"backup-stale.www.offsite": audit.High},
			evidence: map[string][]string{"backup-stale.www.offsite": {"over backup_max_age 1h0m0s"}},
		},
		{
			name:     "no backup found",
			cfg:      withBackup(0),
			facts:    newest(audit.BackupFact{Backup: "offsite"}),
			want:     map[string]audit.Severity{"backup-stale.www.offsite": audit.High},
			evidence: map[string][]string{"backup-stale.www.offsite": {"backup offsite of www holds no backup", "vendor backblaze"}},
		},
		{name: "a listing that failed is not a finding", cfg: withBackup(0), facts: newest(audit.BackupFact{Backup: "offsite", Error: "403 Forbidden"})},
		{name: "not listed", cfg: withBackup(0)},
	})
}

// A backup listing that failed is a check not made, with its reason.
func TestBackupListingFailedIsUnchecked(t *testing.T) {
	cfg := parse(t, cleanHCL)
	cfg.Service("www").Backups = []*config.Backup{{Name: "offsite", Vendor: "backblaze", Directory: "/b"}}
	f := cleanFacts()
	f.Drills["www"] = append(f.Drills["www"], audit.DrillFact{Name: "restore", Mode: "restore", At: now.Add(-time.Hour), OK: true})
	f.Backups = map[string][]audit.BackupFact{"www": {{Backup: "offsite", Error: "list bucket: 403 Forbidden"}}}
	r := audit.Audit(cfg, f)
	if len(r.Findings) != 0 {
		t.Errorf("findings %v, want none", ids(r))
	}
	want := []audit.Unchecked{{Check: "data", Subject: "backup www/offsite", Reason: "list bucket: 403 Forbidden"}}
	if len(r.Unchecked) != 1 || r.Unchecked[0] != want[0] {
		t.Errorf("unchecked %v, want %v", r.Unchecked, want)
	}
}

func TestSharedFateBackup(t *testing.T) {
	backups := func(vendors ...string) func(*config.Config) {
		return func(c *config.Config) {
			var bs []*config.Backup
			for i, v := range vendors {
				bs = append(bs, &config.Backup{Name: []string{"nightly", "weekly"}[i], Vendor: v, Directory: "/b"})
			}
			c.Service("www").Backups = bs
		}
	}
	runCases(t, audit.CheckSharedFate, []checkCase{
		{name: "no backup block: not this finding", cfg: backups()},
		{name: "backups elsewhere", cfg: backups("backblaze")},
		{name: "one copy elsewhere is enough", cfg: backups("hetzner", "backblaze")},
		{
			name: "every backup at the primary's vendor",
			cfg:  backups("hetzner", "hetzner"),
			want: map[string]audit.Severity{"shared-fate.backup.www": audit.Critical},
			evidence: map[string][]string{"shared-fate.backup.www": {
				"every backup of www is at hetzner, the vendor it runs on",
				"backup block(s) nightly, weekly: vendor hetzner",
				"backup.vendor other than hetzner",
			}},
		},
		{
			// The primary is where it runs now: after a failover to
			// digitalocean, backups there share its fate.
			name:  "the placement decides the primary",
			cfg:   backups("digitalocean"),
			facts: func(f *audit.Facts) { f.Placement["www"] = "digitalocean" },
			want:  map[string]audit.Severity{"shared-fate.backup.www": audit.Critical},
		},
	})
}

func TestRestoreReadiness(t *testing.T) {
	day := 24 * time.Hour
	withBackup := func(c *config.Config) {
		c.Service("www").Backups = []*config.Backup{{Name: "offsite", Vendor: "backblaze", Directory: "/b"}}
	}
	drills := func(ds ...audit.DrillFact) func(*audit.Facts) {
		return func(f *audit.Facts) { f.Drills = map[string][]audit.DrillFact{"www": ds} }
	}
	canary := audit.DrillFact{Name: "weekly", Mode: "canary", At: now.Add(-day), OK: true}
	restore := func(ago time.Duration, ok bool) audit.DrillFact {
		return audit.DrillFact{Name: "restore", Mode: "restore", At: now.Add(-ago), OK: ok}
	}
	runCases(t, audit.CheckReadiness, []checkCase{
		{name: "no backup block: nothing to restore", facts: drills(canary)},
		{name: "a restore passed yesterday", cfg: withBackup, facts: drills(canary, restore(day, true))},
		{
			name:     "never restored",
			cfg:      withBackup,
			facts:    drills(canary),
			want:     map[string]audit.Severity{"restore-readiness.www": audit.High},
			evidence: map[string][]string{"restore-readiness.www": {"no restore drill of www has passed", `mode = "restore"`}},
		},
		{
			// The failed restore is also the newest drill: readiness-failed says so.
			name:  "only a failed restore",
			cfg:   withBackup,
			facts: drills(canary, restore(time.Hour, false)),
			want:  map[string]audit.Severity{"restore-readiness.www": audit.High, "readiness-failed.www": audit.High},
		},
		{
			name:     "the last passed restore is too old",
			cfg:      withBackup,
			facts:    drills(canary, restore(40*day, true)),
			want:     map[string]audit.Severity{"restore-readiness.www": audit.High},
			evidence: map[string][]string{"restore-readiness.www": {"the newest passed restore drill of www is restore at 2026-10-19T12:00:00Z, 40 days before now; audit.drill_max_age is 30 days"}},
		},
		{
			name: "with a restore drill block: run it",
			cfg: func(c *config.Config) {
				withBackup(c)
				c.Drills = append(c.Drills, &config.Drill{Name: "restore-nightly", Service: "www", Mode: config.DrillRestore, Schedule: "0 5 * * *"})
			},
			facts:    drills(canary),
			want:     map[string]audit.Severity{"restore-readiness.www": audit.High},
			evidence: map[string][]string{"restore-readiness.www": {"run lifeboat drill restore-nightly now", "(restore drill restore-nightly)"}},
		},
		{name: "the journal was not read", cfg: withBackup, facts: func(f *audit.Facts) { f.Drills = nil }},
	})
}

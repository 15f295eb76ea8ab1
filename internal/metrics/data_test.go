package metrics

import (
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"

	"github.com/lifeboat-dev/lifeboat/internal/wire"
)

func value(t *testing.T, fams map[string]*dto.MetricFamily, name string, lbl map[string]string) (float64, bool) {
	t.Helper()
	m := find(fams[name], lbl)
	if m == nil {
		return 0, false
	}
	return m.GetGauge().GetValue(), true
}

func TestDataAndBackupSeries(t *testing.T) {
	m := New(nil)
	m.now = func() time.Time { return t0 }
	m.SetData([]wire.DataStatus{
		// www at bravo: two blocks, the larger age is the series.
		{Service: "www", Data: "db", Provider: "bravo", State: wire.DataFresh, AgeSeconds: 42, AgeKnown: true},
		{Service: "www", Data: "files", Provider: "bravo", State: wire.DataFresh, AgeSeconds: 300, AgeKnown: true},
		// www at charlie: stale.
		{Service: "www", Data: "db", Provider: "charlie", State: wire.DataStale, AgeSeconds: 900, AgeKnown: true},
		// www at delta: one block unknown, so no age at all.
		{Service: "www", Data: "db", Provider: "delta", State: wire.DataFresh, AgeSeconds: 1, AgeKnown: true},
		{Service: "www", Data: "files", Provider: "delta", State: wire.DataUnknown, Reason: "exec failed"},
		{Service: "api", Data: "db", Provider: "bravo", State: wire.DataFresh, AgeSeconds: 0, AgeKnown: true},
	})
	m.SetBackups([]wire.BackupStatus{
		{Service: "www", Backup: "offsite", Newest: "a.dump", NewestAt: t0.Add(-2 * time.Hour), AgeSeconds: 60, MaxAgeSeconds: 93600},
		{Service: "www", Backup: "old", Newest: "b.dump", AgeSeconds: 200000, MaxAgeSeconds: 93600, Over: true},
		{Service: "www", Backup: "broken", MaxAgeSeconds: 93600, Over: true, Error: "403"},
	})
	fams := parse(t, scrape(t, m))
	for _, c := range []struct {
		name    string
		lbl     map[string]string
		want    float64
		present bool
	}{
		{"lifeboat_data_age_seconds", map[string]string{"service": "www", "provider": "bravo"}, 300, true},
		{"lifeboat_data_fresh", map[string]string{"service": "www", "provider": "bravo"}, 1, true},
		{"lifeboat_data_age_seconds", map[string]string{"service": "www", "provider": "charlie"}, 900, true},
		{"lifeboat_data_fresh", map[string]string{"service": "www", "provider": "charlie"}, 0, true},
		{"lifeboat_data_age_seconds", map[string]string{"service": "www", "provider": "delta"}, 0, false},
		{"lifeboat_data_fresh", map[string]string{"service": "www", "provider": "delta"}, 0, true},
		{"lifeboat_data_age_seconds", map[string]string{"service": "api", "provider": "bravo"}, 0, true},
		// Counted from the backup's time at scrape, not the row's age.
		{"lifeboat_backup_age_seconds", map[string]string{"service": "www", "backup": "offsite"}, 7200, true},
		{"lifeboat_backup_fresh", map[string]string{"service": "www", "backup": "offsite"}, 1, true},
		{"lifeboat_backup_age_seconds", map[string]string{"service": "www", "backup": "old"}, 200000, true},
		{"lifeboat_backup_fresh", map[string]string{"service": "www", "backup": "old"}, 0, true},
		{"lifeboat_backup_age_seconds", map[string]string{"service": "www", "backup": "broken"}, 0, false},
		{"lifeboat_backup_fresh", map[string]string{"service": "www", "backup": "broken"}, 0, true},
	} {
		got, ok := value(t, fams, c.name, c.lbl)
		if ok != c.present || got != c.want {
			t.Errorf("%s%v = %v (present %v), want %v (present %v)", c.name, c.lbl, got, ok, c.want, c.present)
		}
	}
	if n := len(fams["lifeboat_data_fresh"].GetMetric()); n != 4 {
		t.Errorf("%d lifeboat_data_fresh series, want one per service and provider (4)", n)
	}

	// The next round no longer has api, nor www's backups: their series go.
	m.SetData([]wire.DataStatus{{Service: "www", Data: "db", Provider: "bravo", State: wire.DataFresh, AgeSeconds: 5, AgeKnown: true}})
	m.SetBackups(nil)
	text := scrape(t, m)
	for _, gone := range []string{`service="api"`, `provider="charlie"`, "lifeboat_backup_age_seconds{", "lifeboat_backup_fresh{"} {
		if strings.Contains(text, gone) {
			t.Errorf("%s still scraped after it left the rows", gone)
		}
	}
	if got, ok := value(t, parse(t, text), "lifeboat_data_age_seconds", map[string]string{"service": "www", "provider": "bravo"}); !ok || got != 5 {
		t.Errorf("www at bravo = %v (present %v), want 5", got, ok)
	}
}

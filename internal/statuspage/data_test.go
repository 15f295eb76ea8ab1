package statuspage

import (
	"net/http"
	"strings"
	"testing"

	"github.com/lifeboat-dev/lifeboat/internal/wire"
)

// The Data section shows each service's data blocks at each provider
// with their age and state, stale and unknown marked, and each backup's
// age against its maximum.
func TestPageShowsData(t *testing.T) {
	src := fixture()
	src.doc.Data = []wire.DataStatus{
		{Service: "www", Data: "db", Provider: "alpha", Kind: "postgres", State: wire.DataFresh, AgeKnown: true, RPOSeconds: 60, Reason: "primary"},
		{Service: "www", Data: "db", Provider: "bravo", Kind: "postgres", State: wire.DataStale, AgeSeconds: 600, AgeKnown: true, RPOSeconds: 60, Reason: "replica 10m00s behind"},
		{Service: "api", Data: "files", Provider: "bravo", Kind: "exec", State: wire.DataUnknown, Reason: "exit status 3"},
	}
	src.doc.Backups = []wire.BackupStatus{
		{Service: "www", Backup: "offsite", Vendor: "backblaze", Newest: "www-1.dump", AgeSeconds: 3 * 3600, MaxAgeSeconds: 26 * 3600},
		{Service: "www", Backup: "cold", Vendor: "wasabi", Newest: "www-0.dump", AgeSeconds: 3 * 86400, MaxAgeSeconds: 26 * 3600, Over: true},
	}
	_, body := get(t, Handler(src, testOptions()), http.MethodGet, "/")
	mustContain(t, body,
		`<section id="data">`, "<h2>Data and backups</h2>",
		`<td data-label="data">db <span class="muted">postgres</span></td><td data-label="provider">bravo</td><td class="nowrap" data-label="age">10m00s old <span class="muted">(rpo 1m00s)</span></td><td data-label="state"><span class="badge bad">stale</span></td><td class="wrap" data-label="reason">replica 10m00s behind</td>`,
		`<td data-label="provider">alpha</td><td class="nowrap" data-label="age">0s old <span class="muted">(rpo 1m00s)</span></td><td data-label="state"><span class="badge good">fresh</span>`,
		`<td data-label="provider">bravo</td><td class="nowrap" data-label="age">age unknown</td><td data-label="state"><span class="badge warn">unknown</span></td><td class="wrap" data-label="reason">exit status 3</td>`,
		`offsite <span class="muted">at backblaze</span></td><td class="wrap" data-label="newest">www-1.dump</td><td class="nowrap" data-label="age">3h00m old (max 26h00m)</td><td data-label="state"><span class="badge good">fresh</span>`,
		`<td class="nowrap" data-label="age">3d00h old (max 26h00m)</td><td data-label="state"><span class="badge bad">too old</span></td><td class="wrap" data-label="reason">older than backup_max_age</td>`,
	)
	// One card per service, www first as its rows came first.
	if i, j := strings.Index(body, `<section id="data">`), strings.Index(body, `<section id="providers">`); i < 0 || j < i {
		t.Fatalf("data section missing or misplaced")
	}
	sec := body[strings.Index(body, `<section id="data">`):strings.Index(body, `<section id="providers">`)]
	if strings.Count(sec, "<h3>") != 2 || strings.Index(sec, "<h3>www</h3>") > strings.Index(sec, "<h3>api</h3>") {
		t.Errorf("want a card for www then api:\n%s", sec)
	}
}

// With no data or backup block anywhere there is no Data section.
func TestPageWithoutDataHasNoDataSection(t *testing.T) {
	_, body := get(t, Handler(fixture(), testOptions()), http.MethodGet, "/")
	if strings.Contains(body, `id="data"`) {
		t.Error("a page with no data rows shows a Data section")
	}
}

func TestDataOfBackupStates(t *testing.T) {
	v := dataOf(nil, []wire.BackupStatus{
		{Service: "www", Backup: "a", Newest: "x", AgeSeconds: 1, MaxAgeSeconds: 10},
		{Service: "www", Backup: "b", MaxAgeSeconds: 10, Over: true},
		{Service: "www", Backup: "c", MaxAgeSeconds: 10, Over: true, Error: "403 Forbidden"},
	})
	if len(v) != 1 || len(v[0].Backups) != 3 {
		t.Fatalf("%+v", v)
	}
	for i, want := range []struct{ word, age, reason string }{
		{"fresh", "1s old (max 10s)", ""},
		{"none", "none found", "no backup found"},
		{"unknown", "not listed", "403 Forbidden"},
	} {
		b := v[0].Backups[i]
		if b.State.Word != want.word || b.Age != want.age || b.Reason != want.reason {
			t.Errorf("%s: %q %q %q, want %q %q %q", b.Backup, b.State.Word, b.Age, b.Reason, want.word, want.age, want.reason)
		}
	}
}

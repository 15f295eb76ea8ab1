package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/lifeboat-dev/lifeboat/internal/wire"
)

// The status text shows each data block's age at each provider, and the
// newest backups, below the services; a stale row stands out in capitals.
func TestPrintStatusData(t *testing.T) {
	doc := &wire.StatusDoc{
		Services: []wire.StatusService{{Name: "www", Placement: "alpha", Source: "first_candidate", ProviderState: "healthy"}},
		Data: []wire.DataStatus{
			{Service: "www", Data: "db", Provider: "bravo", Kind: "postgres", State: wire.DataFresh, AgeSeconds: 42, AgeKnown: true, Reason: "replica"},
			{Service: "www", Data: "db", Provider: "charlie", Kind: "postgres", State: wire.DataStale, AgeSeconds: 600, AgeKnown: true, Reason: "over rpo 1m00s"},
		},
		Backups: []wire.BackupStatus{{Service: "www", Backup: "offsite", Vendor: "backblaze", Newest: "www.dump", AgeSeconds: 7200, MaxAgeSeconds: 93600}},
	}
	var b bytes.Buffer
	if err := printStatus(&b, doc); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{
		"SERVICE  DATA  PROVIDER  KIND      AGE     STATE  REASON",
		"www      db    bravo     postgres  42s     fresh  replica",
		"www      db    charlie   postgres  10m00s  STALE  over rpo 1m00s",
		"www      offsite  backblaze  www.dump  2h00m  26h00m   ok",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("%q not in\n%s", want, out)
		}
	}
	if strings.Index(out, "PLACEMENT") > strings.Index(out, "DATA") {
		t.Errorf("the data section comes before the services:\n%s", out)
	}
}

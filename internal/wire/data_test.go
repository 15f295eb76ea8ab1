package wire

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"text/tabwriter"
	"time"
)

func row(service, data, provider string, st DataState) DataStatus {
	return DataStatus{Service: service, Data: data, Provider: provider, State: st}
}

func keys(rows []DataStatus) []string {
	var out []string
	for _, r := range rows {
		out = append(out, r.Service+"/"+r.Data+"@"+r.Provider+"="+string(r.State))
	}
	return out
}

func TestStaleTransitions(t *testing.T) {
	cases := []struct {
		name      string
		prev, cur []DataStatus
		want      []string
	}{
		{name: "nothing measured"},
		{name: "fresh stays fresh", prev: []DataStatus{row("www", "db", "b", DataFresh)}, cur: []DataStatus{row("www", "db", "b", DataFresh)}},
		{name: "fresh turns stale", prev: []DataStatus{row("www", "db", "b", DataFresh)}, cur: []DataStatus{row("www", "db", "b", DataStale)}, want: []string{"www/db@b=stale"}},
		{name: "fresh turns unknown", prev: []DataStatus{row("www", "db", "b", DataFresh)}, cur: []DataStatus{row("www", "db", "b", DataUnknown)}, want: []string{"www/db@b=unknown"}},
		{name: "absent, now stale (first round)", cur: []DataStatus{row("www", "db", "b", DataStale)}, want: []string{"www/db@b=stale"}},
		{name: "stale stays stale: once per transition", prev: []DataStatus{row("www", "db", "b", DataStale)}, cur: []DataStatus{row("www", "db", "b", DataStale)}},
		{name: "stale to unknown is the same trouble", prev: []DataStatus{row("www", "db", "b", DataStale)}, cur: []DataStatus{row("www", "db", "b", DataUnknown)}},
		{name: "stale, fresh, stale again: a new transition", prev: []DataStatus{row("www", "db", "b", DataFresh)}, cur: []DataStatus{row("www", "db", "b", DataStale)}, want: []string{"www/db@b=stale"}},
		{
			name: "rows are told apart by service, data block and provider",
			prev: []DataStatus{row("www", "db", "a", DataStale), row("www", "db", "b", DataFresh), row("api", "db", "a", DataFresh)},
			cur:  []DataStatus{row("www", "db", "a", DataStale), row("www", "db", "b", DataStale), row("api", "db", "a", DataUnknown), row("www", "files", "a", DataFresh)},
			want: []string{"www/db@b=stale", "api/db@a=unknown"},
		},
		{name: "a row that went away says nothing", prev: []DataStatus{row("www", "db", "b", DataFresh)}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := keys(StaleTransitions(c.prev, c.cur))
			if strings.Join(got, ",") != strings.Join(c.want, ",") {
				t.Errorf("got %v, want %v", got, c.want)
			}
		})
	}
}

func TestFormatAge(t *testing.T) {
	for _, c := range []struct {
		s    float64
		want string
	}{
		{0, "0s"}, {0.4, "0s"}, {42, "42s"}, {59.6, "1m00s"}, {190, "3m10s"},
		{3600, "1h00m"}, {5*3600 + 180, "5h03m"}, {47 * 3600, "47h00m"}, {3*86400 + 4*3600, "3d04h"},
	} {
		if got := FormatAge(c.s); got != c.want {
			t.Errorf("FormatAge(%v) = %q, want %q", c.s, got, c.want)
		}
	}
}

func TestWriteDataTable(t *testing.T) {
	var b bytes.Buffer
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	WriteDataTable(tw, []DataStatus{
		{Service: "www", Data: "db", Provider: "alpha", Kind: "postgres", State: DataFresh, AgeSeconds: 0, AgeKnown: true, Reason: "primary"},
		{Service: "www", Data: "db", Provider: "bravo", Kind: "postgres", State: DataFresh, AgeSeconds: 42, AgeKnown: true, Reason: "replica"},
		{Service: "www", Data: "db", Provider: "charlie", Kind: "postgres", State: DataStale, AgeSeconds: 600, AgeKnown: true, Reason: "replica 10m00s behind, rpo 1m00s"},
		{Service: "www", Data: "db", Provider: "delta", Kind: "postgres", State: DataUnknown, Reason: "connection refused"},
	}, []BackupStatus{
		{Service: "www", Backup: "offsite", Vendor: "backblaze", Newest: "www-2026-12-07.dump", AgeSeconds: 3 * 3600, MaxAgeSeconds: 26 * 3600},
		{Service: "www", Backup: "old", Vendor: "wasabi", Newest: "www-2026-12-01.dump", AgeSeconds: 6 * 86400, MaxAgeSeconds: 26 * 3600, Over: true},
		{Service: "www", Backup: "empty", Vendor: "ovh", MaxAgeSeconds: 26 * 3600, Over: true},
		{Service: "www", Backup: "gone", Vendor: "ovh", MaxAgeSeconds: 26 * 3600, Over: true, Error: "list bucket: 403 Forbidden"},
	})
	if err := tw.Flush(); err != nil {
		t.Fatal(err)
	}
	want := `
SERVICE  DATA  PROVIDER  KIND      AGE     STATE    REASON
www      db    alpha     postgres  0s      fresh    primary
www      db    bravo     postgres  42s     fresh    replica
www      db    charlie   postgres  10m00s  STALE    replica 10m00s behind, rpo 1m00s
www      db    delta     postgres  -       UNKNOWN  connection refused

SERVICE  BACKUP   VENDOR     NEWEST               AGE    MAX AGE  STATE    REASON
www      offsite  backblaze  www-2026-12-07.dump  3h00m  26h00m   ok
www      old      wasabi     www-2026-12-01.dump  6d00h  26h00m   OVER     older than backup_max_age 26h00m
www      empty    ovh        -                    -      26h00m   OVER     no backup found
www      gone     ovh        -                    -      26h00m   UNKNOWN  list bucket: 403 Forbidden
`
	// tabwriter pads an empty last cell; a reader sees no difference.
	var lines []string
	for _, l := range strings.Split(b.String(), "\n") {
		lines = append(lines, strings.TrimRight(l, " "))
	}
	if got := strings.Join(lines, "\n"); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	b.Reset()
	WriteDataTable(&b, nil, nil)
	if b.Len() != 0 {
		t.Errorf("nothing to show wrote %q", b.String())
	}
}

// The status document carries the rows under stable names, and leaves
// them out when no service has data or backups.
func TestStatusDocDataJSON(t *testing.T) {
	at := time.Date(2026, 12, 7, 18, 0, 0, 0, time.UTC)
	doc := StatusDoc{
		Data:    []DataStatus{{Service: "www", Data: "db", Provider: "bravo", Kind: "postgres", State: DataStale, AgeSeconds: 90.5, AgeKnown: true, RPOSeconds: 60, MeasuredAt: at}},
		Backups: []BackupStatus{{Service: "www", Backup: "offsite", Vendor: "backblaze", Newest: "a.dump", NewestAt: at, AgeSeconds: 10, MaxAgeSeconds: 93600}},
	}
	b, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		`"data":[{"service":"www","data":"db","provider":"bravo","kind":"postgres","state":"stale","age_seconds":90.5,"age_known":true,"rpo_seconds":60,"measured_at":"2026-12-07T18:00:00Z"}]`,
		`"backups":[{"service":"www","backup":"offsite","vendor":"backblaze","newest":"a.dump","newest_at":"2026-12-07T18:00:00Z","age_seconds":10,"max_age_seconds":93600,"over":false}]`,
	} {
		if !strings.Contains(string(b), want) {
			t.Errorf("%s\nnot in\n%s", want, b)
		}
	}
	b, _ = json.Marshal(StatusDoc{})
	if strings.Contains(string(b), `"data"`) || strings.Contains(string(b), `"backups"`) {
		t.Errorf("an empty document names data or backups: %s", b)
	}
}

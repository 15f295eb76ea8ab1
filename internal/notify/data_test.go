package notify

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/lifeboat-dev/lifeboat/internal/config"
	"github.com/lifeboat-dev/lifeboat/internal/wire"
)

func TestDataStaleEventSummary(t *testing.T) {
	at := time.Date(2026, 12, 7, 18, 0, 0, 0, time.UTC)
	base := wire.DataStatus{Service: "www", Data: "db", Provider: "bravo", Kind: "postgres", MeasuredAt: at}
	cases := []struct {
		name string
		edit func(*wire.DataStatus)
		want string
	}{
		{"stale against the rpo", func(d *wire.DataStatus) {
			d.State, d.AgeSeconds, d.AgeKnown, d.RPOSeconds, d.Reason = wire.DataStale, 600, true, 60, "replica behind"
		}, "www's data db at bravo is stale: 10m00s old, rpo 1m00s: replica behind"},
		{"stale without an rpo", func(d *wire.DataStatus) { d.State, d.AgeSeconds, d.AgeKnown = wire.DataStale, 42, true }, "www's data db at bravo is stale: 42s old"},
		{"unknown", func(d *wire.DataStatus) { d.State, d.Reason = wire.DataUnknown, "connection refused" }, "www's data db at bravo is of unknown age: connection refused"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d := base
			c.edit(&d)
			ev := DataStaleEvent(d)
			if ev.Summary != c.want {
				t.Errorf("summary %q, want %q", ev.Summary, c.want)
			}
			if ev.Event != "data.stale" || ev.Category != config.EventData || ev.OK || ev.Service != "www" || ev.Provider != "bravo" || !ev.At.Equal(at) || ev.Error != d.Reason {
				t.Errorf("event %+v", ev)
			}
		})
	}
}

// A block listing the "data" category gets data.stale with its payload;
// a block listing other categories does not.
func TestDataStaleDelivered(t *testing.T) {
	data, other := newReceiver(t, nil), newReceiver(t, nil)
	n := New([]*config.Notify{hookBlock("dba", data.URL, config.EventData), hookBlock("ops", other.URL, config.EventFailover)}, Options{})
	closeNotifier(t, n)
	n.Send(DataStaleEvent(wire.DataStatus{Service: "www", Data: "db", Provider: "bravo", Kind: "postgres",
		State: wire.DataStale, AgeSeconds: 90, AgeKnown: true, RPOSeconds: 60, Reason: "replica behind"}), nil)
	flush(t, n)
	if got := data.events(t); !slices.Equal(got, []string{"data.stale"}) {
		t.Fatalf("dba got %v", got)
	}
	if got := other.events(t); len(got) != 0 {
		t.Errorf("ops got %v, its events do not list data", got)
	}
	var body struct {
		Category string          `json:"category"`
		Details  wire.DataStatus `json:"details"`
	}
	if err := json.Unmarshal(data.requests()[0].body, &body); err != nil {
		t.Fatal(err)
	}
	d := body.Details
	if body.Category != "data" || d.Service != "www" || d.Data != "db" || d.Provider != "bravo" || d.AgeSeconds != 90 || d.State != wire.DataStale || !strings.Contains(d.Reason, "replica behind") {
		t.Errorf("payload %+v", body)
	}
}

func TestDataIsANotifyEvent(t *testing.T) {
	if !slices.Contains(config.NotifyEvents, "data") {
		t.Errorf("config.NotifyEvents %v lacks data", config.NotifyEvents)
	}
}

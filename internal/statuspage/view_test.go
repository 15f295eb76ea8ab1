package statuspage

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/lifeboat-dev/lifeboat/internal/config"
	"github.com/lifeboat-dev/lifeboat/internal/wire"
)

func TestAgo(t *testing.T) {
	now := fixtureNow
	cases := []struct {
		d    time.Duration
		want string
	}{
		{0, "just now"},
		{59 * time.Second, "just now"},
		{time.Minute, "1 minute ago"},
		{17 * time.Minute, "17 minutes ago"},
		{time.Hour, "1 hour ago"},
		{47 * time.Hour, "47 hours ago"},
		{48 * time.Hour, "2 days ago"},
		{6*24*time.Hour + 23*time.Hour, "6 days ago"},
		{-time.Minute, "in the future"},
	}
	for _, c := range cases {
		if got := ago(now.Add(-c.d), now); got != c.want {
			t.Errorf("ago(%s) = %q, want %q", c.d, got, c.want)
		}
	}
}

func TestDuration(t *testing.T) {
	cases := []struct {
		d    time.Duration
		want string
	}{
		{0, "0s"},
		{1234 * time.Microsecond, "1ms"},
		{4240 * time.Millisecond, "4.2s"},
		{192500 * time.Millisecond, "3m13s"},
	}
	for _, c := range cases {
		if got := duration(c.d); got != c.want {
			t.Errorf("duration(%s) = %q, want %q", c.d, got, c.want)
		}
	}
}

// A service's drill age counts only drills that passed: an aborted one
// may have OK steps but rehearsed nothing to the end.
func TestLastPassedDrill(t *testing.T) {
	now := fixtureNow
	day := 24 * time.Hour
	reports := []wire.DrillReport{
		{Name: "a", Service: "www", OK: true, Aborted: true, Finished: now.Add(-1 * day)},
		{Name: "b", Service: "www", OK: false, Finished: now.Add(-2 * day)},
		{Name: "c", Service: "www", OK: true, Finished: now.Add(-31 * day)},
		{Name: "d", Service: "www", OK: true, Finished: now.Add(-40 * day)},
		{Name: "e", Service: "api", OK: true, Finished: now.Add(-30 * day)},
	}
	passed := lastPassed(reports)
	if got := passed["www"].Name; got != "c" {
		t.Errorf("www's last passed drill %q, want c", got)
	}
	// The page flags what the audit does: a drill older than
	// audit.drill_max_age (30 days by default).
	www := serviceOf(wire.StatusService{Name: "www"}, passed, "never", now, 30*day)
	if !www.DrillStale || www.LastDrill != "31 days ago (drill c)" {
		t.Errorf("www: %q stale=%v, want 31 days ago and stale", www.LastDrill, www.DrillStale)
	}
	// Exactly the max age is not yet overdue.
	api := serviceOf(wire.StatusService{Name: "api"}, passed, "never", now, 30*day)
	if api.DrillStale {
		t.Errorf("api's drill of exactly 30 days is flagged")
	}
	// A shorter audit.drill_max_age flags it.
	if api := serviceOf(wire.StatusService{Name: "api"}, passed, "never", now, 8*day); !api.DrillStale {
		t.Errorf("api's drill of 30 days is not flagged with a drill_max_age of 8 days")
	}
}

// With as many reports as were asked for, older ones were not read: the
// page must not claim a service never passed.
func TestNoPassedDrillAmongReportsRead(t *testing.T) {
	doc := &wire.StatusDoc{Services: []wire.StatusService{{Name: "www"}}}
	var reports []wire.DrillReport
	for range drillsRead {
		reports = append(reports, wire.DrillReport{Service: "www", Finished: fixtureNow})
	}
	p := buildPage(doc, nil, reports, fixtureNow, time.Second, defaultDrillMaxAge)
	if got, want := p.Services[0].LastDrill, "no passed drill in the last 100 reports"; got != want || !p.Services[0].DrillStale {
		t.Errorf("LastDrill %q stale=%v, want %q and stale", got, p.Services[0].DrillStale, want)
	}
	if len(p.Drills) != drillsShown {
		t.Errorf("%d drills shown, want %d", len(p.Drills), drillsShown)
	}
	p = buildPage(doc, nil, reports[:3], fixtureNow, time.Second, defaultDrillMaxAge)
	if got := p.Services[0].LastDrill; got != "no passed drill on record" {
		t.Errorf("LastDrill %q with 3 reports, want no passed drill on record", got)
	}
}

// A source that ignores the limit still gives a page of the last 10.
func TestOperationsCapped(t *testing.T) {
	doc := &wire.StatusDoc{}
	var ops []wire.Operation
	for i := range 15 {
		ops = append(ops, wire.Operation{ID: fmt.Sprintf("op-%02d", i), Kind: "failover", Started: fixtureNow})
	}
	p := buildPage(doc, ops, nil, fixtureNow, time.Second, defaultDrillMaxAge)
	if len(p.Operations) != historyLimit || p.Operations[0].ID != "op-00" {
		t.Errorf("%d operations, first %q; want %d, newest (op-00) first", len(p.Operations), p.Operations[0].ID, historyLimit)
	}
}

// The page shows who leads, each node's view in a table, and how far
// each loss is from the quorum; a node cut off from etcd says so.
func TestClusterOnThePage(t *testing.T) {
	src := fixture()
	_, body := get(t, Handler(src, testOptions()), http.MethodGet, "/")
	mustContain(t, body, "Node n2:", ">follows</span> checks, reports and forwards operations to the leader", "leader: n1",
		"n1 (leader)", "alpha: lost at 1 node(s) (n1), 2 needed: not declared lost")
	src.doc.Daemon.Cluster.Connected = false
	_, body = get(t, Handler(src, testOptions()), http.MethodGet, "/")
	mustContain(t, body, ">cut off from etcd</span> checking and reporting, taking no action")
}

// The page's default is the audit's: one rule for when a drill is old.
func TestDrillMaxAgeDefaultIsTheAudits(t *testing.T) {
	if defaultDrillMaxAge != config.DefaultDrillMaxAge {
		t.Fatalf("the page flags drills older than %s, the audit %s", defaultDrillMaxAge, config.DefaultDrillMaxAge)
	}
}

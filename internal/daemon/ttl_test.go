package daemon

import (
	"encoding/json"
	"slices"
	"testing"
	"time"

	"github.com/lifeboat-dev/lifeboat/health"
	"github.com/lifeboat-dev/lifeboat/internal/engine"
	"github.com/lifeboat-dev/lifeboat/internal/journal"
)

func TestDecideTTL(t *testing.T) {
	t0 := time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)
	window := 10 * time.Minute
	www := []string{"www"}
	lowered := ttlState{AtRiskSince: t0, Lowered: true, Touched: true, Services: www}
	recovering := ttlState{AtRiskSince: t0, Lowered: true, Touched: true, Services: www, HealthySince: t0.Add(time.Minute)}
	cases := []struct {
		name            string
		st              ttlState
		atRisk, healthy bool
		now             time.Time
		want            ttlAction
		healthySince    time.Time
		atRiskSince     time.Time
	}{
		{name: "healthy and never at risk: nothing", healthy: true, now: t0, want: ttlNone},
		{name: "at risk: lower", atRisk: true, now: t0, want: ttlLower, atRiskSince: t0},
		{name: "still at risk after a failed lowering: lower again", st: ttlState{AtRiskSince: t0, Touched: true, Services: www}, atRisk: true,
			now: t0.Add(time.Minute), want: ttlLower, atRiskSince: t0},
		{name: "at risk and lowered: nothing more", st: lowered, atRisk: true, now: t0.Add(time.Minute), want: ttlNone, atRiskSince: t0},
		{name: "at risk, lowered where DNS answered, one was down: lower again for it",
			st:     ttlState{AtRiskSince: t0, Lowered: true, Touched: true, Services: www, Missed: []string{"knot"}},
			atRisk: true, now: t0.Add(time.Minute), want: ttlLower, atRiskSince: t0},
		{name: "healthy again: the window starts", st: lowered, healthy: true, now: t0.Add(time.Minute), want: ttlNone,
			healthySince: t0.Add(time.Minute), atRiskSince: t0},
		{name: "healthy within the window: hold", st: recovering,
			healthy: true, now: t0.Add(10 * time.Minute), want: ttlNone, healthySince: t0.Add(time.Minute), atRiskSince: t0},
		{name: "healthy for the window: restore", st: recovering,
			healthy: true, now: t0.Add(11 * time.Minute), want: ttlRestore, healthySince: t0.Add(time.Minute), atRiskSince: t0},
		{name: "a lowering that failed half-way is restored too", st: ttlState{AtRiskSince: t0, Touched: true, Services: www, HealthySince: t0.Add(time.Minute)},
			healthy: true, now: t0.Add(11 * time.Minute), want: ttlRestore, healthySince: t0.Add(time.Minute), atRiskSince: t0},
		{name: "healthy again with nothing lowered (every write failed): forgotten", st: ttlState{AtRiskSince: t0, Reason: "degraded"},
			healthy: true, now: t0.Add(time.Minute), want: ttlNone},
		{name: "healthy again, no service was placed there: forgotten", st: ttlState{AtRiskSince: t0, Lowered: true},
			healthy: true, now: t0.Add(time.Minute), want: ttlNone},
		{name: "at risk again within the window: the window starts over", st: recovering,
			atRisk: true, now: t0.Add(5 * time.Minute), want: ttlNone, atRiskSince: t0},
		{name: "down while lowered: stays lowered, no window", st: recovering,
			now: t0.Add(20 * time.Minute), want: ttlNone, atRiskSince: t0},
		{name: "down and never at risk: nothing", now: t0, want: ttlNone},
	}
	// Down after being at risk, the reason says down, not the degraded
	// round that first lowered the TTL.
	if st, _ := decideTTL(lowered, false, false, "down: 3 consecutive rounds failing", t0.Add(time.Minute), window); st.Reason != "down: 3 consecutive rounds failing" {
		t.Errorf("down while lowered: reason %q", st.Reason)
	}
	if st, _ := decideTTL(ttlState{}, false, false, "down: gone", t0, window); st.Reason != "" {
		t.Errorf("down and never at risk: reason %q, want none kept", st.Reason)
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			st, got := decideTTL(tc.st, tc.atRisk, tc.healthy, "degraded", tc.now, window)
			if got != tc.want {
				t.Errorf("action %d, want %d", got, tc.want)
			}
			if !st.HealthySince.Equal(tc.healthySince) || !st.AtRiskSince.Equal(tc.atRiskSince) {
				t.Errorf("healthy since %s, at risk since %s; want %s and %s", st.HealthySince, st.AtRiskSince, tc.healthySince, tc.atRiskSince)
			}
			if st.AtRiskSince.IsZero() {
				if st.owed() {
					t.Error("forgotten, but still owes a restore")
				}
			} else if st.Lowered != tc.st.Lowered || st.Touched != tc.st.Touched {
				t.Error("decideTTL changed Lowered or Touched: only carrying the action out does")
			}
		})
	}
}

func TestAtRisk(t *testing.T) {
	cases := []struct {
		p    health.ProviderStatus
		risk bool
	}{
		{health.ProviderStatus{State: health.StateHealthy}, false},
		{health.ProviderStatus{State: health.StateDegraded, Reason: "1 of 2 checks failed"}, true},
		{health.ProviderStatus{State: health.StateHealthy, Results: []health.Result{{Kind: "provider_api", OK: true, Warning: "account at risk"}}}, true},
		{health.ProviderStatus{State: health.StateHealthy, Results: []health.Result{{Kind: "http", OK: true, Warning: "certificate expires in 3 days"}}}, false},
		{health.ProviderStatus{State: health.StateDown}, false},
	}
	for i, tc := range cases {
		if got, why := atRisk(tc.p); got != tc.risk || (got && why == "") {
			t.Errorf("case %d: at risk %v (%q), want %v", i, got, why, tc.risk)
		}
	}
}

// A restarted daemon, or a node that becomes the leader, knows from the
// journal which providers' records may still have the emergency TTL: the
// newest TTL decision of each provider says.
func TestTTLFromJournal(t *testing.T) {
	t0 := time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)
	window := 3 * time.Minute
	rec := func(at time.Duration, action, provider string) journal.Record {
		data, err := json.Marshal(decision{Action: action, Providers: []string{provider}, Services: []string{"www"},
			Evidence: []string{"www.example.test. A at bind: 3600s -> 30s"}})
		if err != nil {
			t.Fatal(err)
		}
		return journal.Record{Kind: journal.RecordDecision, At: t0.Add(at), Data: data}
	}
	other, err := json.Marshal(decision{Action: "failover", Providers: []string{"gamma"}})
	if err != nil {
		t.Fatal(err)
	}
	newestFirst := []journal.Record{
		rec(9*time.Minute, "ttl_restored", "alpha"),
		rec(8*time.Minute, "ttl_lowered", "alpha"), // restored since
		rec(7*time.Minute, "ttl_lowered", "beta"),
		rec(6*time.Minute, "ttl_restored", "beta"), // an earlier episode
		rec(5*time.Minute, "ttl_failed", "delta"),  // half-way: owed
		rec(4*time.Minute, "ttl_restoring", "eps"), // a DNS provider was down
		{Kind: journal.RecordDecision, At: t0, Data: other},
		{Kind: journal.RecordDecision, At: t0, Data: []byte("not json")},
	}
	got := ttlFromJournal(newestFirst, window)
	if _, ok := got["alpha"]; ok {
		t.Error("alpha was restored, yet is rebuilt as lowered")
	}
	if _, ok := got["gamma"]; ok {
		t.Error("a failover decision made a TTL state")
	}
	for _, p := range []string{"beta", "delta", "eps"} {
		st, ok := got[p]
		if !ok || !st.owed() || !slices.Equal(st.Services, []string{"www"}) || len(st.records()) != 1 {
			t.Errorf("%s: %+v, want a state that owes a restore of www, with its evidence", p, st)
		}
	}
	// In the middle of a restore: the window is behind it, the restore
	// goes on at once once it is healthy.
	st, action := decideTTL(got["eps"], false, true, "", t0.Add(4*time.Minute+time.Second), window)
	if action != ttlRestore {
		t.Errorf("eps, restoring before the restart: action %d, want restore (%+v)", action, st)
	}
	if _, action := decideTTL(got["beta"], false, true, "", t0.Add(8*time.Minute), window); action != ttlNone {
		t.Error("beta, lowered before the restart: its window starts when this daemon sees it healthy")
	}
}

// A lowering is journaled as ttl_lowered only when it wrote an RRset; one
// that left everything alone (records not marked as the service's, every
// DNS provider down) is ttl_failed, once while it lasts.
func TestLoweredJournalsWhatWasWritten(t *testing.T) {
	written := engine.TTLChange{Service: "www", DNS: "bind", Name: "www.example.test.", Type: "A", From: time.Hour, To: time.Minute, Changed: true}
	notOwned := engine.TTLChange{Service: "www", DNS: "bind", Name: "www.example.test.", Type: "A", From: time.Hour, To: time.Minute,
		Skipped: "not marked as lifeboat/www's, and service.adopt is off"}
	dnsDown := engine.TTLChange{DNS: "knot", Name: "example.test.", Skipped: "DNS provider down: no answer"}
	writeFailed := engine.TTLChange{Service: "www", DNS: "bind", Name: "www.example.test.", Type: "A", From: time.Hour, To: time.Minute, Error: "refused"}
	for _, tc := range []struct {
		name    string
		st      ttlState
		changes []engine.TTLChange
		want    string // the action journaled, "" for none
		lowered bool
	}{
		{name: "an RRset written", changes: []engine.TTLChange{written}, want: "ttl_lowered", lowered: true},
		{name: "written at one DNS provider, the other down", changes: []engine.TTLChange{written, dnsDown}, want: "ttl_lowered", lowered: true},
		{name: "every RRset not the service's", changes: []engine.TTLChange{notOwned}, want: "ttl_failed", lowered: true},
		{name: "every DNS provider down", changes: []engine.TTLChange{dnsDown}, want: "ttl_failed", lowered: true},
		{name: "wrote nothing again: journaled once", st: ttlState{failing: true}, changes: []engine.TTLChange{dnsDown}, want: "", lowered: true},
		{name: "a write failed", changes: []engine.TTLChange{writeFailed}, want: "ttl_failed", lowered: false},
		{name: "every RRset already low", changes: nil, want: "", lowered: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st, dec := lowered(tc.st, tc.changes, "alpha", time.Minute)
			got := ""
			if dec != nil {
				got = dec.Action
			}
			if got != tc.want {
				t.Fatalf("journaled %q, want %q (%+v)", got, tc.want, dec)
			}
			if st.Lowered != tc.lowered {
				t.Fatalf("Lowered = %v, want %v", st.Lowered, tc.lowered)
			}
			if dec != nil && dec.Action == "ttl_lowered" && !st.Touched {
				t.Fatal("journaled as lowered without anything touched")
			}
		})
	}
}

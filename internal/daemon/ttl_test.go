package daemon

import (
	"testing"
	"time"

	"github.com/lifeboat-dev/lifeboat/health"
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

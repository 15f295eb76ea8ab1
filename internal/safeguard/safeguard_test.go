package safeguard

import (
	"reflect"
	"testing"
	"time"

	"github.com/lifeboat-dev/lifeboat/internal/puritytest"
)

func TestCheck(t *testing.T) {
	now := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	policy := Policy{Auto: true, MaxAuto: 2, Window: 24 * time.Hour, Cooldown: 30 * time.Minute}
	auto := func(id string, ago time.Duration, services ...string) Past {
		return Past{ID: id, Automatic: true, Services: services, Started: now.Add(-ago)}
	}
	manual := func(id string, ago time.Duration, services ...string) Past {
		return Past{ID: id, Services: services, Started: now.Add(-ago)}
	}
	on := Hold{On: true, Since: now.Add(-time.Hour), Reason: "maintenance"}
	with := func(f func(p *Policy)) Policy { p := policy; f(&p); return p }

	for name, tc := range map[string]struct {
		policy Policy
		facts  Facts
		req    Request
		want   Verdict
	}{
		"nothing in the way": {policy, Facts{}, Request{Moves: []string{"web"}}, Verdict{}},
		"auto_failover off":  {with(func(p *Policy) { p.Auto = false }), Facts{}, Request{Moves: []string{"web"}}, Verdict{Rule: AutoOff}},
		"hold on":            {policy, Facts{Hold: on}, Request{}, Verdict{Rule: Held}},
		"auto off goes before the hold": {with(func(p *Policy) { p.Auto = false }), Facts{Hold: on}, Request{},
			Verdict{Rule: AutoOff}},
		"max per window reached": {policy, Facts{History: []Past{auto("2", 3*time.Hour, "api"), auto("1", 5*time.Hour, "web")}}, Request{},
			Verdict{Rule: MaxAuto, Recent: 2}},
		"the hold goes before the count": {policy, Facts{Hold: on, History: []Past{auto("2", 3*time.Hour), auto("1", 5*time.Hour)}}, Request{},
			Verdict{Rule: Held, Recent: 2}},
		"only failovers within the window count": {policy, Facts{History: []Past{auto("3", 3*time.Hour), auto("2", 25*time.Hour), auto("1", 26*time.Hour)}}, Request{},
			Verdict{Recent: 1}},
		"manual operations do not count": {policy, Facts{History: []Past{manual("3", time.Hour), manual("2", 2*time.Hour), auto("1", 3*time.Hour)}}, Request{},
			Verdict{Recent: 1}},
		"cooldown running": {policy, Facts{History: []Past{auto("1", 10*time.Minute, "web")}}, Request{Moves: []string{"web", "api"}},
			Verdict{Recent: 1, Cooling: []Cooling{{Service: "web", Last: auto("1", 10*time.Minute, "web"), Ago: 10 * time.Minute}}}},
		"cooldown over": {policy, Facts{History: []Past{auto("1", 30*time.Minute, "web")}}, Request{Moves: []string{"web"}},
			Verdict{Recent: 1}},
		"another service's recent failover does not cool this one": {with(func(p *Policy) { p.MaxAuto = 3 }),
			Facts{History: []Past{auto("2", 5*time.Minute, "api"), auto("1", 40*time.Minute, "web")}}, Request{Moves: []string{"web", "api"}},
			Verdict{Recent: 2, Cooling: []Cooling{{Service: "api", Last: auto("2", 5*time.Minute, "api"), Ago: 5 * time.Minute}}}},
		"a service named alone is in cooldown too": {policy,
			Facts{History: []Past{{ID: "1", Automatic: true, Service: "web", Started: now.Add(-time.Minute)}}}, Request{Moves: []string{"web"}},
			Verdict{Recent: 1, Cooling: []Cooling{{Service: "web", Last: Past{ID: "1", Automatic: true, Service: "web", Started: now.Add(-time.Minute)}, Ago: time.Minute}}}},
		"a manual failover starts no cooldown": {policy, Facts{History: []Past{manual("1", time.Minute, "web")}}, Request{Moves: []string{"web"}},
			Verdict{}},
		"no cooldown configured": {with(func(p *Policy) { p.Cooldown = 0 }), Facts{History: []Past{auto("1", time.Minute, "web")}}, Request{Moves: []string{"web"}},
			Verdict{Recent: 1}},
		"cooldown found under a gate as well": {with(func(p *Policy) { p.Auto = false }), Facts{History: []Past{auto("1", time.Minute, "web")}}, Request{Moves: []string{"web"}},
			Verdict{Rule: AutoOff, Recent: 1, Cooling: []Cooling{{Service: "web", Last: auto("1", time.Minute, "web"), Ago: time.Minute}}}},
		"a manual failover is never held": {with(func(p *Policy) { p.Auto = false }),
			Facts{Hold: on, History: []Past{auto("2", time.Minute, "web"), auto("1", 2*time.Minute, "web")}}, Request{Kind: Manual, Moves: []string{"web"}},
			Verdict{}},
		"a resume is not gated by the cooldown or the count": {policy,
			Facts{History: []Past{auto("2", time.Minute, "web"), auto("1", 2*time.Minute, "web")}}, Request{Kind: Resume, Moves: []string{"web"}},
			Verdict{}},
		"a resume waits for the hold":             {policy, Facts{Hold: on}, Request{Kind: Resume}, Verdict{Rule: Held}},
		"a resume goes on with auto_failover off": {with(func(p *Policy) { p.Auto = false }), Facts{}, Request{Kind: Resume}, Verdict{}},
	} {
		if got := Check(tc.policy, tc.facts, now, tc.req); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s:\n got %+v\nwant %+v", name, got, tc.want)
		}
		if got := Check(tc.policy, tc.facts, now, tc.req); got.Allowed() != (tc.want.Rule == None) {
			t.Errorf("%s: Allowed() = %v with rule %q", name, got.Allowed(), got.Rule)
		}
	}
}

// TestSafeguardStaysPure: the safeguards read no clock and no journal; the
// caller passes both in.
func TestSafeguardStaysPure(t *testing.T) {
	puritytest.Check(t, "the safeguard", map[string]bool{"slices": true, "time": true})
}

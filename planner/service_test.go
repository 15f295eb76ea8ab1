package planner_test

import (
	"testing"

	"github.com/lifeboat-dev/lifeboat/planner"
)

// resultCase is a planCase that also pins Result.Settled: whether the
// request is already carried out ("already done") rather than blocked.
type resultCase struct {
	planCase
	settled bool
}

func runResultCases(t *testing.T, cases []resultCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res, err := planner.Plan(tc.input())
			if err != nil {
				t.Fatalf("Plan: %v", err)
			}
			checkPlan(t, tc.planCase, res)
			if res.Settled() != tc.settled {
				t.Errorf("Settled() = %v, want %v\n%s", res.Settled(), tc.settled, res.Text())
			}
		})
	}
}

// Service only narrows which services are considered: it never names a
// provider to leave. Only From does.
func TestManualServiceNeverLeavesAHealthyProvider(t *testing.T) {
	www := func(req planner.Request) planner.Request {
		req.Kind, req.Service = planner.KindManual, "www"
		return req
	}
	runResultCases(t, []resultCase{
		{planCase: planCase{
			name:      "after a completed failover, the same request is already done",
			states:    with("aws", planner.StateDown),
			placement: map[string]string{"www": "hetzner", "api": "hetzner"},
			req:       www(planner.Request{}),
			wantServices: map[string]svcWant{
				"www": {action: planner.ActionStay, reason: "www already runs on hetzner, which is healthy: nothing to do", settled: true},
			},
			wantNoNote: "no provider is down", // aws is
		}, settled: true},
		{planCase: planCase{
			name:      "nothing lost: a service on a healthy provider stays",
			states:    allHealthy(),
			placement: placedOnPrimary(),
			req:       www(planner.Request{}),
			wantNote:  "no provider is down or account_lost",
			wantServices: map[string]svcWant{
				"www": {action: planner.ActionStay, reason: "www already runs on aws, which is healthy", settled: true},
			},
		}, settled: true},
		{planCase: planCase{
			name:      "already on the requested target",
			states:    with("aws", planner.StateDown),
			placement: map[string]string{"www": "hetzner", "api": "hetzner"},
			req:       www(planner.Request{To: "hetzner"}),
			wantServices: map[string]svcWant{
				"www": {action: planner.ActionStay, reason: "www already runs on hetzner", settled: true},
			},
		}, settled: true},
		{planCase: planCase{
			name:      "on a healthy provider other than the requested target: stays, not done",
			states:    allHealthy(),
			placement: map[string]string{"www": "hetzner", "api": "aws"},
			req:       www(planner.Request{To: "ovh"}),
			wantServices: map[string]svcWant{
				"www": {action: planner.ActionStay, reason: "to move it to ovh anyway, name hetzner with from"},
			},
		}, settled: false},
		{planCase: planCase{
			name:      "on a degraded provider: stays, not done",
			states:    with("aws", planner.StateDegraded),
			placement: placedOnPrimary(),
			req:       www(planner.Request{}),
			wantServices: map[string]svcWant{
				"www": {action: planner.ActionStay, reason: "www already runs on aws, which is degraded (1 of 2 checks failed): nothing to do; to move it anyway, name aws with from"},
			},
		}, settled: false},
		{planCase: planCase{
			name:      "placement lost: leaves only the placement",
			states:    with("aws", planner.StateDown, "hetzner", planner.StateDown),
			placement: placedOnPrimary(),
			req:       www(planner.Request{}),
			wantLost:  []string{"aws"},
			wantServices: map[string]svcWant{
				"www": {action: planner.ActionMove, to: "ovh",
					rejected: map[string]string{"aws": "current placement", "hetzner": "down (3 of 3 checks failed)"}},
			},
		}, settled: false},
		{planCase: planCase{
			name:      "placement lost and named as the target: blocked, not done",
			states:    with("aws", planner.StateDown),
			placement: placedOnPrimary(),
			req:       www(planner.Request{To: "aws"}),
			wantLost:  []string{"aws"},
			wantServices: map[string]svcWant{
				"www": {action: planner.ActionBlocked, reason: "www already runs on aws, the requested target, which is being left (down"},
			},
		}, settled: false},
		{planCase: planCase{
			name:      "from names the provider to leave, healthy or not",
			states:    allHealthy(),
			placement: placedOnPrimary(),
			req:       www(planner.Request{From: "aws"}),
			wantLost:  []string{"aws"},
			wantServices: map[string]svcWant{
				"www": {action: planner.ActionMove, to: "hetzner"},
			},
		}, settled: false},
		{planCase: planCase{
			name:      "without a service, a completed failover is already done",
			states:    with("aws", planner.StateDown),
			placement: map[string]string{"www": "hetzner", "api": "hetzner"},
			req:       planner.Request{Kind: planner.KindManual},
			wantLost:  []string{"aws"},
			// Nothing runs on aws any more: nothing listed.
			wantUnaffected: 2,
		}, settled: true},
		{planCase: planCase{
			name:      "failback already on the healthy preferred provider",
			states:    allHealthy(),
			placement: placedOnPrimary(),
			req:       planner.Request{Kind: planner.KindFailback, Service: "www"},
			wantNote:  "never automatic",
			wantServices: map[string]svcWant{
				"www": {action: planner.ActionStay, reason: "already runs on its preferred provider, aws, which is healthy", settled: true},
			},
		}, settled: true},
		{planCase: planCase{
			name:      "failback blocked is not done",
			states:    with("aws", planner.StateDown),
			placement: map[string]string{"www": "hetzner", "api": "aws"},
			req:       planner.Request{Kind: planner.KindFailback, Service: "www"},
			wantServices: map[string]svcWant{
				"www": {action: planner.ActionBlocked, reason: "failback waits", rejected: map[string]string{"aws": "down"}},
			},
		}, settled: false},
	})
}

package statuspage

import (
	"context"
	"time"

	"github.com/lifeboat-dev/lifeboat/health"
	"github.com/lifeboat-dev/lifeboat/internal/drill"
	"github.com/lifeboat-dev/lifeboat/internal/wire"
)

// fakeSource serves fixed documents, or an error per part.
type fakeSource struct {
	doc                          *wire.StatusDoc
	ops                          []wire.Operation
	drills                       []wire.DrillReport
	statusErr, historyErr, drErr error
	// block makes Status wait for its context (bounded by blockMax).
	block    bool
	blockMax time.Duration
	limits   []int // the limits History and DrillReports were asked for
}

func (f *fakeSource) Status(ctx context.Context) (*wire.StatusDoc, error) {
	if f.block {
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(f.blockMax):
			return nil, nil
		}
	}
	return f.doc, f.statusErr
}

func (f *fakeSource) History(_ context.Context, limit int) ([]wire.Operation, error) {
	f.limits = append(f.limits, limit)
	return f.ops, f.historyErr
}

func (f *fakeSource) DrillReports(_ context.Context, limit int) ([]wire.DrillReport, error) {
	f.limits = append(f.limits, limit)
	return f.drills, f.drErr
}

// fixtureNow is the page's clock in every test.
var fixtureNow = time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)

// fixture: alpha lost its account, www moved to bravo (the last
// operation), api still on alpha; www's canary passed 6 days ago, api
// never passed a drill; the daemon is on hold.
func fixture() *fakeSource {
	now := fixtureNow
	since := now.Add(-17 * time.Minute)
	opStart := now.Add(-15 * time.Minute)
	step := func(id string, off, took time.Duration, st wire.StepStatus, errText string) wire.Step {
		s := wire.Step{ID: id, Attempt: 1, Status: st, Started: opStart.Add(off), Error: errText}
		if took > 0 {
			s.Finished = s.Started.Add(took)
		}
		return s
	}
	return &fakeSource{
		doc: &wire.StatusDoc{
			At: now.Add(-2 * time.Second),
			Providers: []wire.StatusProvider{
				{Name: "alpha", State: health.StateAccountLost, Since: &since, Reason: "API says the account is suspended",
					Checks: []wire.StatusCheck{
						{Check: "api", Kind: "provider_api", Target: "https://api.alpha.example/v1/account", AccountLost: true, LatencyMS: 41.2, Reason: "HTTP 403", At: now},
						{Service: "www", Check: "home", Kind: "http", Target: "http://127.0.0.11:18080/", LatencyMS: 1000, Reason: "connection refused", At: now},
					}},
				{Name: "bravo", State: health.StateHealthy, Reason: "all checks pass",
					Checks: []wire.StatusCheck{
						{Service: "www", Check: "home", Kind: "http", Target: "http://127.0.0.12:18080/", OK: true, LatencyMS: 2.34, Reason: "HTTP 200", At: now},
					}},
			},
			DNS: []wire.StatusDNS{{Name: "ns-local", Zone: "example.test.", State: "healthy", Reason: "SOA serial 42 at 1 of 1 nameservers"}},
			Services: []wire.StatusService{
				{Name: "www", Placement: "bravo", Addresses: []string{"127.0.0.12"}, Source: "journal", ProviderState: health.StateHealthy},
				{Name: "api", Placement: "alpha", Source: "first_candidate", ProviderState: health.StateAccountLost},
			},
			Daemon: &wire.DaemonStatus{PID: 4242, Since: now.Add(-time.Hour), AutoFailover: true, Hold: true,
				HoldReason: "database maintenance", HoldSince: now.Add(-5 * time.Minute),
				HeldBack: "held back from failing over api on alpha: the hold switch is on; `lifeboat hold off` or `lifeboat failover` to act", HeldBackAt: now.Add(-2 * time.Minute),
				Drills: []wire.DrillSchedule{{Name: "weekly-canary", Mode: "canary", Service: "www", Schedule: "0 3 * * 1", Next: now.Add(40 * time.Hour)}},
				TTL: []wire.TTLStatus{{Provider: "charlie", AtRiskSince: now.Add(-10 * time.Minute), Reason: "degraded: 1/2 checks failing", Lowered: true,
					Services: []string{"docs"}, Records: []string{"docs.example.test. A at ns-local: 3600s -> 30s"}}},
				Cluster: &wire.ClusterStatus{Node: "n2", Connected: true, Leader: "n1", Term: 7,
					Nodes: []wire.NodeView{
						{Node: "n1", At: now, Providers: map[string]health.State{"alpha": health.StateDown, "bravo": health.StateHealthy}},
						{Node: "n2", At: now, Providers: map[string]health.State{"alpha": health.StateHealthy, "bravo": health.StateHealthy}},
						{Node: "n3", At: now, Providers: map[string]health.State{"alpha": health.StateHealthy, "bravo": health.StateHealthy}},
					},
					Agreement: []wire.ProviderAgreement{{Provider: "alpha", Lost: []string{"n1"}, Need: 2}, {Provider: "bravo", Need: 2}}}},
		},
		ops: []wire.Operation{
			{ID: "op-0002", Kind: "failover", Services: []string{"www"}, From: "alpha", To: "bravo", Status: wire.StatusSucceeded,
				Started: opStart, Finished: opStart.Add(5200 * time.Millisecond), Summary: "www moved from alpha to bravo",
				Steps: []wire.Step{
					step("www/bravo/prepare", 0, 30*time.Millisecond, wire.StepSkipped, ""),
					step("www/bravo/apply", 40*time.Millisecond, 2100*time.Millisecond, wire.StepOK, ""),
					step("www/bravo/wait-healthy", 2200*time.Millisecond, 1500*time.Millisecond, wire.StepOK, ""),
					step("www/bravo/dns-cutover", 3800*time.Millisecond, 400*time.Millisecond, wire.StepOK, ""),
					step("www/bravo/verify-dns", 4300*time.Millisecond, 800*time.Millisecond, wire.StepOK, ""),
				}},
			{ID: "op-0001", Kind: "drill", Service: "www", Status: wire.StatusFailed, Started: now.Add(-72 * time.Hour),
				Finished: now.Add(-72*time.Hour + time.Minute),
				Steps:    []wire.Step{{ID: "www/bravo/apply", Attempt: 2, Status: wire.StepFailed, Started: now.Add(-72 * time.Hour), Error: "apply: quota exceeded"}}},
		},
		drills: []wire.DrillReport{
			{Name: "weekly-canary", Mode: drill.ModeCanary, Service: "www", Target: "bravo", OK: false,
				Started: now.Add(-2 * 24 * time.Hour), Finished: now.Add(-2*24*time.Hour + time.Minute), Failures: []string{"apply: quota exceeded"}},
			{Name: "weekly-canary", Mode: drill.ModeCanary, Service: "www", Target: "bravo", OK: true,
				Started: now.Add(-6*24*time.Hour - time.Minute), Finished: now.Add(-6 * 24 * time.Hour), RecoveryTime: 4200 * time.Millisecond},
		},
	}
}

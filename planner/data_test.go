package planner_test

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/lifeboat-dev/lifeboat/internal/config"
	"github.com/lifeboat-dev/lifeboat/planner"
)

// withData gives www a postgres data block "db" and the RPO rpo.
func withData(rpo time.Duration) func(*config.Config) {
	return func(c *config.Config) {
		www := c.Service("www")
		www.RPO = rpo
		www.Data = []*config.Data{{Name: "db", Postgres: &config.PostgresData{DSN: map[string]string{
			"aws": "postgres://aws/db", "hetzner": "postgres://hetzner/db", "ovh": "postgres://ovh/db"}}}}
	}
}

func fresh(age time.Duration) planner.DataObservation {
	return planner.DataObservation{State: planner.DataFresh, Age: age, AgeKnown: true, Reason: "replica replayed to 0/3000060"}
}

func stale(age time.Duration) planner.DataObservation {
	return planner.DataObservation{State: planner.DataStale, Age: age, AgeKnown: true,
		Reason: "replica replayed to 0/3000060, 1200 bytes behind the primary's last position seen"}
}

// wwwData is Input.Data for www alone.
func wwwData(kv ...any) map[string]map[string]planner.DataObservation {
	m := map[string]planner.DataObservation{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i].(string)] = kv[i+1].(planner.DataObservation)
	}
	return map[string]map[string]planner.DataObservation{"www": m}
}

// dataSteps are a move's step IDs with the data steps after read-outputs.
func dataSteps(svc, from, to string, data ...string) []string {
	ids := fullSteps(svc, to)
	return slices.Insert(ids, 3, data...)
}

// dataCase is a planCase with what it expects of www's data.
type dataCase struct {
	planCase
	loss, accepted string
	// candData maps a candidate to a substring of its data as the text
	// form shows it; every candidate of www must carry its data.
	candData map[string]string
}

func TestDataRule(t *testing.T) {
	const rpo = 30 * time.Second
	over := 5*time.Minute + 2*time.Second
	auto := planner.Request{Kind: planner.KindAutomatic, Service: "www"}
	manual := planner.Request{Kind: planner.KindManual, From: "aws", Service: "www"}
	accept := func(r planner.Request) planner.Request { r.AcceptDataLoss = true; return r }
	wwwFence, wwwPromote := "www/aws/db/fence", func(to string) string { return "www/" + to + "/db/promote" }
	cases := []dataCase{
		{planCase: planCase{
			name: "fresh within the RPO: the first candidate moves, fenced and promoted",
			mod:  withData(rpo), states: with("aws", planner.StateDown), req: auto,
			data:     wwwData("aws", stale(time.Hour), "hetzner", fresh(12*time.Second), "ovh", fresh(time.Second)),
			wantLost: []string{"aws"},
			wantServices: map[string]svcWant{"www": {action: planner.ActionMove, to: "hetzner",
				rejected: map[string]string{"aws": "current placement"},
				steps:    dataSteps("www", "aws", "hetzner", wwwFence, wwwPromote("hetzner"))}},
		}, loss: "up to 12s of writes", candData: map[string]string{
			"aws": "data 1h0m0s old, stale", "hetzner": "data 12s old, fresh (replica replayed to 0/3000060)", "ovh": "data 1s old, fresh"}},
		{planCase: planCase{
			name: "over the RPO: rejected with its age, the next candidate moves",
			mod:  withData(rpo), states: with("aws", planner.StateDown), req: auto,
			data:     wwwData("hetzner", stale(over), "ovh", fresh(3*time.Second)),
			wantLost: []string{"aws"},
			wantServices: map[string]svcWant{"www": {action: planner.ActionMove, to: "ovh",
				rejected: map[string]string{"aws": "current placement",
					"hetzner": "data 5m2s old, over the RPO 30s (replica replayed to 0/3000060, 1200 bytes behind"},
				steps: dataSteps("www", "aws", "ovh", wwwFence, wwwPromote("ovh"))}},
		}, loss: "up to 3s of writes", candData: map[string]string{"aws": "data age unknown (not measured)", "hetzner": "5m2s old, stale"}},
		{planCase: planCase{
			name: "not measured: rejected as of unknown age",
			mod:  withData(rpo), states: with("aws", planner.StateDown), req: auto,
			data:     wwwData("ovh", fresh(3*time.Second)),
			wantLost: []string{"aws"},
			wantServices: map[string]svcWant{"www": {action: planner.ActionMove, to: "ovh",
				rejected: map[string]string{"aws": "current placement", "hetzner": "data age unknown: not measured"},
				steps:    dataSteps("www", "aws", "ovh", wwwFence, wwwPromote("ovh"))}},
		}, loss: "up to 3s of writes", candData: map[string]string{"hetzner": "data age unknown (not measured)"}},
		{planCase: planCase{
			name: "fresh but of unknown age, and stale within the RPO: both rejected",
			mod:  withData(rpo), states: with("aws", planner.StateDown), req: auto,
			data: wwwData("hetzner", planner.DataObservation{State: planner.DataFresh, Reason: "replica has WAL pending"},
				"ovh", stale(10*time.Second)),
			wantLost: []string{"aws"},
			wantServices: map[string]svcWant{"www": {action: planner.ActionBlocked,
				reason: "the data of hetzner, ovh fails the RPO 30s, and an automatic failover never accepts data loss: " +
					"to move it anyway, losing those writes, run `lifeboat failover --service www --accept-data-loss --yes`",
				rejected: map[string]string{"aws": "current placement", "hetzner": "data age unknown: replica has WAL pending",
					"ovh": "data 10s old, but stale ("}}},
		}, candData: map[string]string{"hetzner": "data age unknown, fresh\n"}},
		{planCase: planCase{
			name: "the health reason wins over the data reason",
			mod:  withData(rpo), states: with("aws", planner.StateDown, "hetzner", planner.StateDown), req: auto,
			data:     wwwData("hetzner", stale(over), "ovh", stale(over)),
			wantLost: []string{"aws", "hetzner"},
			wantServices: map[string]svcWant{"www": {action: planner.ActionBlocked,
				// Only ovh failed the data rule alone.
				reason:   "the data of ovh fails the RPO 30s, and an automatic failover never accepts data loss",
				rejected: map[string]string{"aws": "current placement", "hetzner": "lost provider, being left", "ovh": "data 5m2s old"}}},
		}},
		{planCase: planCase{
			name: "no data reason when health rejects every candidate",
			mod:  withData(rpo), states: with("aws", planner.StateDown, "hetzner", planner.StateDown, "ovh", planner.StateDown), req: auto,
			data:     wwwData("hetzner", stale(over), "ovh", stale(over)),
			wantLost: []string{"aws", "hetzner", "ovh"},
			wantServices: map[string]svcWant{"www": {action: planner.ActionBlocked, reason: "every one of aws, hetzner, ovh was rejected",
				rejected: map[string]string{"aws": "current placement", "hetzner": "lost provider", "ovh": "lost provider"}}},
		}},
		{planCase: planCase{
			name: "a manual failover without accept_data_loss says what would allow it",
			mod:  withData(rpo), states: allHealthy(), req: manual,
			data:     wwwData("hetzner", stale(over)),
			wantLost: []string{"aws"},
			wantServices: map[string]svcWant{"www": {action: planner.ActionBlocked,
				reason:   "the data of hetzner, ovh fails the RPO 30s: --accept-data-loss would allow it",
				rejected: map[string]string{"aws": "current placement", "hetzner": "data 5m2s old", "ovh": "data age unknown: not measured"}}},
		}},
		{planCase: planCase{
			name: "a manual failover accepting data loss takes the first candidate, naming the age",
			mod:  withData(rpo), states: allHealthy(), req: accept(manual),
			data:     wwwData("hetzner", stale(over)),
			wantLost: []string{"aws"},
			wantServices: map[string]svcWant{"www": {action: planner.ActionMove, to: "hetzner",
				rejected: map[string]string{"aws": "current placement"},
				warn:     []string{"accepting data loss at hetzner, up to 5m2s of writes: data 5m2s old, over the RPO 30s"},
				steps:    dataSteps("www", "aws", "hetzner", wwwFence, wwwPromote("hetzner"))}},
		}, loss: "up to 5m2s of writes", accepted: "up to 5m2s of writes"},
		{planCase: planCase{
			name: "accepting data loss still prefers a later candidate whose data is within the RPO",
			mod:  withData(rpo), states: allHealthy(), req: accept(manual),
			data:     wwwData("hetzner", stale(over), "ovh", fresh(3*time.Second)),
			wantLost: []string{"aws"},
			wantServices: map[string]svcWant{"www": {action: planner.ActionMove, to: "ovh",
				rejected: map[string]string{"aws": "current placement"},
				steps:    dataSteps("www", "aws", "ovh", wwwFence, wwwPromote("ovh"))}},
		}, loss: "up to 3s of writes"},
		{planCase: planCase{
			name: "accepting data loss of unknown age",
			mod:  withData(rpo), states: allHealthy(), req: accept(manual),
			wantLost: []string{"aws"},
			wantServices: map[string]svcWant{"www": {action: planner.ActionMove, to: "hetzner",
				rejected: map[string]string{"aws": "current placement"},
				warn:     []string{"accepting data loss at hetzner, an unknown amount of writes: data age unknown: not measured"},
				steps:    dataSteps("www", "aws", "hetzner", wwwFence, wwwPromote("hetzner"))}},
		}, loss: "unknown", accepted: "an unknown amount of writes"},
		{planCase: planCase{
			name: "accepting data loss never overrides the health rule",
			mod:  withData(rpo), states: with("hetzner", planner.StateDown, "ovh", planner.StateDown), req: accept(manual),
			data:     wwwData("hetzner", stale(over)),
			wantLost: []string{"aws"},
			wantServices: map[string]svcWant{"www": {action: planner.ActionBlocked, reason: "every one of aws, hetzner, ovh was rejected",
				rejected: map[string]string{"aws": "current placement", "hetzner": "down (3 of 3", "ovh": "down (3 of 3"}}},
		}},
		{planCase: planCase{
			name: "a named target over the RPO is refused, not replaced",
			mod:  withData(rpo), states: allHealthy(), req: planner.Request{Kind: planner.KindManual, From: "aws", To: "ovh"},
			data:     wwwData("hetzner", fresh(time.Second), "ovh", stale(over)),
			wantLost: []string{"aws"},
			wantServices: map[string]svcWant{
				"www": {action: planner.ActionBlocked,
					reason:   "the requested target ovh is refused: data 5m2s old, over the RPO 30s (replica replayed to 0/3000060, 1200 bytes behind the primary's last position seen); --accept-data-loss would allow it",
					rejected: map[string]string{"aws": "current placement", "ovh": "data 5m2s old"}},
				"api": {action: planner.ActionBlocked, reason: "not a candidate of api",
					rejected: map[string]string{"aws": "current placement", "ovh": "not a candidate"}},
			},
		}},
		{planCase: planCase{
			name: "a named target accepted with its data loss",
			mod:  withData(rpo), states: allHealthy(), req: accept(planner.Request{Kind: planner.KindManual, From: "aws", To: "ovh", Service: "www"}),
			data:     wwwData("ovh", stale(over)),
			wantLost: []string{"aws"},
			wantServices: map[string]svcWant{"www": {action: planner.ActionMove, to: "ovh",
				rejected: map[string]string{"aws": "current placement"}, warn: []string{"accepting data loss at ovh, up to 5m2s"},
				steps: dataSteps("www", "aws", "ovh", wwwFence, wwwPromote("ovh"))}},
		}, loss: "up to 5m2s of writes", accepted: "up to 5m2s of writes"},
		{planCase: planCase{
			name: "failback waits for replication back to the preferred provider",
			mod:  withData(rpo), states: allHealthy(), placement: map[string]string{"www": "hetzner"},
			req:  planner.Request{Kind: planner.KindFailback, Service: "www"},
			data: wwwData("aws", stale(over), "hetzner", fresh(0)), wantNote: "never automatic",
			wantServices: map[string]svcWant{"www": {action: planner.ActionBlocked,
				reason:   "failback waits: the preferred provider aws is not ready (data 5m2s old, over the RPO 30s (replica replayed to 0/3000060, 1200 bytes behind the primary's last position seen)): replication back to it must catch up first, or --accept-data-loss allows it",
				rejected: map[string]string{"aws": "data 5m2s old"}}},
		}, candData: map[string]string{"aws": "5m2s old, stale", "hetzner": "data 0s old, fresh", "ovh": "not measured"}},
		{planCase: planCase{
			name: "failback accepting data loss",
			mod:  withData(rpo), states: allHealthy(), placement: map[string]string{"www": "hetzner"},
			req:  accept(planner.Request{Kind: planner.KindFailback, Service: "www"}),
			data: wwwData("aws", stale(over)), wantNote: "never automatic",
			wantServices: map[string]svcWant{"www": {action: planner.ActionMove, to: "aws",
				warn:  []string{"accepting data loss at aws, up to 5m2s of writes"},
				steps: dataSteps("www", "hetzner", "aws", "www/hetzner/db/fence", "www/aws/db/promote")}},
		}, loss: "up to 5m2s of writes", accepted: "up to 5m2s of writes"},
		{planCase: planCase{
			name: "failback with the data back in place",
			mod:  withData(rpo), states: allHealthy(), placement: map[string]string{"www": "hetzner"},
			req:  planner.Request{Kind: planner.KindFailback, Service: "www"},
			data: wwwData("aws", fresh(2*time.Second)), wantNote: "never automatic",
			wantServices: map[string]svcWant{"www": {action: planner.ActionMove, to: "aws",
				steps: dataSteps("www", "hetzner", "aws", "www/hetzner/db/fence", "www/aws/db/promote")}},
		}, loss: "up to 2s of writes"},
		{planCase: planCase{
			name: "a drill is not gated, only warned, and touches no database",
			mod:  withData(rpo), states: allHealthy(), placement: placedOnPrimary(),
			// accept_data_loss means nothing to a drill.
			req:      accept(planner.Request{Kind: planner.KindDrill, Service: "www"}),
			data:     wwwData("hetzner", stale(over)),
			wantLost: []string{"aws"},
			wantServices: map[string]svcWant{"www": {action: planner.ActionMove, to: "hetzner",
				rejected: map[string]string{"aws": "current placement"},
				warn:     []string{"the drill runs on stale data: at hetzner, data 5m2s old, over the RPO 30s"}}},
		}, loss: "up to 5m2s of writes", candData: map[string]string{"hetzner": "5m2s old, stale"}},
		{planCase: planCase{
			name: "RPO 0: ages shown, nothing gated",
			mod:  withData(0), states: with("aws", planner.StateDown), req: auto,
			data:     wwwData("hetzner", stale(over)),
			wantLost: []string{"aws"},
			wantServices: map[string]svcWant{"www": {action: planner.ActionMove, to: "hetzner",
				rejected: map[string]string{"aws": "current placement"},
				steps:    dataSteps("www", "aws", "hetzner", wwwFence, wwwPromote("hetzner"))}},
		}, loss: "up to 5m2s of writes", candData: map[string]string{"hetzner": "data 5m2s old, stale", "ovh": "data age unknown (not measured)"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res, err := planner.Plan(tc.input())
			if err != nil {
				t.Fatalf("Plan: %v", err)
			}
			checkPlan(t, tc.planCase, res)
			for _, sp := range res.Services {
				if sp.Service != "www" {
					if sp.ExpectedLoss != "" || sp.AcceptedDataLoss != "" || slices.ContainsFunc(sp.Candidates, func(c planner.Candidate) bool { return c.Data != nil }) {
						t.Errorf("%s has no data block, but its plan shows data: %+v", sp.Service, sp)
					}
					continue
				}
				if sp.ExpectedLoss != tc.loss {
					t.Errorf("expected loss = %q, want %q", sp.ExpectedLoss, tc.loss)
				}
				if sp.AcceptedDataLoss != tc.accepted {
					t.Errorf("accepted data loss = %q, want %q", sp.AcceptedDataLoss, tc.accepted)
				}
				text := res.Text()
				for _, c := range sp.Candidates {
					if c.Data == nil {
						t.Errorf("candidate %s carries no data", c.Provider)
						continue
					}
					if want, ok := tc.candData[c.Provider]; ok && !strings.Contains(text, want) {
						t.Errorf("the text does not show %s's data as %q:\n%s", c.Provider, want, text)
					}
				}
				if tc.loss != "" && !strings.Contains(text, "data loss: "+tc.loss) {
					t.Errorf("the text does not show the loss %q:\n%s", tc.loss, text)
				}
				if tc.accepted != "" && !strings.Contains(text, "data loss accepted by the request: "+tc.accepted) {
					t.Errorf("the text does not show the accepted loss %q:\n%s", tc.accepted, text)
				}
			}
		})
	}
}

// TestCandidateDataValues pins what a candidate carries of its data.
func TestCandidateDataValues(t *testing.T) {
	in := planCase{mod: withData(30 * time.Second), states: with("aws", planner.StateDown),
		req:  planner.Request{Kind: planner.KindAutomatic, Service: "www"},
		data: wwwData("hetzner", fresh(1500*time.Millisecond), "ovh", planner.DataObservation{State: "bogus", Age: -time.Second, AgeKnown: true})}.input()
	res, err := planner.Plan(in)
	if err != nil {
		t.Fatal(err)
	}
	var got []planner.CandidateData
	for _, c := range res.Services[0].Candidates {
		got = append(got, *c.Data)
	}
	want := []planner.CandidateData{
		{State: planner.DataUnknown, Reason: "not measured"},
		{State: planner.DataFresh, AgeSeconds: 1.5, AgeKnown: true, Reason: "replica replayed to 0/3000060"},
		// A state the planner does not know is unknown; an age from the
		// future is none. (1.5s is shown as 2s: ages round up, so an age
		// over the RPO never reads as equal to it.)
		{State: planner.DataUnknown, AgeSeconds: 0, AgeKnown: true},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("candidate data (-want +got):\n%s", diff)
	}
	if res.Services[0].ExpectedLoss != "up to 2s of writes" {
		t.Errorf("expected loss = %q", res.Services[0].ExpectedLoss)
	}
}

func TestAutomaticNeverAcceptsDataLoss(t *testing.T) {
	in := planCase{mod: withData(30 * time.Second), states: with("aws", planner.StateDown),
		req: planner.Request{Kind: planner.KindAutomatic, AcceptDataLoss: true}}.input()
	_, err := planner.Plan(in)
	if !errors.Is(err, planner.ErrInvalidRequest) || !strings.Contains(err.Error(), "an automatic failover never accepts data loss") {
		t.Fatalf("err = %v, want ErrInvalidRequest saying an automatic failover never accepts data loss", err)
	}
}

// TestDataSteps checks which data blocks fence and promote, in which
// order, with what.
func TestDataSteps(t *testing.T) {
	pg := func(name string) *config.Data {
		return &config.Data{Name: name, Postgres: &config.PostgresData{DSN: map[string]string{"aws": "x"}}}
	}
	httpData := func(name string) *config.Data {
		return &config.Data{Name: name, HTTP: &config.HTTPData{URL: map[string]string{"aws": "http://127.0.0.1/x"}, Header: "X-Last-Write"}}
	}
	execData := func(name string) *config.Data {
		return &config.Data{Name: name, Exec: &config.ExecData{Command: []string{"age"}}}
	}
	set := func(d *config.Data, f func(*config.Data)) *config.Data { f(d); return d }
	cmd := &config.DataAction{Command: []string{"fence.sh"}}
	off := &config.DataAction{Disabled: true}
	cases := []struct {
		name string
		data []*config.Data
		want []string // kind/provider/data of each data step
	}{
		{"postgres fences and promotes by default", []*config.Data{pg("db")},
			[]string{"fence/aws/db", "promote/hetzner/db"}},
		{"http and exec have no default", []*config.Data{httpData("h"), execData("e")}, nil},
		{"blocks by name, every fence before every promote", []*config.Data{pg("main"), pg("audit"), httpData("cdn")},
			[]string{"fence/aws/audit", "fence/aws/main", "promote/hetzner/audit", "promote/hetzner/main"}},
		{"fence disabled", []*config.Data{set(pg("db"), func(d *config.Data) { d.Fence = off })},
			[]string{"promote/hetzner/db"}},
		{"promote disabled", []*config.Data{set(pg("db"), func(d *config.Data) { d.Promote = off })},
			[]string{"fence/aws/db"}},
		{"both disabled", []*config.Data{set(pg("db"), func(d *config.Data) { d.Fence, d.Promote = off, off })}, nil},
		{"a fence command on http", []*config.Data{set(httpData("h"), func(d *config.Data) { d.Fence = cmd })},
			[]string{"fence/aws/h"}},
		{"a promote command on exec", []*config.Data{set(execData("e"), func(d *config.Data) {
			d.Promote = &config.DataAction{Command: []string{"promote.sh"}}
		})}, []string{"promote/hetzner/e"}},
		{"a promote terraform var on http", []*config.Data{set(httpData("h"), func(d *config.Data) {
			d.Promote = &config.DataAction{TerraformVar: "promote_db"}
		})}, []string{"promote/hetzner/h"}},
		{"a command wins over disabled", []*config.Data{set(pg("db"), func(d *config.Data) {
			d.Fence = &config.DataAction{Command: []string{"fence.sh"}, Disabled: true}
		})}, []string{"fence/aws/db", "promote/hetzner/db"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cfg := fixture()
			cfg.Service("www").Data = tc.data
			for _, kind := range []planner.Kind{planner.KindAutomatic, planner.KindDrill} {
				res, err := planner.Plan(planner.Input{Config: cfg, Providers: obs(with0(kind)), DNS: healthyDNS(),
					Placement: placedOnPrimary(), Request: planner.Request{Kind: kind, Service: "www"}})
				if err != nil {
					t.Fatal(err)
				}
				sp := res.Services[0]
				if sp.Action != planner.ActionMove || sp.To != "hetzner" {
					t.Fatalf("%s: %s to %q: %s", kind, sp.Action, sp.To, sp.Reason)
				}
				var got, ids []string
				for _, st := range sp.Steps {
					ids = append(ids, st.ID)
					if st.Kind != planner.StepFence && st.Kind != planner.StepPromote {
						if st.Data != "" {
							t.Errorf("step %s names data %s", st.ID, st.Data)
						}
						continue
					}
					got = append(got, string(st.Kind)+"/"+st.Provider+"/"+st.Data)
					if want := planner.DataStepID("www", st.Provider, st.Data, st.Kind); st.ID != want {
						t.Errorf("step ID %s, want %s", st.ID, want)
					}
					if st.Service != "www" || st.Reason == "" {
						t.Errorf("step %s: service %q, reason %q", st.ID, st.Service, st.Reason)
					}
				}
				want := tc.want
				if kind == planner.KindDrill {
					want = nil // a rehearsal never touches the production database
				}
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("%s: data steps (-want +got):\n%s", kind, diff)
				}
				wantIDs := slices.Insert(fullSteps("www", "hetzner"), 3, dataIDs(want)...)
				if diff := cmp.Diff(wantIDs, ids); diff != "" {
					t.Errorf("%s: step order (-want +got):\n%s", kind, diff)
				}
				if len(slices.Compact(slices.Sorted(slices.Values(ids)))) != len(ids) {
					t.Errorf("step IDs not unique: %v", ids)
				}
			}
		})
	}
}

// with0 is the states of a move of www off aws: aws down for an automatic
// plan, all healthy for a drill.
func with0(kind planner.Kind) map[string]planner.State {
	if kind == planner.KindDrill {
		return allHealthy()
	}
	return with("aws", planner.StateDown)
}

// dataIDs turns kind/provider/data into step IDs of www.
func dataIDs(steps []string) []string {
	var ids []string
	for _, s := range steps {
		p := strings.Split(s, "/")
		ids = append(ids, planner.DataStepID("www", p[1], p[2], planner.StepKind(p[0])))
	}
	return ids
}

// TestDataStepsWithoutWorkspace: a target with addresses only has no
// Terraform steps; the data steps come first.
func TestDataStepsWithoutWorkspace(t *testing.T) {
	cfg := fixture()
	withData(0)(cfg)
	h := cfg.Provider("hetzner")
	h.Terraform, h.Addresses = nil, []string{"192.0.2.7"}
	res, err := planner.Plan(planner.Input{Config: cfg, Providers: obs(with("aws", planner.StateDown)), DNS: healthyDNS(),
		Placement: placedOnPrimary(), Request: planner.Request{Kind: planner.KindAutomatic, Service: "www"}})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, st := range res.Services[0].Steps {
		ids = append(ids, st.ID)
	}
	want := []string{"www/aws/db/fence", "www/hetzner/db/promote", "www/hetzner/wait-healthy", "www/hetzner/dns-cutover",
		"www/hetzner/verify-dns", "www/hetzner/notify"}
	if diff := cmp.Diff(want, ids); diff != "" {
		t.Errorf("steps (-want +got):\n%s", diff)
	}
}

// TestDataStepIDKindLast: readers of the journal take a step ID's last
// part as its kind (the audit's apply times, the end-to-end benchmarks);
// a data block named like a kind must not pass for one.
func TestDataStepIDKindLast(t *testing.T) {
	id := planner.DataStepID("www", "aws", "apply", planner.StepFence)
	if id != "www/aws/apply/fence" || id[strings.LastIndex(id, "/")+1:] != string(planner.StepFence) {
		t.Errorf("DataStepID = %q", id)
	}
}

// TestDrillDataWarning: a drill warns when its target's data would fail
// the data rule, RPO or not, and only then.
func TestDrillDataWarning(t *testing.T) {
	cases := []struct {
		name string
		rpo  time.Duration
		obs  planner.DataObservation
		warn string // "" for no warning
	}{
		{"fresh, no RPO", 0, fresh(5 * time.Minute), ""},
		{"fresh within the RPO", 30 * time.Second, fresh(5 * time.Second), ""},
		{"fresh over the RPO", 30 * time.Second, fresh(31 * time.Second), "at hetzner, data 31s old, over the RPO 30s"},
		{"stale, no RPO", 0, stale(5 * time.Second), "at hetzner, data 5s old, but stale"},
		{"unknown age", 0, planner.DataObservation{State: planner.DataFresh}, "at hetzner, data age unknown: fresh"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			in := planCase{mod: withData(tc.rpo), states: allHealthy(), placement: placedOnPrimary(),
				req: planner.Request{Kind: planner.KindDrill, Service: "www"}, data: wwwData("hetzner", tc.obs)}.input()
			res, err := planner.Plan(in)
			if err != nil {
				t.Fatal(err)
			}
			sp := res.Services[0]
			if sp.Action != planner.ActionMove || sp.To != "hetzner" {
				t.Fatalf("%s to %q: %s", sp.Action, sp.To, sp.Reason)
			}
			var got []string
			for _, w := range sp.Warnings {
				if strings.HasPrefix(w, "the drill runs on stale data") {
					got = append(got, w)
				}
			}
			switch {
			case tc.warn == "" && len(got) > 0:
				t.Errorf("warned %q", got)
			case tc.warn != "" && (len(got) != 1 || !strings.Contains(got[0], tc.warn)):
				t.Errorf("warnings %q, want one containing %q", got, tc.warn)
			}
		})
	}
}

package planner_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/lifeboat-dev/lifeboat/planner"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden from the current output")

// goldenInputs are the plans whose text and JSON forms are pinned in
// testdata: a reviewer reads a change to the output as a diff there.
func goldenInputs() map[string]planner.Input {
	in := func(states map[string]planner.State, dns map[string]planner.Observation, placement map[string]string, req planner.Request) planner.Input {
		return planner.Input{Config: fixture(), Providers: obs(states), DNS: dns, Placement: placement, Request: req}
	}
	return map[string]planner.Input{
		"failover": in(with("aws", planner.StateDown, "ovh", planner.StateDegraded), healthyDNS(),
			map[string]string{"www": "aws"}, planner.Request{Kind: planner.KindAutomatic}),
		"blocked": in(with("aws", planner.StateAccountLost, "hetzner", planner.StateDown),
			obs(map[string]planner.State{"route53": planner.StateHealthy, "desec": planner.StateDown}),
			placedOnPrimary(), planner.Request{Kind: planner.KindAutomatic}),
		"failback": in(with("ovh", planner.StateDown), healthyDNS(),
			map[string]string{"www": "hetzner", "api": "hetzner"}, planner.Request{Kind: planner.KindFailback}),
		"nothing": in(with("aws", planner.StateDegraded), healthyDNS(), placedOnPrimary(),
			planner.Request{Kind: planner.KindAutomatic}),
		"manual-to": in(with("aws", planner.StateDown), healthyDNS(), placedOnPrimary(),
			planner.Request{Kind: planner.KindManual, From: "aws", To: "aws-eu"}),
		"drill": in(allHealthy(), healthyDNS(), placedOnPrimary(),
			planner.Request{Kind: planner.KindDrill, Service: "www"}),
		// The host and its DNS at one vendor, lost together: the service
		// moves and the zone is delegated away from that vendor.
		"redelegate": {Config: delegated(), Providers: obs(with("aws", planner.StateAccountLost)), DNS: healthyDNS(),
			Placement: placedOnPrimary(), Request: planner.Request{Kind: planner.KindManual}},
		// www has a postgres data block and an RPO of a minute: hetzner's
		// replica is too far behind, ovh's is taken, fenced and promoted.
		"data": dataInput(time.Minute, with("aws", planner.StateDown),
			wwwData("aws", fresh(0), "hetzner", stale(5*time.Minute+2*time.Second), "ovh", fresh(42*time.Second)),
			planner.Request{Kind: planner.KindAutomatic}),
		// The operator takes hetzner, whose data age is unknown.
		"data-accepted": dataInput(time.Minute, allHealthy(), wwwData("ovh", stale(time.Hour)),
			planner.Request{Kind: planner.KindManual, From: "aws", Service: "www", AcceptDataLoss: true}),
	}
}

func dataInput(rpo time.Duration, states map[string]planner.State, data map[string]map[string]planner.DataObservation, req planner.Request) planner.Input {
	cfg := fixture()
	withData(rpo)(cfg)
	return planner.Input{Config: cfg, Providers: obs(states), DNS: healthyDNS(), Placement: placedOnPrimary(), Data: data, Request: req}
}

func TestGolden(t *testing.T) {
	for name, input := range goldenInputs() {
		t.Run(name, func(t *testing.T) {
			res, err := planner.Plan(input)
			if err != nil {
				t.Fatal(err)
			}
			js, err := res.JSON()
			if err != nil {
				t.Fatal(err)
			}
			golden(t, name+".text.golden", []byte(res.Text()))
			golden(t, name+".json.golden", js)

			// The JSON form round-trips: the executor can journal it and
			// read back the same plan.
			var back planner.Result
			if err := json.Unmarshal(js, &back); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(back, res) {
				t.Errorf("JSON round trip changed the plan")
			}
		})
	}
}

func golden(t *testing.T, file string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", file)
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./planner -run TestGolden -update to create it)", err)
	}
	if !bytes.Equal(want, got) {
		t.Errorf("%s differs from the output; rerun with -update if the change is intended.\n--- got:\n%s", path, got)
	}
}

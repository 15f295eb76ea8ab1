package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/libdns/libdns"

	"github.com/lifeboat-dev/lifeboat/internal/testharness"
	"github.com/lifeboat-dev/lifeboat/providers"
)

// `lifeboat sync --yes` beside a running daemon writes through it: the
// daemon (the leader) writes the plan in its operation slot and journals
// it as its own sync, with who asked; the records change at Knot and the
// command shows the same plan as without a daemon. The dry run writes
// nothing, and a zone nobody serves is still bad usage.
func TestSyncYesGoesThroughTheDaemon(t *testing.T) {
	bind := testharness.StartBIND(t, testharness.BINDOptions{Zone: "example.test.", Records: []string{
		"www 60 IN A 127.0.0.11",
		"api 60 IN A 127.0.0.12",
	}})
	knot := testharness.StartKnot(t, testharness.KnotOptions{Zone: "example.test."})
	// No policy.sync_interval: the daemon never syncs by itself here, so
	// whatever reaches Knot was the command's.
	w, _ := syncWorld(t, bind, knot, "")
	d := w.startDaemon()

	r := w.lifeboat(nil, "sync")
	if r.code != 1 || !strings.Contains(r.stdout, "knot: 4 to create") || !strings.Contains(r.stdout, "run with --yes") {
		t.Fatalf("sync without --yes beside the daemon: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if got := knot.Query(t, "www.example.test.", "A"); len(got) != 0 {
		t.Fatalf("sync without --yes wrote www at Knot: %v", got)
	}

	r = w.lifeboat(nil, "sync", "--yes")
	if r.code != 0 || !strings.Contains(r.stdout, "knot: 4 to create") || !strings.Contains(r.stdout, "Written.") {
		t.Fatalf("sync --yes beside the daemon: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if !strings.Contains(r.stderr, "a daemon is running; the sync runs in it") {
		t.Errorf("sync --yes does not say the daemon runs it:\n%s", r.stderr)
	}
	knot.WantAnswer(t, "www.example.test.", "A", "127.0.0.11")
	knot.WantAnswer(t, "api.example.test.", "A", "127.0.0.12")
	if !strings.Contains(d.out.String(), "zone sync requested") {
		t.Errorf("the daemon did not run the sync:\n%s", d.out.String())
	}
	if ds := w.decisions(); !hasDecision(ds, "dns_synced", "kept in sync with bind: 4 created, 0 changed, 0 deleted (requested over the control socket") {
		t.Errorf("the daemon's journal does not show the requested sync: %+v", ds)
	}

	// Nothing left to do: the daemon says so as the command would.
	r = w.lifeboat(nil, "sync", "--yes", "-o", "json")
	var doc struct {
		Targets []struct {
			Provider string `json:"dns"`
			Applied  bool
			Error    string
		}
	}
	if r.code != 0 || json.Unmarshal([]byte(r.stdout), &doc) != nil || len(doc.Targets) != 1 || doc.Targets[0].Applied || doc.Targets[0].Error != "" {
		t.Fatalf("second sync --yes beside the daemon: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if r := w.lifeboat(nil, "sync", "--zone", "other.test", "--yes"); r.code != 2 || !strings.Contains(r.stderr, "no dns block serves zone") {
		t.Errorf("sync --yes of a zone nobody serves, beside the daemon: exit %d\n%s", r.code, r.stderr)
	}
}

// `lifeboat prepare` beside a running daemon prepares the workspaces in
// it, between its operations, and reports as it does alone: each
// workspace ready (nothing changed the second time), and a workspace
// that cannot be initialised FAILED with exit 1.
func TestPrepareGoesThroughTheDaemon(t *testing.T) {
	w := newWorld(t, worldOptions{})
	w.startAlpha()
	d := w.startDaemon()

	prepared := func() (result, map[string]string) {
		r := w.lifeboat(nil, "prepare", "-o", "json")
		var doc struct {
			Workspaces []struct {
				Provider string
				Already  bool `json:"already_prepared"`
				Error    string
			}
		}
		if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
			t.Fatalf("prepare -o json: %v: exit %d\n%s%s", err, r.code, r.stdout, r.stderr)
		}
		out := map[string]string{}
		for _, ws := range doc.Workspaces {
			switch {
			case ws.Error != "":
				out[ws.Provider] = "failed: " + ws.Error
			case ws.Already:
				out[ws.Provider] = "already"
			default:
				out[ws.Provider] = "initialised"
			}
		}
		return r, out
	}
	r, got := prepared()
	if r.code != 0 || len(got) != 2 || got["bravo"] == "" || strings.HasPrefix(got["bravo"], "failed") {
		t.Fatalf("prepare beside the daemon: exit %d %v\n%s%s", r.code, got, r.stdout, r.stderr)
	}
	if !strings.Contains(r.stderr, "a daemon is running; the workspaces are prepared in it") {
		t.Errorf("prepare does not say the daemon prepares the workspaces:\n%s", r.stderr)
	}
	if !strings.Contains(d.out.String(), "workspace preparation requested") {
		t.Errorf("the daemon did not prepare the workspaces:\n%s", d.out.String())
	}
	r = w.lifeboat(nil, "prepare")
	if r.code != 0 || strings.Count(r.stdout, "(nothing changed)") != 2 {
		t.Fatalf("second prepare beside the daemon: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	// The backend flag reaches the daemon's init.
	r = w.lifeboat(nil, "prepare", "--migrate-state")
	if r.code != 0 || !strings.Contains(d.out.String(), "backend=migrate-state") {
		t.Fatalf("prepare --migrate-state beside the daemon: exit %d\n%s%s\ndaemon:\n%s", r.code, r.stdout, r.stderr, d.out.String())
	}

	// A workspace init refuses: its line says FAILED, and the exit is 1.
	if err := os.WriteFile(filepath.Join(w.infra, "bravo", "broken.tf"), []byte("this is not HCL {\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	r = w.lifeboat(nil, "prepare")
	if r.code != 1 || !strings.Contains(r.stdout, "bravo") || !strings.Contains(r.stdout, "FAILED  provider bravo: ") {
		t.Fatalf("prepare of a broken workspace beside the daemon: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
}

// While the daemon runs an operation, `lifeboat sync --yes` and `lifeboat
// prepare` wait for its operation slot: nothing is written to the second
// DNS server and no workspace is initialised beside the failover; once it
// ends, both run and the record reaches the second server.
func TestSyncAndPrepareWaitForTheDaemonsOperation(t *testing.T) {
	w := newWorld(t, worldOptions{dnsServers: 2})
	w.startAlpha()
	pause := filepath.Join(w.dir, "pause")
	if err := os.WriteFile(pause, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	d := w.startDaemon("LIFEBOAT_TEST_PAUSE_AT=www/bravo/apply:started", "LIFEBOAT_TEST_PAUSE_FILE="+pause)
	// A record only ns1, the zone's source of truth, has: the sync's work.
	src, err := providers.NewNamedDNS("ns1", "rfc2136", w.dns[0].RFC2136Settings())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := src.SetRecords(context.Background(), "example.test.", []libdns.Record{libdns.RR{Name: "new", Type: "A", TTL: time.Minute, Data: "127.0.0.60"}}); err != nil {
		t.Fatal(err)
	}

	failover := make(chan result, 1)
	go func() { failover <- w.lifeboat(nil, "failover", "--from", "alpha", "--yes") }()
	waitFor(t, 60*time.Second, "the failover reaches its apply", func() bool {
		_, err := os.Stat(pause + ".reached")
		return err == nil
	})
	synced, prepared := make(chan result, 1), make(chan result, 1)
	go func() { synced <- w.lifeboat(nil, "sync", "--yes") }()
	go func() { prepared <- w.lifeboat(nil, "prepare") }()
	// Neither may finish, nor write, while the failover runs.
	held := func() {
		select {
		case r := <-synced:
			t.Fatalf("sync --yes finished while the failover ran: exit %d\n%s%s", r.code, r.stdout, r.stderr)
		case r := <-prepared:
			t.Fatalf("prepare finished while the failover ran: exit %d\n%s%s", r.code, r.stdout, r.stderr)
		default:
		}
		if got := w.dns[1].Query(t, "new.example.test.", "A"); len(got) != 0 {
			t.Fatalf("the sync wrote to ns2 beside the running failover: %v", got)
		}
	}
	waitFor(t, 30*time.Second, "the daemon has both requests", func() bool {
		held()
		out := d.out.String()
		return strings.Contains(out, "zone sync requested") && strings.Contains(out, "workspace preparation requested")
	})
	// And a second more, held behind the failover.
	for range 10 {
		held()
		time.Sleep(100 * time.Millisecond)
	}
	if err := os.Remove(pause); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		what string
		ch   chan result
		want string
	}{{"failover", failover, "www: moved from alpha to bravo"}, {"sync --yes", synced, "Written."}, {"prepare", prepared, "bravo"}} {
		select {
		case r := <-c.ch:
			if r.code != 0 || !strings.Contains(r.stdout, c.want) {
				t.Errorf("%s: exit %d\n%s%s", c.what, r.code, r.stdout, r.stderr)
			}
		case <-time.After(2 * time.Minute):
			t.Fatalf("%s did not return", c.what)
		}
	}
	w.dns[1].WantAnswer(t, "new.example.test.", "A", "127.0.0.60")
}

// With nodes on an etcd journal, `lifeboat sync --yes` writes only under
// the leadership: on a follower's daemon it is refused, naming the
// leader; without a daemon (an operator's laptop) while a daemon leads it
// is refused too; on the leader's it writes.
func TestSyncYesOnlyOnTheLeader(t *testing.T) {
	etcd := testharness.StartEtcdCluster(t, 1)
	w := newWorld(t, worldOptions{dnsServers: 2})
	w.extraEnv = append(w.extraEnv, "E2E_OPERATE_TOKEN="+clusterToken)
	w.startAlpha()
	n1 := nodeConfig(t, w, etcd.Endpoints(), "n1", "")
	n2 := nodeConfig(t, w, etcd.Endpoints(), "n2", "")
	laptop := nodeConfig(t, w, etcd.Endpoints(), "laptop", "")
	n1.proc = w.startDaemonAt(n1.cfg)
	w.waitLeading(t, n1)
	n2.proc = w.startDaemonAt(n2.cfg)
	if leader := w.waitLeader(t, []clusterNode{n1, n2}, 30*time.Second); leader != "n1" {
		t.Fatalf("leader = %s, want n1 (started first)", leader)
	}
	src, err := providers.NewNamedDNS("ns1", "rfc2136", w.dns[0].RFC2136Settings())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := src.SetRecords(context.Background(), "example.test.", []libdns.Record{libdns.RR{Name: "new", Type: "A", TTL: time.Minute, Data: "127.0.0.60"}}); err != nil {
		t.Fatal(err)
	}

	r := w.lifeboatAt(n2.cfg, nil, "sync", "--yes")
	if r.code != 1 || !strings.Contains(r.stderr, "must run on the leader, node n1") {
		t.Errorf("sync --yes on the follower n2: exit %d, want a refusal naming n1\n%s%s", r.code, r.stdout, r.stderr)
	}
	if got := w.dns[1].Query(t, "new.example.test.", "A"); len(got) != 0 {
		t.Fatalf("sync --yes on a follower wrote to ns2: %v", got)
	}
	r = w.lifeboatAt(laptop.cfg, nil, "sync", "--yes")
	if r.code != 1 || !strings.Contains(r.stderr, "node n1 leads") {
		t.Errorf("sync --yes without a daemon while n1 leads: exit %d, want a refusal naming n1\n%s%s", r.code, r.stdout, r.stderr)
	}
	if got := w.dns[1].Query(t, "new.example.test.", "A"); len(got) != 0 {
		t.Fatalf("sync --yes beside the leading daemon wrote to ns2: %v", got)
	}
	r = w.lifeboatAt(n1.cfg, nil, "sync", "--yes")
	if r.code != 0 || !strings.Contains(r.stdout, "Written.") {
		t.Fatalf("sync --yes on the leader n1: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	w.dns[1].WantAnswer(t, "new.example.test.", "A", "127.0.0.60")
}

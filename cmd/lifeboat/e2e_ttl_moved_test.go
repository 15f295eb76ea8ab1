package main

import (
	"strings"
	"syscall"
	"testing"
	"time"
)

// The daemon lowers www's TTL while alpha is degraded, then fails over to
// bravo: the cutover writes www with its own TTL, and no check runs at
// alpha any more, so alpha can never be seen recovering. The lowering
// must end with the failover, in status and in the journal, and a
// restarted daemon must not read it back.
func TestEmergencyTTLEndsWhenTheServiceMoves(t *testing.T) {
	w := newWorld(t, worldOptions{adopt: true, policy: autoPolicy + "\n  emergency_ttl = \"5s\""})
	w.startAlpha()
	d := w.startDaemon()
	w.waitHealthyIn("alpha")

	w.cutOffAlpha()
	waitFor(t, 90*time.Second, "BIND answers bravo", func() bool { return w.answers(w.bravoIP) })
	if ds := w.decisions(); !hasDecision(ds, "ttl_lowered", "alpha is at risk") {
		t.Fatalf("www's TTL was not lowered before the failover, so this test shows nothing: %+v", ds)
	}
	if got := ttlAt(t, w.dns[0].Addr, "www.example.test."); got != 30 {
		t.Fatalf("www has TTL %d after the failover, want the service's 30", got)
	}
	noEmergency := func() bool {
		r := w.lifeboat(nil, "status")
		return r.code == 0 && strings.Contains(r.stdout, "Daemon: pid") && !strings.Contains(r.stdout, "Emergency TTL")
	}
	waitFor(t, 20*time.Second, "status no longer lists alpha's records at the emergency TTL", noEmergency)
	if ds := w.decisions(); !hasDecision(ds, "ttl_restored", "alpha's services have moved") {
		t.Fatalf("the end of the lowering is not journaled: %+v", ds)
	}
	if code, took := d.stop(syscall.SIGTERM, 45*time.Second); code != 0 {
		t.Fatalf("SIGTERM: exit %d after %s", code, took)
	}

	// Started again, it reads the journal: nothing is lowered any more.
	d = w.startDaemon()
	w.waitHealthyIn("bravo")
	if !noEmergency() {
		t.Fatalf("a restarted daemon reads the ended lowering back:\n%s", w.lifeboat(nil, "status").stdout)
	}
	d.stop(syscall.SIGTERM, 45*time.Second)
}

package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/lifeboat-dev/lifeboat/internal/drill"
	"github.com/lifeboat-dev/lifeboat/internal/journal"
)

// These drills run against the e2e world of e2e_test.go: real BIND, real
// OpenTofu, hosts on loopback, the built binary.

const drillBlocks = `
drill "canary" {
  service = "www"
  mode    = "canary"
}

drill "ready" {
  service = "www"
}

drill "gameday" {
  service = "www"
  mode    = "full"
}
`

func newDrillWorld(t *testing.T) *world {
	t.Helper()
	w := newWorld(t, worldOptions{})
	f, err := os.OpenFile(w.cfg, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString(drillBlocks); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	w.startAlpha()
	return w
}

// runDrill runs `lifeboat drill NAME -o json` and decodes the report.
func (w *world) runDrill(name string) (drill.Report, result) {
	w.t.Helper()
	r := w.lifeboat(nil, "drill", name, "-o", "json")
	var rep drill.Report
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
		w.t.Fatalf("drill %s: exit %d, report does not decode: %v\nstdout:\n%s\nstderr:\n%s", name, r.code, err, r.stdout, r.stderr)
	}
	return rep, r
}

func (w *world) drillHistory() []drill.Report {
	w.t.Helper()
	r := w.lifeboat(nil, "history", "--drills", "-o", "json")
	var doc struct {
		Drills []drill.Report `json:"drills"`
	}
	if r.code != 0 || json.Unmarshal([]byte(r.stdout), &doc) != nil {
		w.t.Fatalf("history --drills: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	return doc.Drills
}

func stepNames(rep drill.Report) []string {
	var out []string
	for _, s := range rep.Steps {
		out = append(out, s.Name)
	}
	return out
}

// A canary drill brings the cold standby up, points the drill record at
// it, verifies, removes the record and tears the standby down again; the
// production record is never touched.
func TestDrillCanary(t *testing.T) {
	t.Parallel()
	w := newDrillWorld(t)
	b := w.dns[0]
	wwwBefore, markBefore := b.Query(t, "www", "A"), b.Query(t, "_lifeboat.www", "TXT")

	rep, r := w.runDrill("canary")
	if r.code != 0 || !rep.OK || rep.Aborted || len(rep.Failures) > 0 {
		t.Fatalf("canary: exit %d, report %+v\nstderr:\n%s", r.code, rep, r.stderr)
	}
	if rep.Target != "bravo" || rep.Record != "drill-www" || rep.RecoveryTime <= 0 || len(rep.LeftChanged) != 0 {
		t.Fatalf("report: target %q record %q recovery %s left %v", rep.Target, rep.Record, rep.RecoveryTime, rep.LeftChanged)
	}
	var want []string
	for _, s := range []string{"check-record", "standby-state", "apply", "read-outputs", "wait-healthy", "write-record", "verify-record",
		"remove-record", "verify-removed", "restore-standby"} {
		want = append(want, "www/bravo/drill-"+s)
	}
	if got := stepNames(rep); !slices.Equal(got, want) {
		t.Fatalf("steps %v, want %v", got, want)
	}
	if d := rep.Steps[6].Detail; !strings.Contains(d, w.bravoIP) {
		t.Errorf("verify-record does not name bravo's address %s: %q", w.bravoIP, d)
	}
	if !strings.Contains(rep.Steps[9].Detail, "destroyed") {
		t.Errorf("the cold standby was not destroyed: %+v", rep.Steps[9])
	}
	if strings.Contains(r.stdout+r.stderr, w.dns[0].Secret) || strings.Contains(r.stdout+r.stderr, w.hostBin) {
		t.Fatal("a secret (TSIG key or a secret variable) appears in the output")
	}

	// Afterwards: the drill record is gone, production is as it was.
	if got := b.Query(t, "drill-www", "A"); len(got) != 0 {
		t.Errorf("drill-www still answers %v", got)
	}
	if got := b.Query(t, "_lifeboat.drill-www", "TXT"); len(got) != 0 {
		t.Errorf("the drill record's ownership mark is still there: %v", got)
	}
	if got := b.Query(t, "www", "A"); !slices.Equal(got, wwwBefore) || !slices.Equal(got, []string{w.alphaIP}) {
		t.Errorf("www A = %v, before the drill %v", got, wwwBefore)
	}
	if got := b.Query(t, "_lifeboat.www", "TXT"); !slices.Equal(got, markBefore) {
		t.Errorf("www's ownership mark = %v, before the drill %v", got, markBefore)
	}
	// The cold standby is down again.
	c := &http.Client{Timeout: time.Second}
	if resp, err := c.Get(fmt.Sprintf("http://%s:%d/", w.bravoIP, w.port)); err == nil {
		resp.Body.Close()
		t.Error("bravo still answers after the drill")
	}
	if _, err := os.Stat(filepath.Join(w.runDir, "bravo.pid")); err == nil {
		t.Error("bravo's pidfile is still there")
	}

	// The journal: one drill operation, succeeded; one drill report.
	ops := w.history()
	if len(ops) != 1 || ops[0].Kind != "drill" || ops[0].Status != journal.StatusSucceeded || ops[0].To != "bravo" ||
		len(ops[0].Steps) != len(want) {
		t.Fatalf("history: %+v", ops)
	}
	if got := w.drillHistory(); len(got) != 1 || got[0].Name != "canary" || !got[0].OK || got[0].Operations[0] != ops[0].ID {
		t.Fatalf("history --drills: %+v", got)
	}
	// Placement never moved: status still puts www on alpha.
	if doc := w.status(); doc.Services[0].Placement != "alpha" {
		t.Fatalf("placement after the drill: %+v", doc.Services[0])
	}
	if text := w.lifeboat(nil, "history", "--drills"); text.code != 0 || !strings.Contains(text.stdout, "canary") || !strings.Contains(text.stdout, "passed") {
		t.Fatalf("history --drills text: exit %d\n%s%s", text.code, text.stdout, text.stderr)
	}

	// Run again, as text: the report on stdout, progress on stderr; the
	// standby comes up and goes down again the same way.
	again := w.lifeboat(nil, "drill", "canary")
	if again.code != 0 || !strings.Contains(again.stdout, "PASSED") || !strings.Contains(again.stdout, "Left changed: nothing") ||
		!strings.Contains(again.stderr, "www/bravo/drill-write-record") || strings.Contains(again.stdout, "started") {
		t.Fatalf("drill as text: exit %d\nstdout:\n%s\nstderr:\n%s", again.code, again.stdout, again.stderr)
	}
	if got := w.drillHistory(); len(got) != 2 || !got[0].Started.After(got[1].Started) {
		t.Fatalf("history --drills is not newest first: %+v", got)
	}
}

// A readiness drill changes nothing: not the zone (SOA serial), not the
// workspaces' state files.
func TestDrillReadinessChangesNothing(t *testing.T) {
	t.Parallel()
	w := newDrillWorld(t)
	b := w.dns[0]
	states := func() map[string][]byte {
		out := map[string][]byte{}
		for _, p := range []string{"alpha", "bravo"} {
			raw, err := os.ReadFile(filepath.Join(w.infra, p, "terraform.tfstate"))
			if err == nil {
				out[p] = raw
			}
		}
		return out
	}
	soaBefore, stBefore := b.Query(t, "@", "SOA"), states()
	if _, ok := stBefore["alpha"]; !ok {
		t.Fatal("alpha has no state file after its apply")
	}

	rep, r := w.runDrill("ready")
	if r.code != 0 || !rep.OK {
		t.Fatalf("readiness: exit %d, report %+v\nstderr:\n%s", r.code, rep, r.stderr)
	}
	want := []string{"zone ns1", "plan alpha", "plan bravo", "standby bravo"}
	if got := stepNames(rep); !slices.Equal(got, want) {
		t.Fatalf("steps %v, want %v", got, want)
	}
	if d := rep.Steps[3].Detail; !strings.Contains(d, "cold standby not running") {
		t.Errorf("the cold standby is not noted as not running: %q", d)
	}
	if !strings.Contains(rep.Steps[1].Detail, "no changes") || !strings.Contains(rep.Steps[2].Detail, "would change") {
		t.Errorf("plans: alpha %q, bravo %q", rep.Steps[1].Detail, rep.Steps[2].Detail)
	}
	if got := b.Query(t, "@", "SOA"); !slices.Equal(got, soaBefore) {
		t.Errorf("SOA %v after the drill, %v before: the zone changed", got, soaBefore)
	}
	stAfter := states()
	if len(stAfter) != len(stBefore) {
		t.Errorf("state files before %d, after %d", len(stBefore), len(stAfter))
	}
	for p, raw := range stBefore {
		if !bytes.Equal(raw, stAfter[p]) {
			t.Errorf("%s's state file changed", p)
		}
	}
	if ops := w.history(); len(ops) != 0 {
		t.Errorf("a readiness drill started operations: %+v", ops)
	}
	if got := w.drillHistory(); len(got) != 1 || got[0].Mode != drill.ModeReadiness {
		t.Fatalf("history --drills: %+v", got)
	}
}

// A full drill fails over to bravo and back to alpha, as two operations.
func TestDrillFull(t *testing.T) {
	t.Parallel()
	w := newDrillWorld(t)
	rep, r := w.runDrill("gameday")
	if r.code != 0 || !rep.OK || len(rep.Operations) != 2 || rep.Target != "bravo" || rep.RecoveryTime <= 0 {
		t.Fatalf("full: exit %d, report %+v\nstderr:\n%s", r.code, rep, r.stderr)
	}
	wantA(t, w.dns[0], w.alphaIP)
	ops := w.history()
	if len(ops) != 2 || ops[1].Kind != "drill" || ops[1].To != "bravo" || ops[0].Kind != "failback" || ops[0].To != "alpha" ||
		ops[0].Status != journal.StatusSucceeded || ops[1].Status != journal.StatusSucceeded {
		t.Fatalf("history: %+v", ops)
	}
	if ops[1].ID != rep.Operations[0] || ops[0].ID != rep.Operations[1] {
		t.Fatalf("report operations %v, history %s, %s", rep.Operations, ops[1].ID, ops[0].ID)
	}
	// The failover really pointed www at bravo before the failback.
	var cut bool
	for _, s := range ops[1].Steps {
		cut = cut || (s.ID == "www/bravo/verify-dns" && s.Status == journal.StepOK)
	}
	if !cut {
		t.Fatalf("the drill's failover did not verify DNS at bravo: %+v", ops[1].Steps)
	}
}

// An unknown drill is bad usage naming the drills there are.
func TestDrillUnknownName(t *testing.T) {
	t.Parallel()
	w := newDrillWorld(t)
	r := w.lifeboat(nil, "drill", "nope")
	if r.code != 2 || !strings.Contains(r.stderr, "canary, ready, gameday") {
		t.Fatalf("exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
}

// A canary killed half-way leaves its operation unfinished; the next canary
// of the service ends it as aborted (it was no failover to resume) and
// runs, so one crash never blocks drills or failovers for good.
func TestDrillCanaryAfterCrash(t *testing.T) {
	t.Parallel()
	w := newDrillWorld(t)
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, w.bin, "-c", w.cfg, "drill", "canary")
	cmd.Env = w.env()
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(stderr)
	killed := false
	for sc.Scan() {
		if strings.Contains(sc.Text(), "drill-wait-healthy") {
			_ = cmd.Process.Kill()
			killed = true
			break
		}
	}
	_ = cmd.Wait()
	if !killed {
		t.Fatal("the canary ended before it reached wait-healthy")
	}
	if ops := w.history(); len(ops) != 1 || ops[0].Status != journal.StatusRunning {
		t.Fatalf("after the crash: %+v", ops)
	}

	rep, r := w.runDrill("canary")
	if r.code != 0 || !rep.OK {
		t.Fatalf("canary after a crash: exit %d, %+v\n%s", r.code, rep, r.stderr)
	}
	ops := w.history()
	if len(ops) != 2 || ops[0].Status != journal.StatusSucceeded || ops[1].Status != journal.StatusAborted ||
		!strings.Contains(ops[1].Summary, "interrupted") {
		t.Fatalf("history: %+v", ops)
	}
	if got := w.dns[0].Query(t, "drill-www", "A"); len(got) != 0 {
		t.Errorf("drill-www still answers %v", got)
	}
	wantA(t, w.dns[0], w.alphaIP)
}

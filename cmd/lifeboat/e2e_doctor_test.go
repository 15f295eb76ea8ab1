package main

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lifeboat-dev/lifeboat/internal/testharness"
	"github.com/lifeboat-dev/lifeboat/internal/wire"
)

// doctorRun runs `lifeboat doctor -o json` and returns its exit code and
// report.
func doctorRun(t *testing.T, w *world, env []string, args ...string) (int, wire.DoctorReport, result) {
	t.Helper()
	r := w.lifeboat(env, append([]string{"doctor", "-o", "json"}, args...)...)
	var rep wire.DoctorReport
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
		t.Fatalf("doctor -o json: %v\nstdout:\n%s\nstderr:\n%s", err, r.stdout, r.stderr)
	}
	return r.code, rep, r
}

// doctorRow finds the row of part and check, failing the test without it.
func doctorRow(t *testing.T, rep wire.DoctorReport, part, check string) wire.DoctorRow {
	t.Helper()
	for _, r := range rep.Rows {
		if r.Part == part && r.Check == check {
			return r
		}
	}
	t.Fatalf("no row %q / %q in %+v", part, check, rep.Rows)
	return wire.DoctorRow{}
}

// failedParts lists the parts with a failed row.
func failedParts(rep wire.DoctorReport) map[string]bool {
	out := map[string]bool{}
	for _, r := range rep.Rows {
		if r.Result == wire.DoctorFail {
			out[r.Part] = true
		}
	}
	return out
}

// A healthy world passes every check; a wrong TSIG key, a workspace that
// cannot init and a stopped BIND are each named, with what to do, and
// make doctor exit 1. A test event is sent only with --send-test.
func TestDoctorEndToEnd(t *testing.T) {
	var mu sync.Mutex
	var events []string
	hook := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		var ev struct {
			Event string `json:"event"`
		}
		_ = json.Unmarshal(b, &ev)
		mu.Lock()
		events = append(events, ev.Event)
		mu.Unlock()
	}))
	t.Cleanup(hook.Close)
	sent := func() []string { mu.Lock(); defer mu.Unlock(); return append([]string(nil), events...) }

	w := newWorld(t, worldOptions{webhook: true})
	w.extraEnv = []string{"E2E_WEBHOOK=" + hook.URL + "/hook"}
	w.startAlpha()

	code, rep, r := doctorRun(t, w, nil)
	if code != 0 || !rep.OK || rep.Failures != 0 {
		t.Fatalf("healthy world: exit %d, report %+v\nstderr:\n%s", code, rep, r.stderr)
	}
	for _, want := range [][2]string{
		{"dns ns1", "read zone"}, {"dns ns1", "nameservers"},
		{"provider alpha workspace", "init"}, {"provider alpha workspace", "plan www"},
		{"provider bravo workspace", "init"}, {"provider bravo workspace", "plan www"},
		{"check www/http", fmt.Sprintf("http://%s:%d/healthz", w.alphaIP, w.port)},
	} {
		if row := doctorRow(t, rep, want[0], want[1]); row.Result != wire.DoctorOK {
			t.Errorf("%s / %s: %+v, want ok", want[0], want[1], row)
		}
	}
	if row := doctorRow(t, rep, "dns ns1", "write"); row.Result != wire.DoctorNote || !strings.Contains(row.Detail, "RFC 2136 has no read-only test") {
		t.Errorf("dns write row: %+v", row)
	}
	if row := doctorRow(t, rep, "notify ops", "test event"); row.Result != wire.DoctorNote || !strings.Contains(row.Detail, "--send-test") {
		t.Errorf("notify row without --send-test: %+v", row)
	}
	if got := sent(); len(got) != 0 {
		t.Fatalf("doctor without --send-test sent %v", got)
	}
	for i := 1; i < len(rep.Rows); i++ {
		if a, b := rep.Rows[i-1], rep.Rows[i]; a.Part > b.Part || (a.Part == b.Part && a.Check > b.Check) {
			t.Fatalf("rows not sorted: %+v before %+v", a, b)
		}
	}
	// A read-only look: the zone still points at alpha, and nothing was
	// applied at bravo.
	wantA(t, w.dns[0], w.alphaIP)
	if ops := w.history(); len(ops) != 0 {
		t.Fatalf("doctor journaled operations: %+v", ops)
	}

	t.Run("send-test", func(t *testing.T) {
		r := w.lifeboat(nil, "doctor", "--send-test")
		if r.code != 0 {
			t.Fatalf("exit %d\n%s%s", r.code, r.stdout, r.stderr)
		}
		if !strings.Contains(r.stdout, "PART") || !strings.Contains(r.stdout, "WHAT TO DO") || !strings.Contains(r.stdout, "notify ops") {
			t.Fatalf("no table:\n%s", r.stdout)
		}
		if got := sent(); len(got) != 1 || got[0] != "doctor.test" {
			t.Fatalf("receiver got %v, want one doctor.test", got)
		}
	})

	t.Run("wrong TSIG key", func(t *testing.T) {
		wrong := base64.StdEncoding.EncodeToString([]byte("not-the-key-not-the-key-not-the!"))
		code, rep, r := doctorRun(t, w, []string{"E2E_TSIG_1=" + wrong})
		if code != 1 || rep.OK {
			t.Fatalf("exit %d, ok %v, want 1\n%s", code, rep.OK, r.stdout)
		}
		row := doctorRow(t, rep, "dns ns1", "read zone")
		t.Logf("read zone with a wrong key: %s", row.Detail)
		if row.Result != wire.DoctorFail || !strings.Contains(row.Fix, `settings.key (TSIG)`) || !strings.Contains(row.Fix, `dns "ns1"`) {
			t.Fatalf("read zone row: %+v", row)
		}
		if got := failedParts(rep); len(got) != 1 {
			t.Fatalf("failed parts %v, want only dns ns1", got)
		}
		if strings.Contains(r.stdout+r.stderr, wrong) || strings.Contains(r.stdout+r.stderr, w.dns[0].Secret) {
			t.Fatal("a TSIG secret appears in the output")
		}
	})

	t.Run("workspace cannot init", func(t *testing.T) {
		broken := filepath.Join(w.infra, "bravo", "broken.tf")
		if err := os.WriteFile(broken, []byte("resource \"nothing\" {\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		defer os.Remove(broken)
		code, rep, r := doctorRun(t, w, nil)
		t.Logf("doctor:\n%s", r.stdout)
		if code != 1 {
			t.Fatalf("exit %d, want 1\n%s", code, r.stdout)
		}
		row := doctorRow(t, rep, "provider bravo workspace", "init")
		if row.Result != wire.DoctorFail || !strings.Contains(row.Fix, "lifeboat prepare") || !strings.Contains(row.Detail, "broken.tf") {
			t.Fatalf("init row: %+v", row)
		}
		if plan := doctorRow(t, rep, "provider bravo workspace", "plan www"); plan.Result != wire.DoctorNote {
			t.Fatalf("plan row after a failed init: %+v", plan)
		}
		if got := failedParts(rep); len(got) != 1 {
			t.Fatalf("failed parts %v, want only bravo's workspace", got)
		}
	})

	t.Run("BIND stopped", func(t *testing.T) {
		w.dns[0].Stop()
		r := w.lifeboat(nil, "doctor")
		t.Logf("doctor:\n%s", r.stdout)
		if r.code != 1 {
			t.Fatalf("exit %d, want 1\n%s%s", r.code, r.stdout, r.stderr)
		}
		var ns1 []string
		for _, line := range strings.Split(r.stdout, "\n") {
			if strings.HasPrefix(line, "dns ns1 ") {
				ns1 = append(ns1, line)
			}
		}
		for _, check := range []string{"read zone", "nameservers"} {
			found := false
			for _, l := range ns1 {
				if strings.Contains(l, check) && strings.Contains(l, "FAIL") {
					found = true
				}
			}
			if !found {
				t.Errorf("no failed %q row for dns ns1:\n%s", check, r.stdout)
			}
		}
		if !strings.Contains(r.stdout, "check(s) failed") {
			t.Fatalf("no summary:\n%s", r.stdout)
		}
	})
}

// With a registrar and an etcd journal: the registrar's credentials read
// the delegation and etcd answers with a clock close to this machine's;
// a wrong registrar key and a stopped etcd are each named.
func TestDoctorRegistrarAndEtcd(t *testing.T) {
	etcd := testharness.StartEtcdCluster(t, 1)
	var eps []string
	for _, e := range etcd.Endpoints() {
		eps = append(eps, strconv.Quote(e))
	}
	d := newDelegationWorld(t, fmt.Sprintf(`
state {
  etcd {
    endpoints = [%s]
    prefix    = "/doctor/"
  }
}
`, strings.Join(eps, ", ")))

	code, rep, r := doctorRun(t, d.world, nil)
	if code != 0 {
		t.Fatalf("exit %d: %+v\n%s", code, rep.Rows, r.stderr)
	}
	if row := doctorRow(t, rep, "registrar parent", "read delegation"); row.Result != wire.DoctorOK ||
		!strings.Contains(row.Detail, "ns-bind.example.test") || !strings.Contains(row.Detail, "ns-knot.example.test") {
		t.Fatalf("registrar row: %+v", row)
	}
	if row := doctorRow(t, rep, "state etcd", "reachable"); row.Result != wire.DoctorOK {
		t.Fatalf("etcd row: %+v", row)
	}
	// The endpoint may be shown redacted (an address in a secret's value).
	clocks := 0
	for _, row := range rep.Rows {
		if row.Part == "state etcd" && strings.HasPrefix(row.Check, "clock ") {
			clocks++
			if row.Result != wire.DoctorOK || !strings.Contains(row.Detail, "within 1s") {
				t.Fatalf("clock row: %+v", row)
			}
		}
	}
	if clocks != len(etcd.Endpoints()) {
		t.Fatalf("%d clock rows for %d members: %+v", clocks, len(etcd.Endpoints()), rep.Rows)
	}
	for _, part := range []string{"dns bind", "dns knot"} {
		if row := doctorRow(t, rep, part, "read zone"); row.Result != wire.DoctorOK {
			t.Fatalf("%s: %+v", part, row)
		}
	}

	wrong := base64.StdEncoding.EncodeToString([]byte("not-the-parent-key-not-the-key!!"))
	code, rep, _ = doctorRun(t, d.world, []string{"E2E_KEY_3=" + wrong})
	if row := doctorRow(t, rep, "registrar parent", "read delegation"); code != 1 || row.Result != wire.DoctorFail ||
		!strings.Contains(row.Fix, `registrar "parent"`) {
		t.Fatalf("wrong registrar key: exit %d, row %+v", code, row)
	}
	if got := failedParts(rep); len(got) != 1 {
		t.Fatalf("failed parts %v, want only the registrar", got)
	}

	etcd.StopMember(0)
	code, rep, _ = doctorRun(t, d.world, nil)
	if row := doctorRow(t, rep, "state etcd", "reachable"); code != 1 || row.Result != wire.DoctorFail {
		t.Fatalf("etcd stopped: exit %d, row %+v", code, row)
	}
}

// The bundled local example, as scripts/demo.sh runs it (BIND serving
// example.test, alpha's host up), passes doctor. Only what the machine
// running the test must choose is rewritten: the tools' paths, BIND's
// address and key, the hosts' addresses and port; each rewrite must
// match, so a changed example fails here rather than going untested.
func TestDoctorLocalExample(t *testing.T) {
	src, err := os.ReadFile("../../examples/local/lifeboat.hcl")
	if err != nil {
		t.Fatal(err)
	}
	w := &world{t: t, bin: lifeboatBinary(t), tofu: testharness.FindTofu(t)}
	w.infra = testharness.ExampleInfra(t)
	w.dir = filepath.Dir(w.infra)
	w.hostBin = testharness.BuildLifeboatHost(t)
	w.runDir = filepath.Join(w.dir, "run")
	w.alphaIP, w.bravoIP = testharness.LoopbackIP(t), testharness.LoopbackIP(t)
	w.port = freePortOnBoth(t, w.alphaIP, w.bravoIP)
	t.Cleanup(w.stopHosts)
	bind := testharness.StartBIND(t, testharness.BINDOptions{Zone: "example.test.", Records: []string{"www 60 IN A " + w.alphaIP}})
	w.dns = []*testharness.BIND{bind}

	vars := func(name, ip string) string {
		return fmt.Sprintf(`dir = "infra/%s"
    vars = {
      listen_ip = %q
      port      = "%d"
      host_bin  = %q
      run_dir   = %q
    }`, name, ip, w.port, w.hostBin, w.runDir)
	}
	cfg := string(src)
	for _, rw := range [][2]string{
		{`"../../.tools/bin/tofu"`, strconv.Quote(w.tofu.Binary)},
		{`"../../.tools/tofurc"`, strconv.Quote(w.tofu.CLIConfigFile)},
		{`"127.0.0.1:15353"`, strconv.Quote(bind.Addr)},
		{`key_name = "lifeboat-demo"`, fmt.Sprintf("key_name = %q", bind.KeyName)},
		{`key_alg  = "hmac-sha256"`, fmt.Sprintf("key_alg  = %q", bind.KeyAlg)},
		{`"127.0.0.11"`, strconv.Quote(w.alphaIP)},
		{`"127.0.0.12"`, strconv.Quote(w.bravoIP)},
		{`port          = 18080`, fmt.Sprintf("port          = %d", w.port)},
		{`dir = "infra/alpha"`, vars("alpha", w.alphaIP)},
		{`dir = "infra/bravo"`, vars("bravo", w.bravoIP)},
	} {
		if !strings.Contains(cfg, rw[0]) {
			t.Fatalf("examples/local/lifeboat.hcl no longer has %s: update this test", rw[0])
		}
		cfg = strings.ReplaceAll(cfg, rw[0], rw[1])
	}
	w.cfg = filepath.Join(w.dir, "lifeboat.hcl")
	if err := os.WriteFile(w.cfg, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(w.dir, "demo-tsig.secret"), []byte(bind.Secret+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	w.startAlpha()

	code, rep, r := doctorRun(t, w, nil)
	if code != 0 || !rep.OK {
		t.Fatalf("doctor on the local example: exit %d\n%s%s", code, r.stdout, r.stderr)
	}
	for _, want := range [][2]string{
		{"dns local", "read zone"}, {"dns local", "nameservers"},
		{"provider alpha workspace", "plan www"}, {"provider bravo workspace", "plan www"},
		{"check www/http", fmt.Sprintf("http://%s:%d/healthz", w.alphaIP, w.port)},
	} {
		if row := doctorRow(t, rep, want[0], want[1]); row.Result != wire.DoctorOK {
			t.Errorf("%s / %s: %+v", want[0], want[1], row)
		}
	}
	if row := doctorRow(t, rep, "provider alpha workspace", "plan www"); row.Detail != "plans cleanly; no changes" {
		t.Errorf("alpha, as applied, plans changes: %+v", row)
	}

	// Alpha cut off: its check is named, and doctor fails.
	w.cutOffAlpha()
	code, rep, _ = doctorRun(t, w, nil)
	if row := doctorRow(t, rep, "check www/http", fmt.Sprintf("http://%s:%d/healthz", w.alphaIP, w.port)); code != 1 || row.Result != wire.DoctorFail {
		t.Fatalf("alpha cut off: exit %d, row %+v", code, row)
	}
}

// The data tier: each data block is measured once at each provider, and
// a replica that cannot be measured (stopped) is named.
func TestDoctorData(t *testing.T) {
	w := newDataWorld(t, "30s", "", "")
	w.startAlpha()
	var rep wire.DoctorReport
	var code int
	waitFor(t, 30*time.Second, "doctor passes with the replica fresh", func() bool {
		code, rep, _ = doctorRun(t, w.world, nil)
		return code == 0
	})
	for _, p := range []string{"alpha", "bravo"} {
		if row := doctorRow(t, rep, "data www/db", p); row.Result != wire.DoctorOK || !strings.Contains(row.Detail, "fresh") {
			t.Fatalf("data at %s: %+v", p, row)
		}
	}

	w.replica.Stop(t)
	code, rep, _ = doctorRun(t, w.world, nil)
	row := doctorRow(t, rep, "data www/db", "bravo")
	if code != 1 || row.Result != wire.DoctorFail || !strings.Contains(row.Fix, "bravo") {
		t.Fatalf("replica stopped: exit %d, row %+v", code, row)
	}
	if got := failedParts(rep); len(got) != 1 {
		t.Fatalf("failed parts %v, want only the data", got)
	}
}

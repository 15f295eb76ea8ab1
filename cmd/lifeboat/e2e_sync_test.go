package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/libdns/libdns"

	"github.com/lifeboat-dev/lifeboat/internal/testharness"
	"github.com/lifeboat-dev/lifeboat/providers"
)

// `lifeboat sync` copies a zone from BIND (its source of truth) to Knot
// DNS, two implementations standing for two DNS vendors: the plan first,
// nothing written without --yes, then the records at Knot, and a second
// run with nothing to do. A record only Knot has is left alone.
func TestSyncFromBINDToKnot(t *testing.T) {
	t.Parallel()
	bind := testharness.StartBIND(t, testharness.BINDOptions{Zone: "example.test.", Records: []string{
		"www 60 IN A 127.0.0.11",
		"api 60 IN A 127.0.0.12",
		"api 60 IN A 127.0.0.13",
		"@ 300 IN MX 10 mail.example.test.",
		`@ 300 IN TXT "v=spf1 -all"`,
		"docs 300 IN CNAME www.example.test.",
	}})
	knot := testharness.StartKnot(t, testharness.KnotOptions{Zone: "example.test.", Records: []string{
		"manual 60 IN A 127.0.0.50",
	}})
	w, path := syncWorld(t, bind, knot, "")
	runSyncCommands(t, w, path, bind, knot)
}

// syncWorld writes a configuration with BIND and Knot as two dns blocks
// of example.test. (BIND first: the source of truth), and more HCL.
func syncWorld(t *testing.T, bind *testharness.BIND, knot *testharness.Knot, extra string) (*world, string) {
	cfg := rfc2136Block("bind", bind.RFC2136Settings(), 1, `vendor = "bind-vendor"`) +
		rfc2136Block("knot", knot.RFC2136Settings(), 2, `vendor = "knot-vendor"`) + `
provider "alpha" {
  addresses = ["127.0.0.11"]
}
service "www" {
  records    = ["www"]
  candidates = ["alpha"]
  check "up" {
    exec {
      command = ["true"]
    }
  }
}
` + extra
	w := keyedWorld(t, cfg, bind.Secret, knot.Secret)
	return w, w.cfg
}

// rfc2136Block is a dns block of example.test. on a test server, its key
// read from E2E_KEY_n, with more attribute lines.
func rfc2136Block(name string, s map[string]string, n int, attrs ...string) string {
	return fmt.Sprintf(`
dns %q {
  type = "rfc2136"
  zone = "example.test."
  %s
  settings = {
    server   = %q
    key_name = %q
    key_alg  = %q
    key      = env("E2E_KEY_%d")
  }
}
`, name, strings.Join(attrs, "\n  "), s["server"], s["key_name"], s["key_alg"], n)
}

// keyedWorld writes cfg to a fresh directory and runs lifeboat there with
// the keys as E2E_KEY_1, E2E_KEY_2, ... in its environment.
func keyedWorld(t testing.TB, cfg string, keys ...string) *world {
	t.Helper()
	dir := t.TempDir()
	path := filepath.Join(dir, "lifeboat.hcl")
	if err := os.WriteFile(path, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	w := &world{t: t, dir: dir, cfg: path, bin: lifeboatBinary(t), tofu: testharness.FindTofu(t)}
	for i, k := range keys {
		w.extraEnv = append(w.extraEnv, fmt.Sprintf("E2E_KEY_%d=%s", i+1, k))
	}
	return w
}

func runSyncCommands(t *testing.T, w *world, path string, bind *testharness.BIND, knot *testharness.Knot) {

	// As an operator types it first: no flags. The plan, nothing written.
	r := w.lifeboat(nil, "sync")
	if r.code != 1 || !strings.Contains(r.stdout, "knot: 9 to create") || !strings.Contains(r.stdout, "run with --yes") {
		t.Fatalf("sync without --yes: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if got := knot.Query(t, "www.example.test.", "A"); len(got) != 0 {
		t.Fatalf("sync without --yes wrote www at Knot: %v", got)
	}
	if !strings.Contains(r.stdout, "manual A: only at this provider") {
		t.Errorf("the record only Knot has is not reported as left alone:\n%s", r.stdout)
	}

	// The audit calls the drifted secondary out.
	driftEvidence := func() string {
		r := w.lifeboat(nil, "audit", "-o", "json")
		var doc auditJSON
		if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
			t.Fatalf("audit -o json: %v\n%s%s", err, r.stdout, r.stderr)
		}
		for _, f := range doc.Findings {
			if f.ID == "dns-drift.knot" {
				return strings.Join(f.Evidence, "\n")
			}
		}
		return ""
	}
	if ev := driftEvidence(); !strings.Contains(ev, "www A: missing here") {
		t.Errorf("the audit before the sync does not report www missing at Knot: %q", ev)
	}

	r = w.lifeboat(nil, "sync", "--yes")
	if r.code != 0 || !strings.Contains(r.stdout, "Written.") {
		t.Fatalf("sync --yes: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	knot.WantAnswer(t, "www.example.test.", "A", "127.0.0.11")
	if got := knot.Query(t, "api.example.test.", "A"); !slices.Equal(sorted(got), []string{"127.0.0.12", "127.0.0.13"}) {
		t.Errorf("api at Knot: %v", got)
	}
	if got := knot.Query(t, "example.test.", "MX"); len(got) != 1 || !strings.Contains(got[0], "mail.example.test.") {
		t.Errorf("MX at Knot: %v", got)
	}
	if got := knot.Query(t, "manual.example.test.", "A"); len(got) != 1 {
		t.Errorf("the record the sync did not write is gone from Knot: %v", got)
	}
	if ev := driftEvidence(); strings.Contains(ev, "www A") || !strings.Contains(ev, "manual A") {
		t.Errorf("the audit after the sync: %q; want www in sync and the record only Knot has still reported", ev)
	}
	// Run twice: nothing more to do.
	r = w.lifeboat(nil, "sync", "--yes")
	if r.code != 0 || !strings.Contains(r.stdout, "0 to create, 0 to change, 0 to delete") {
		t.Fatalf("second sync --yes: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	// A record removed at the source goes from Knot: the sync wrote it.
	src, err := providers.NewNamedDNS("bind", "rfc2136", bind.RFC2136Settings())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := src.DeleteRecords(context.Background(), "example.test.", []libdns.Record{libdns.RR{Name: "docs", Type: "CNAME", TTL: 300 * time.Second, Data: "www.example.test."}}); err != nil {
		t.Fatal(err)
	}
	r = w.lifeboatAt(path, nil, "sync", "--zone", "example.test", "--yes", "-o", "json")
	if r.code != 0 || !strings.Contains(r.stdout, `"applied": true`) {
		t.Fatalf("sync after a deletion at the source: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if got := knot.Query(t, "docs.example.test.", "CNAME"); len(got) != 0 {
		t.Errorf("docs is still at Knot after it went from the source: %v", got)
	}
	if got := knot.Query(t, "manual.example.test.", "A"); len(got) != 1 {
		t.Errorf("the record the sync did not write went: %v", got)
	}
	if r := w.lifeboat(nil, "sync", "--zone", "other.test"); r.code != 2 || !strings.Contains(r.stderr, "no dns block serves zone") {
		t.Errorf("sync of a zone nobody serves: exit %d\n%s", r.code, r.stderr)
	}
}

func sorted(s []string) []string {
	out := slices.Clone(s)
	slices.Sort(out)
	return out
}

// lifeboat run with policy.sync_interval keeps Knot in step with BIND by
// itself, counts it in the metrics and journals it as a decision.
func TestDaemonKeepsZonesInSync(t *testing.T) {
	t.Parallel()
	bind := testharness.StartBIND(t, testharness.BINDOptions{Zone: "example.test.", Records: []string{"www 60 IN A 127.0.0.11"}})
	knot := testharness.StartKnot(t, testharness.KnotOptions{Zone: "example.test."})
	port := testharness.FreePort(t, "127.0.0.1")
	w, _ := syncWorld(t, bind, knot, fmt.Sprintf(`
policy {
  interval      = "1s"
  sync_interval = "1s"
}
server {
  listen = "127.0.0.1:%d"
}
`, port))
	w.startDaemon()
	waitFor(t, 30*time.Second, "Knot serves www", func() bool { return len(knot.Query(t, "www.example.test.", "A")) == 1 })
	src, err := providers.NewNamedDNS("bind", "rfc2136", bind.RFC2136Settings())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := src.SetRecords(context.Background(), "example.test.", []libdns.Record{libdns.RR{Name: "new", Type: "A", TTL: time.Minute, Data: "127.0.0.60"}}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 30*time.Second, "a record added at BIND reaches Knot", func() bool { return len(knot.Query(t, "new.example.test.", "A")) == 1 })
	resp, err := http.Get(fmt.Sprintf("http://127.0.0.1:%d/metrics", port))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(body), `lifeboat_dns_syncs_total{dns="knot",result="written"}`) || !strings.Contains(string(body), `lifeboat_dns_drift_rrsets{dns="knot"}`) {
		t.Errorf("metrics:\n%s", grepLines(string(body), "lifeboat_dns_"))
	}
	r := w.lifeboat(nil, "history", "--decisions")
	if r.code != 0 || !strings.Contains(r.stdout, "kept in sync with bind") {
		t.Errorf("history --decisions: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
}

// A zone file as the source of truth: every dns block of the zone, BIND
// and Knot alike, is made to hold it; run twice, nothing more to do; a
// mistake in the file is an error naming the file and the line, and
// nothing is written.
func TestSyncFromAZoneFile(t *testing.T) {
	t.Parallel()
	bind := testharness.StartBIND(t, testharness.BINDOptions{Zone: "example.test."})
	knot := testharness.StartKnot(t, testharness.KnotOptions{Zone: "example.test."})
	w := keyedWorld(t, rfc2136Block("bind", bind.RFC2136Settings(), 1)+rfc2136Block("knot", knot.RFC2136Settings(), 2)+`
zone "example.test" {
  file = "zones/example.test.zone"
}
`, bind.Secret, knot.Secret)
	zoneFile := filepath.Join(w.dir, "zones", "example.test.zone")
	if err := os.MkdirAll(filepath.Dir(zoneFile), 0o755); err != nil {
		t.Fatal(err)
	}
	write := func(text string) {
		if err := os.WriteFile(zoneFile, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(`$TTL 300
@    IN SOA ns1.example.test. hostmaster.example.test. 9 3600 600 86400 60
@    IN NS  ns1.example.test.
www  60 IN A 127.0.0.11
@    IN MX 10 mail.example.test.
mail IN A 127.0.0.25
@    IN TXT "v=spf1 -all"
`)
	r := w.lifeboat(nil, "sync")
	if r.code != 1 || !strings.Contains(r.stdout, "Zone example.test. from zone file zones/example.test.zone:") ||
		!strings.Contains(r.stdout, "bind: ") || !strings.Contains(r.stdout, "knot: ") {
		t.Fatalf("sync without --yes: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	r = w.lifeboat(nil, "sync", "--yes")
	if r.code != 0 {
		t.Fatalf("sync --yes: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	for _, s := range []interface {
		WantAnswer(testing.TB, string, string, ...string)
	}{bind, knot} {
		s.WantAnswer(t, "www.example.test.", "A", "127.0.0.11")
		s.WantAnswer(t, "example.test.", "TXT", `"v=spf1 -all"`)
	}
	r = w.lifeboat(nil, "sync", "--yes")
	if r.code != 0 || strings.Count(r.stdout, "0 to create, 0 to change, 0 to delete") != 2 {
		t.Fatalf("second sync --yes: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}

	write("$TTL 300\nwww 60 IN A 127.0.0.11\napi 60 IN A not-an-address\n")
	r = w.lifeboat(nil, "sync", "--yes")
	if r.code == 0 || !strings.Contains(r.stderr, "example.test.zone") || !strings.Contains(r.stderr, "line: 3") {
		t.Fatalf("sync with a broken zone file: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	bind.WantAnswer(t, "www.example.test.", "A", "127.0.0.11")

	// BIND refuses an MX whose target in the zone has no address; Knot
	// takes it. The error says what a refusal can mean.
	write("$TTL 300\nwww 60 IN A 127.0.0.11\nmail IN A 127.0.0.25\n@ IN MX 10 mail.example.test.\n@ IN TXT \"v=spf1 -all\"\n@ IN MX 20 backup-mx.example.test.\n")
	r = w.lifeboat(nil, "sync", "--yes")
	if r.code == 0 || !strings.Contains(r.stdout, "BIND's refusal of an MX or SRV whose target in the zone has no address") {
		t.Fatalf("sync with an MX BIND refuses: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if got := knot.Query(t, "example.test.", "MX"); len(got) != 2 {
		t.Errorf("Knot's MX: %v, want both", got)
	}
}

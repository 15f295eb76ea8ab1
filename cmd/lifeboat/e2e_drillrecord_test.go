package main

import (
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
)

// A canary drill never writes or deletes a name that exists and is not
// the drill's: a leftover record still marked as the service's (a record
// the service no longer lists) and a record nobody marked are both left
// byte for byte as they were, read back by AXFR, and the drill fails
// naming the owner it found. A drill record that is the service's own
// record is refused by the configuration, naming FILE:LINE:COL.
func TestDrillCanaryLeavesNamesNotItsOwn(t *testing.T) {
	t.Parallel()
	w := newWorld(t, worldOptions{
		records: func(w *world) []string {
			return []string{
				"old IN A 127.0.0.51",
				`_lifeboat.old IN TXT "heritage=lifeboat,owner=lifeboat/www"`,
				"legacy IN A 127.0.0.50",
			}
		},
		extra: `
drill "leftover" {
  service = "www"
  mode    = "canary"
  record  = "old"
}

drill "legacy" {
  service = "www"
  mode    = "canary"
  record  = "legacy"
}
`,
	})
	w.startAlpha()
	b := w.dns[0]
	before := b.AXFR(t)

	for name, why := range map[string]string{
		"leftover": `marked for owner "lifeboat/www", not "lifeboat-drill/www"`,
		"legacy":   "exists without an ownership record",
	} {
		rep, r := w.runDrill(name)
		if r.code == 0 || rep.OK || !strings.Contains(strings.Join(rep.Failures, "; "), why) {
			t.Errorf("drill %s: exit %d, failures %q; want a failure saying %s\nstderr:\n%s", name, r.code, rep.Failures, why, r.stderr)
		}
		if got := stepNames(rep); !slices.Equal(got, []string{"www/bravo/drill-check-record"}) {
			t.Errorf("drill %s: steps %v; want it to stop at check-record, before the standby is applied", name, got)
		}
	}
	if after := b.AXFR(t); !slices.Equal(after, before) {
		t.Errorf("the zone changed:\nbefore %q\nafter  %q", before, after)
	}
	b.WantAnswer(t, "old", "A", "127.0.0.51")
	b.WantAnswer(t, "_lifeboat.old", "TXT", `"heritage=lifeboat,owner=lifeboat/www"`)
	b.WantAnswer(t, "www", "A", w.alphaIP)

	// The service's own record, or the apex, as the drill record is refused.
	src, err := os.ReadFile(w.cfg)
	if err != nil {
		t.Fatal(err)
	}
	line := strings.Count(string(src), "\n") + 5
	for _, rec := range []string{"www", "@"} {
		bad := fmt.Sprintf("%s\ndrill \"bad\" {\n  service = \"www\"\n  mode    = \"canary\"\n  record  = %q\n}\n", src, rec)
		if err := os.WriteFile(w.cfg, []byte(bad), 0o600); err != nil {
			t.Fatal(err)
		}
		r := w.lifeboat(nil, "validate")
		want := fmt.Sprintf("%s:%d:3: drill \"bad\": record: %q", w.cfg, line, rec)
		if r.code == 0 || !strings.Contains(r.stdout+r.stderr, want) {
			t.Errorf("record %q: exit %d; want the error %s...\n%s%s", rec, r.code, want, r.stdout, r.stderr)
		}
	}
}

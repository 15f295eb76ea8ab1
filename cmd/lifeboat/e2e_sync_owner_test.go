package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lifeboat-dev/lifeboat/internal/testharness"
)

// A zone file whose ownership mark names another owner (a service renamed
// there) must not take a name from the service whose mark a DNS provider
// holds: `lifeboat sync` used to replace the mark, after which that
// service's failovers refused to write the name there. The mark and the
// failover's address stay; the rest of the zone is still synced.
func TestSyncLeavesAServicesMark(t *testing.T) {
	t.Parallel()
	bind := testharness.StartBIND(t, testharness.BINDOptions{Zone: "example.test.", Records: []string{
		"www 60 IN A 127.0.0.22",
		`_lifeboat.www 60 IN TXT "heritage=lifeboat,owner=lifeboat/www"`,
	}})
	w := keyedWorld(t, rfc2136Block("bind", bind.RFC2136Settings(), 1)+`
zone "example.test" {
  file = "zones/example.test.zone"
}
`, bind.Secret)
	zoneFile := filepath.Join(w.dir, "zones", "example.test.zone")
	if err := os.MkdirAll(filepath.Dir(zoneFile), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(zoneFile, []byte(`$TTL 300
www  60 IN A 127.0.0.11
_lifeboat.www 60 IN TXT "heritage=lifeboat,owner=lifeboat/web"
mail 60 IN A 127.0.0.25
`), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, adopt := range []bool{false, true} {
		args := []string{"sync", "--yes"}
		if adopt {
			args = append(args, "--adopt")
		}
		r := w.lifeboat(nil, args...)
		if r.code != 0 || !strings.Contains(r.stdout, "_lifeboat.www") {
			t.Fatalf("%s: exit %d, want 0 and the mark reported left alone\n%s%s", strings.Join(args, " "), r.code, r.stdout, r.stderr)
		}
		bind.WantAnswer(t, "_lifeboat.www.example.test.", "TXT", `"heritage=lifeboat,owner=lifeboat/www"`)
		bind.WantAnswer(t, "www.example.test.", "A", "127.0.0.22")
		bind.WantAnswer(t, "mail.example.test.", "A", "127.0.0.25")
	}
}

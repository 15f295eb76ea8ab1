package config_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/lifeboat-dev/lifeboat/internal/config"
)

// A service named "sync" would mark its records with the zone sync's
// owner (lifeboat/sync): the sync would take its failovers' addresses for
// its own and revert them. The name is refused where it is written.
func TestServiceNamedSyncIsRefused(t *testing.T) {
	src := base + "service \"sync\" {\n  records = [\"@\"]\n  candidates = [\"a\"]\n  check \"up\" {\n    tcp { port = 80 }\n  }\n}\n"
	_, err := config.Parse("testdata/case.hcl", []byte(src), testOptions())
	var ce *config.Error
	if !errors.As(err, &ce) || len(ce.Diags) != 1 {
		t.Fatalf("got %v, want one diagnostic", err)
	}
	d := ce.Diags[0]
	if d.Filename != "testdata/case.hcl" || d.Line != 3 || d.Column != 1 || !strings.Contains(d.Message, `service "sync": the name "sync" is reserved`) {
		t.Errorf("got %s:%d:%d: %s", d.Filename, d.Line, d.Column, d.Message)
	}
	// Another service name is fine.
	if _, err := config.Parse("testdata/case.hcl", []byte(strings.Replace(src, `"sync"`, `"synced"`, 1)), testOptions()); err != nil {
		t.Errorf("service \"synced\": %v", err)
	}
}

package audit_test

import (
	"bytes"
	"reflect"
	"testing"

	"github.com/lifeboat-dev/lifeboat/internal/audit"
	"github.com/lifeboat-dev/lifeboat/internal/puritytest"
)

// TestAuditStaysPure reads the package's own source: the audit may not
// import anything that does I/O (beyond writing to the io.Writer it is
// given), reads the clock, draws random numbers or logs. A new import
// must be added here on purpose.
func TestAuditStaysPure(t *testing.T) {
	puritytest.Check(t, "the audit", map[string]bool{
		"bufio": true, "cmp": true, "encoding/json": true, "errors": true, "fmt": true, "io": true,
		"net/netip": true, "slices": true, "strings": true, "time": true,
		"github.com/lifeboat-dev/lifeboat/internal/config": true,
		"github.com/lifeboat-dev/lifeboat/planner":         true,
	})
}

// TestAuditIsDeterministic: the same input twice gives the same report,
// byte for byte, and the input is left as it was. Map iteration order
// differs between runs, so a check that leaked it would show here.
func TestAuditIsDeterministic(t *testing.T) {
	cfg := goldenConfig(t)
	facts := goldenFacts()
	before := goldenFacts()
	var first []byte
	for i := range 20 {
		r := audit.Audit(cfg, facts)
		var b bytes.Buffer
		if err := audit.WriteJSON(&b, r); err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			first = b.Bytes()
			if len(r.Findings) < 5 {
				t.Fatalf("the input should show several findings, got %v", ids(r))
			}
			continue
		}
		if !bytes.Equal(b.Bytes(), first) {
			t.Fatalf("run %d differs:\n%s\nfirst:\n%s", i, b.Bytes(), first)
		}
	}
	if !reflect.DeepEqual(facts, before) {
		t.Error("Audit changed the facts it was given")
	}
}

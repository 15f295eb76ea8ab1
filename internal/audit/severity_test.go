package audit_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/lifeboat-dev/lifeboat/internal/audit"
)

func TestSeverity(t *testing.T) {
	for _, c := range []struct {
		in   string
		want audit.Severity
	}{{"low", audit.Low}, {"medium", audit.Medium}, {"HIGH", audit.High}, {" critical ", audit.Critical}} {
		got, err := audit.ParseSeverity(c.in)
		if err != nil || got != c.want {
			t.Errorf("ParseSeverity(%q) = %v, %v; want %v", c.in, got, err, c.want)
		}
	}
	_, err := audit.ParseSeverity("severe")
	if !errors.Is(err, audit.ErrSeverity) {
		t.Errorf("ParseSeverity(severe) error %v, want ErrSeverity", err)
	}
	for _, w := range []string{"low", "medium", "high", "critical"} {
		if err == nil || !strings.Contains(err.Error(), w) {
			t.Errorf("error %v does not list %q", err, w)
		}
	}
	if audit.Severity(0) != audit.Low {
		t.Error("the zero severity is not low")
	}
	b, err := json.Marshal(map[string]audit.Severity{"s": audit.High})
	if err != nil || string(b) != `{"s":"high"}` {
		t.Errorf("JSON %s, %v", b, err)
	}
	var back struct{ S audit.Severity }
	if err := json.Unmarshal([]byte(`{"S":"critical"}`), &back); err != nil || back.S != audit.Critical {
		t.Errorf("unmarshal: %v, %v", back.S, err)
	}
	if err := json.Unmarshal([]byte(`{"S":"bad"}`), &back); err == nil {
		t.Error("unmarshal of an unknown word succeeded")
	}
}

func TestWorstAndAtOrAbove(t *testing.T) {
	r := audit.Report{Findings: []audit.Finding{{Severity: audit.Medium}, {Severity: audit.High}, {Severity: audit.Low}}}
	if w, ok := r.Worst(); !ok || w != audit.High {
		t.Errorf("Worst = %v, %v", w, ok)
	}
	for s, want := range map[audit.Severity]int{audit.Low: 3, audit.Medium: 2, audit.High: 1, audit.Critical: 0} {
		if got := r.AtOrAbove(s); got != want {
			t.Errorf("AtOrAbove(%s) = %d, want %d", s, got, want)
		}
	}
}

// TestReportOrder: most severe first, then by ID; unchecked sorted.
func TestReportOrder(t *testing.T) {
	r := goldenReport(t)
	for i := 1; i < len(r.Findings); i++ {
		a, b := r.Findings[i-1], r.Findings[i]
		if a.Severity < b.Severity || (a.Severity == b.Severity && a.ID >= b.ID) {
			t.Errorf("%s (%s) before %s (%s)", a.ID, a.Severity, b.ID, b.Severity)
		}
	}
}

func TestNoFindingsWritesEmptyList(t *testing.T) {
	var b strings.Builder
	if err := audit.WriteJSON(&b, audit.Report{}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), `"findings": []`) || strings.Contains(b.String(), "unchecked") {
		t.Errorf("JSON of an empty report:\n%s", b.String())
	}
	b.Reset()
	if err := audit.WriteText(&b, audit.Audit(nil, audit.Facts{})); err != nil || b.String() != "no findings\n" {
		t.Errorf("text of an empty report %q, %v", b.String(), err)
	}
}

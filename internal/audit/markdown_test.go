package audit_test

import (
	"strings"
	"testing"

	"github.com/lifeboat-dev/lifeboat/internal/audit"
)

// A pipe in a title must not add a column to the table, and a name with
// markup characters shows as written.
func TestMarkdownEscapes(t *testing.T) {
	r := audit.Report{Findings: []audit.Finding{{ID: "x.y", Check: "exposure", Severity: audit.High,
		Title: "a | b *c* <d>", Evidence: []string{"[e](f)"}, Fix: "g_h_"}}}
	var b strings.Builder
	if err := audit.WriteMarkdown(&b, r); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{"| high | a \\| b \\*c\\* &lt;d> | `x.y` |", "- \\[e\\](f)", "**Fix:** g\\_h\\_"} {
		if !strings.Contains(out, want) {
			t.Errorf("%q not in\n%s", want, out)
		}
	}
}

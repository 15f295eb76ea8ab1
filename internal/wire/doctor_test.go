package wire

import (
	"strings"
	"testing"
)

func TestWriteDoctorOneLinePerRow(t *testing.T) {
	rep := &DoctorReport{Failures: 1, Rows: []DoctorRow{
		{Part: "provider bravo workspace", Check: "init", Result: DoctorFail, Detail: "tofu init: exit status 1\nError: Missing name\n  on broken.tf line 1", Fix: "run `lifeboat prepare`"},
		{Part: "dns ns1", Check: "write", Result: DoctorNote, Detail: "write not checked"},
	}}
	var b strings.Builder
	if err := WriteDoctor(&b, rep); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(b.String()), "\n")
	// header, two rows, blank, summary
	if len(lines) != 5 {
		t.Fatalf("want 5 lines, got %d:\n%s", len(lines), b.String())
	}
	if !strings.Contains(lines[1], "FAIL: tofu init: exit status 1 Error: Missing name on broken.tf line 1") || !strings.Contains(lines[1], "lifeboat prepare") {
		t.Fatalf("row: %q", lines[1])
	}
	if !strings.Contains(lines[2], "note: write not checked") || !strings.HasSuffix(strings.TrimSpace(lines[2]), "-") {
		t.Fatalf("row: %q", lines[2])
	}
	if lines[4] != "1 check(s) failed." {
		t.Fatalf("summary: %q", lines[4])
	}
}

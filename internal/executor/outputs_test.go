package executor

import (
	"strings"
	"testing"

	"github.com/lifeboat-dev/lifeboat/internal/journal"
)

// A journaled output that does not decode is an error naming the step, not
// an empty list that would send a resumed run on without addresses.
func TestOutputThatDoesNotDecodeIsAnError(t *testing.T) {
	op := journal.Operation{ID: "00000007", Steps: []journal.Step{
		{ID: "www/bravo/read-outputs", Status: journal.StepOK, Outputs: map[string]string{"addresses": `["192.0.2.1"`}},
	}}
	if _, err := Addresses(op, "www", "bravo"); err == nil || !strings.Contains(err.Error(), "www/bravo/read-outputs") || !strings.Contains(err.Error(), "00000007") {
		t.Fatalf("want an error naming the operation and step, got %v", err)
	}
	op.Steps[0].Outputs["addresses"] = `["192.0.2.1","192.0.2.2"]`
	got, err := Addresses(op, "www", "bravo")
	if err != nil || len(got) != 2 || got[1] != "192.0.2.2" {
		t.Fatalf("Addresses = %v, %v", got, err)
	}
	if got, err := Addresses(op, "www", "charlie"); err != nil || got != nil {
		t.Fatalf("no such step: %v, %v", got, err)
	}
}

package executor

import (
	"encoding/json"
	"fmt"

	"github.com/lifeboat-dev/lifeboat/internal/journal"
	"github.com/lifeboat-dev/lifeboat/planner"
)

// Step outputs are kept in the journal as text; this file is their one
// owner: what each output is called and how it is encoded and decoded.
const (
	outAddresses = "addresses"      // read-outputs: JSON list of host addresses
	outPlan      = "plan"           // target: JSON ServicePlan after a replan
	outRejected  = "rejected"       // target: JSON map provider -> why
	outUpdated   = "updated"        // dns-cutover: comma-separated dns blocks
	outPending   = "pending"        // dns-cutover: comma-separated dns blocks
	outFenced    = "fenced"         // fence: "true" or "false"
	outEnded     = "sessions_ended" // fence: how many sessions were ended
	outWhy       = "reason"         // fence: why it could not fence (redacted)
	outPromoted  = "promoted"       // promote: "true", or "already" (no change)
)

func encodeJSON(v any) string {
	raw, err := json.Marshal(v)
	if err != nil {
		// Only plain strings, maps and plans are encoded here.
		panic(fmt.Sprintf("executor: encode step output: %v", err))
	}
	return string(raw)
}

// decodeOutput decodes a JSON output of a journaled step; one that does not
// decode is an error, never empty data.
func decodeOutput(op *journal.Operation, stepID, name string, v any) (bool, error) {
	raw := op.Outputs(stepID)[name]
	if raw == "" {
		return false, nil
	}
	if err := json.Unmarshal([]byte(raw), v); err != nil {
		return false, fmt.Errorf("operation %s: output %s of step %s does not decode: %w", op.ID, name, stepID, err)
	}
	return true, nil
}

// Addresses returns the host addresses an operation read for a service
// moving to provider, or nil when it read none.
func Addresses(op journal.Operation, service, provider string) ([]string, error) {
	var addrs []string
	_, err := decodeOutput(&op, planner.StepID(service, provider, planner.StepReadOutputs), outAddresses, &addrs)
	return addrs, err
}

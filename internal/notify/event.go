// Package notify delivers lifeboat's events to the configured notify blocks
// (a generic JSON webhook, optionally signed, or a Slack incoming webhook)
// without ever holding up the caller: Send queues, one worker per block
// delivers with retries, and a hanging receiver delays nobody but itself.
package notify

import "time"

// Event names besides the executor's operation.* ones.
const (
	EventDecisionActed    = "decision.acted"
	EventDecisionHeldBack = "decision.held_back"
	EventDrillPassed      = "drill.passed"
	EventDrillFailed      = "drill.failed"
	EventDrillAborted     = "drill.aborted"
	EventProviderState    = "provider.state_changed"
	// EventDataStale: a data block at a provider turned stale or of
	// unknown age (category config.EventData).
	EventDataStale = "data.stale"
)

// Event is one notification. Category is the notify.events name it belongs
// to; a block whose events do not list it never sees the event.
type Event struct {
	// Event is operation.started|succeeded|failed|unfinished|interrupted,
	// decision.acted, decision.held_back, drill.passed|failed|aborted,
	// provider.state_changed or data.stale.
	Event string `json:"event"`
	// Category is failover, failback, drill, provider_state, decision or
	// data.
	Category string    `json:"category"`
	At       time.Time `json:"at"`
	OK       bool      `json:"ok"`
	// Summary is one line for people: Slack's text.
	Summary   string `json:"summary"`
	Service   string `json:"service,omitempty"`
	Provider  string `json:"provider,omitempty"`
	Operation string `json:"operation,omitempty"`
	// Error says what went wrong, already free of secrets.
	Error string `json:"error,omitempty"`
	// Details is the timeline, the drill report or the transition.
	Details any `json:"details,omitempty"`
}

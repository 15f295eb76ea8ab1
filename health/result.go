// Package health watches providers from outside: probers (http, tcp, dns,
// exec, provider_api), a scheduler that runs them in time slots on a fixed
// pool of workers, and a pure per-provider state machine with thresholds,
// quorum and hysteresis. It observes and reports; it never decides a
// failover (the planner does).
package health

import (
	"time"

	"github.com/lifeboat-dev/lifeboat/internal/wire"
)

// Result is what one probe of one check against one target saw.
type Result struct {
	// Service is set when the check belongs to a service rather than to
	// the provider itself.
	Service string `json:"service,omitempty"`
	Check   string `json:"check"`
	Kind    string `json:"kind"`
	// Target is what was probed: a URL, host:port, "server name/type" or a
	// command name; `check "NAME" (url hidden)` for a URL from env() or
	// file(). It has passed ProberOptions.Redact.
	Target string `json:"target"`
	OK     bool   `json:"ok"`
	// Unknown marks a probe that failed for a reason on this node (out of
	// descriptors, no route anywhere): its Reason starts "local fault: ".
	// It is not OK, yet counts neither for nor against the provider.
	Unknown bool `json:"unknown,omitempty"`
	// AccountLost marks a provider API saying the account is gone
	// (401/403, suspended, terminated): a different signal from unreachable.
	AccountLost bool          `json:"account_lost,omitempty"`
	Warning     string        `json:"warning,omitempty"`
	Latency     time.Duration `json:"latency"`
	// Reason says in words what the probe saw, on success as on failure;
	// at most MaxReason bytes.
	Reason string    `json:"reason"`
	At     time.Time `json:"at"`
}

// State is a provider's health as the state machine sees it. It is
// defined with the documents that carry it, so their readers need not
// import the health checks.
type State = wire.State

const (
	StateUnknown     State = "unknown"
	StateHealthy     State = "healthy"
	StateDegraded    State = "degraded"
	StateDown        State = "down"
	StateAccountLost State = "account_lost"
)

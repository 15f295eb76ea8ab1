package config

// Event names a notify block's events may list.
const (
	// EventFailover: a failover (manual or automatic) ended, however it ended.
	EventFailover = "failover"
	// EventFailback: a failback ended.
	EventFailback = "failback"
	// EventDrill: a drill ended, with its report.
	EventDrill = "drill"
	// EventProviderState: a provider's health state changed.
	EventProviderState = "provider_state"
	// EventDecision: the daemon decided to act, or held back, and why.
	EventDecision = "decision"
	// EventData: a service's data at a provider turned stale (older than
	// its rpo) or of unknown age; sent as the event "data.stale".
	EventData = "data"
)

// NotifyEvents are the accepted event names, in the order documented.
var NotifyEvents = []string{EventFailover, EventFailback, EventDrill, EventProviderState, EventDecision, EventData}

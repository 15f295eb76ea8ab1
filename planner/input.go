package planner

import (
	"errors"
	"time"

	"github.com/lifeboat-dev/lifeboat/internal/config"
)

// State is a provider's observed health. The values are the ones the health
// engine reports; the planner keeps its own type so it does not import health.
type State string

const (
	StateUnknown     State = "unknown"
	StateHealthy     State = "healthy"
	StateDegraded    State = "degraded"
	StateDown        State = "down"
	StateAccountLost State = "account_lost"
)

// lost reports whether s means the provider can no longer serve: the states
// an automatic failover moves away from.
func (s State) lost() bool { return s == StateDown || s == StateAccountLost }

// Observation is what health last saw of one hosting or DNS provider.
type Observation struct {
	State State `json:"state"`
	// Reason is health's one-line explanation ("3 of 3 checks failed"); it is
	// quoted in the plan so the operator sees why a provider was rejected.
	Reason string `json:"reason,omitempty"`
	// ControlPlaneOK says the provider's own API answered (its provider_api
	// check passed). A warm or cold standby has no hosts to probe until
	// apply, so this is the evidence that it can take a service.
	ControlPlaneOK bool `json:"control_plane_ok,omitempty"`
	// Serving says, of a DNS provider, that its nameservers answer for the
	// zone, even when it is down because its API does not: it still
	// serves what it holds, and stays in the zone's delegation unless the
	// plan moves a service (its records would then be stale).
	Serving bool `json:"serving,omitempty"`
}

// Kind is what asked for the plan.
type Kind string

const (
	// KindAutomatic is the daemon reacting to lost providers: it moves
	// services off every provider that is down or account_lost.
	KindAutomatic Kind = "automatic"
	// KindManual is an operator's failover: away from From, whatever its
	// state, or (no From) from every provider observed down or
	// account_lost.
	KindManual Kind = "manual"
	// KindFailback moves services back to their first candidate. It is
	// never automatic.
	KindFailback Kind = "failback"
	// KindDrill rehearses the failover of one service: the loss of its
	// current provider is simulated, whatever that provider's state.
	KindDrill Kind = "drill"
)

// Request says what the caller wants planned. Empty strings mean "not given".
type Request struct {
	Kind Kind `json:"kind"`
	// Service limits the plan to one service. It never names a provider
	// to leave: a service on a provider that is not lost stays.
	Service string `json:"service,omitempty"`
	// From names the provider to move away from.
	From string `json:"from,omitempty"`
	// To names the target. Naming it overrides the candidate order and the
	// lost-vendor rule (with a warning), never the health rule. It does not
	// name a provider to leave either.
	To string `json:"to,omitempty"`
	// ZonesOnly plans the zones' delegations alone: no service is listed
	// or moved (the daemon re-delegates without failing services over).
	ZonesOnly bool `json:"zones_only,omitempty"`
	// AcceptDataLoss lets a manual failover or a failback take a target
	// whose data is older than the service's RPO, or of unknown age; the
	// plan names the age accepted. An automatic plan never accepts it.
	AcceptDataLoss bool `json:"accept_data_loss,omitempty"`
}

// DataState is the freshness of a service's data at one provider.
type DataState string

const (
	DataFresh   DataState = "fresh"
	DataStale   DataState = "stale"
	DataUnknown DataState = "unknown"
)

// DataObservation is what lifeboat last measured of a service's data at
// one provider, every data block of the service together: the worst
// state and the largest age of them.
type DataObservation struct {
	State DataState `json:"state"`
	// Age is how old the data there is; meaningful when AgeKnown.
	Age      time.Duration `json:"age_ns,omitempty"`
	AgeKnown bool          `json:"age_known,omitempty"`
	// Reason is the measurement's one-line explanation, quoted in the plan.
	Reason string `json:"reason,omitempty"`
}

// Input is everything the planner looks at. It is read, never modified.
type Input struct {
	Config *config.Config
	// Providers maps hosting provider names to what health saw; a missing
	// entry is StateUnknown.
	Providers map[string]Observation
	// DNS maps dns block names to what health saw; a missing entry is
	// StateUnknown.
	DNS map[string]Observation
	// Placement maps a service to the provider it runs on now. A service
	// with no entry is taken to run on its first candidate, where a first
	// deployment puts it.
	Placement map[string]string
	// Data maps a service, then a provider, to the freshness of the
	// service's data there. A service with data blocks and no entry for a
	// provider has data of unknown age there.
	Data    map[string]map[string]DataObservation
	Request Request
}

// Errors returned by Plan for requests that cannot be planned at all; a
// request that can be planned but not carried out (no viable target, no DNS)
// is a Result that says so, not an error. Callers branch with errors.Is.
var (
	ErrInvalidInput    = errors.New("invalid planner input")
	ErrInvalidRequest  = errors.New("invalid request")
	ErrUnknownService  = errors.New("unknown service")
	ErrUnknownProvider = errors.New("unknown provider")
)

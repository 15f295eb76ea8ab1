package wire

import (
	"time"

	"github.com/lifeboat-dev/lifeboat/planner"
)

// Kind says who asks for an operation and so which rules the plan follows.
type Kind = planner.Kind

// The kinds a caller of the engine asks for.
const (
	KindAutomatic = planner.KindAutomatic
	KindManual    = planner.KindManual
	KindFailback  = planner.KindFailback
	KindDrill     = planner.KindDrill
)

// Plan is the planner's output, as an outcome carries it.
type Plan = planner.Result

// Request is what an operator, the daemon, a drill or the API asks for.
type Request struct {
	Kind    planner.Kind
	Service string
	From    string
	To      string
	// ZonesOnly re-delegates zones and moves no service.
	ZonesOnly bool
	// AcceptDataLoss lets a manual failover or a failback take a target
	// whose data is older than the service's RPO (never automatic).
	AcceptDataLoss bool
}

// Outcome is the result of Run: what was planned and what was done.
type Outcome struct {
	Plan planner.Result `json:"plan"`
	// Executed is set when an operation was started for the plan.
	Executed bool `json:"executed"`
	// Settled is set when nothing had to move: every service concerned is
	// where it should be (an emergency command run twice).
	Settled bool `json:"settled"`
	// AlreadyDone is set on a settled outcome when an earlier operation
	// already moved a service concerned off its first candidate, or off a
	// provider still seen lost: the job was done before.
	AlreadyDone bool `json:"already_done"`
	// Message says in one line why nothing was executed.
	Message string `json:"message,omitempty"`
	// Resumed are the interrupted operations finished first.
	Resumed []OperationReport `json:"resumed,omitempty"`
	// Report is the operation started for the plan.
	Report *OperationReport `json:"report,omitempty"`
	// Evidence lists what the checks saw of each provider treated as lost.
	Evidence []string `json:"evidence,omitempty"`
}

// Phase is where an Event stands in a step.
type Phase string

const (
	PhaseStart   Phase = "start"
	PhaseDone    Phase = "done"
	PhaseFailed  Phase = "failed"
	PhaseSkipped Phase = "skipped"
	PhaseInfo    Phase = "info"
)

// Event is one line of live progress.
type Event struct {
	Time     time.Time        `json:"time"`
	Service  string           `json:"service,omitempty"`
	Provider string           `json:"provider,omitempty"`
	Step     string           `json:"step,omitempty"` // the step's ID, e.g. "www/bravo/apply"
	Kind     planner.StepKind `json:"kind,omitempty"`
	Phase    Phase            `json:"phase"`
	Message  string           `json:"message"`
	Elapsed  time.Duration    `json:"elapsed_ns,omitempty"`
}

// OperationReport is what an operation did.
type OperationReport struct {
	Operation string          `json:"operation"`
	Resumed   bool            `json:"resumed"`
	Started   time.Time       `json:"started"`
	Finished  time.Time       `json:"finished"`
	Services  []ServiceReport `json:"services"`
	Zones     []ZoneReport    `json:"zones,omitempty"`
}

// ZoneReport is the outcome of one zone's re-delegation.
type ZoneReport struct {
	Zone      string   `json:"zone"`
	Registrar string   `json:"registrar"`
	OK        bool     `json:"ok"`
	NS        []string `json:"ns,omitempty"`
	Error     string   `json:"error,omitempty"`
}

// ServiceReport is the outcome for one service.
type ServiceReport struct {
	Service   string   `json:"service"`
	From      string   `json:"from,omitempty"`
	To        string   `json:"to,omitempty"`
	OK        bool     `json:"ok"`
	Addresses []string `json:"addresses,omitempty"`
	// Rejected lists targets tried and abandoned (provider -> why).
	Rejected map[string]string `json:"rejected,omitempty"`
	// DNSFailed lists DNS providers not updated (name -> error).
	DNSFailed map[string]string `json:"dns_failed,omitempty"`
	Error     string            `json:"error,omitempty"`
	// Recovery is the time from the operation's start to DNS serving the
	// new answer.
	Recovery time.Duration `json:"recovery_ns,omitempty"`
	// AcceptedDataLoss is the data loss the request accepted for the
	// target ("up to 5m2s of writes"); empty when none was.
	AcceptedDataLoss string `json:"accepted_data_loss,omitempty"`
}

// Package drill rehearses a failover. A readiness drill changes nothing: it
// proves the credentials, the zones, the standby's plans and checks. A
// canary drill really fails over a drill-only record to the standby, then
// removes it and returns the standby to its prior state. A full drill fails
// the service over and back through the engine's one path.
//
// The package owns small interfaces for what a drill touches (workspaces,
// checks, DNS records, the journal); the engine builds them from the
// configuration, and the tests use fakes.
package drill

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/lifeboat-dev/lifeboat/terraform"
)

// ErrAborted: the drill was stopped before its end (its context was
// cancelled, usually because a real provider was lost). The report says
// what it left changed.
var ErrAborted = errors.New("drill aborted")

// ErrFailed: the drill ran to its end and found a problem; the report's
// failures say which.
var ErrFailed = errors.New("drill failed")

// Mode is how much a drill really changes.
type Mode string

const (
	ModeReadiness Mode = "readiness"
	ModeCanary    Mode = "canary"
	ModeFull      Mode = "full"
)

// Report is what one drill did. It is journaled whatever the outcome.
type Report struct {
	Name     string    `json:"name"`
	Mode     Mode      `json:"mode"`
	Service  string    `json:"service"`
	Target   string    `json:"target,omitempty"`
	Record   string    `json:"record,omitempty"`
	Started  time.Time `json:"started"`
	Finished time.Time `json:"finished"`
	OK       bool      `json:"ok"`
	Steps    []Step    `json:"steps"`
	// RecoveryTime is, for a canary, the time from the start of the
	// standby's apply to the drill record verified at the authoritative
	// servers; for a full drill, the failover operation's start to DNS
	// verified.
	RecoveryTime time.Duration `json:"recovery_ns,omitempty"`
	Failures     []string      `json:"failures,omitempty"`
	// LeftChanged lists what the drill left changed; empty when it
	// restored everything.
	LeftChanged []string `json:"left_changed,omitempty"`
	// Operations are the journal operations the drill ran.
	Operations  []string `json:"operations,omitempty"`
	Aborted     bool     `json:"aborted,omitempty"`
	AbortReason string   `json:"abort_reason,omitempty"`
}

// Step is one thing a drill did.
type Step struct {
	Name    string        `json:"name"`
	Started time.Time     `json:"started"`
	Took    time.Duration `json:"took_ns"`
	OK      bool          `json:"ok"`
	Error   string        `json:"error,omitempty"`
	Detail  string        `json:"detail,omitempty"`
}

// Summary is the report in one line, for the journal and notifications.
func (r Report) Summary() string {
	switch {
	case r.Aborted:
		return fmt.Sprintf("%s drill %q of %s aborted: %s", r.Mode, r.Name, r.Service, r.AbortReason)
	case r.OK:
		return fmt.Sprintf("%s drill %q of %s passed", r.Mode, r.Name, r.Service)
	}
	return fmt.Sprintf("%s drill %q of %s failed: %d problem(s)", r.Mode, r.Name, r.Service, len(r.Failures))
}

// Workspace is what a drill needs of a provider's Terraform workspace;
// *terraform.Workspace has it.
type Workspace interface {
	Plan(ctx context.Context, vars map[string]string, out string) (changes bool, err error)
	Apply(ctx context.Context, vars map[string]string, progress func(terraform.Event)) error
	Destroy(ctx context.Context, vars map[string]string, progress func(terraform.Event)) error
	Addresses(ctx context.Context, output string) ([]string, error)
	Resources(ctx context.Context) ([]string, error)
}

// Checker runs a service's checks once against addresses.
type Checker interface {
	CheckService(ctx context.Context, service string, addrs []string) (ok bool, reason string, err error)
}

// Recorder keeps the drill's report (the journal's event log).
type Recorder interface {
	RecordDrill(ctx context.Context, rep Report) error
}

// Event is one line of progress.
type Event struct {
	Time    time.Time
	Step    string
	Phase   string // "start", "done", "failed", "info"
	Message string
}

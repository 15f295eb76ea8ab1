// Package drill rehearses a failover. A readiness drill changes nothing: it
// proves the credentials, the zones, the standby's plans and checks. A
// canary drill really fails over a drill-only record to the standby, then
// removes it and returns the standby to its prior state. A full drill fails
// the service over and back through the engine's one path. A restore drill
// restores the newest backup into a scratch database, checks it and drops
// it; it moves nothing.
//
// The package owns small interfaces for what a drill touches (workspaces,
// checks, DNS records, the journal); the engine builds them from the
// configuration, and the tests use fakes.
package drill

import (
	"context"
	"errors"
	"time"

	"github.com/lifeboat-dev/lifeboat/internal/wire"
	"github.com/lifeboat-dev/lifeboat/terraform"
)

// ErrAborted: the drill was stopped before its end (its context was
// cancelled, usually because a real provider was lost). The report says
// what it left changed.
var ErrAborted = errors.New("drill aborted")

// ErrFailed: the drill ran to its end and found a problem; the report's
// failures say which.
var ErrFailed = errors.New("drill failed")

// A drill's report is defined with the other documents the CLI, the
// socket and the API exchange.
type (
	Mode   = wire.DrillMode
	Report = wire.DrillReport
	Step   = wire.DrillStep
	// RestoreReport is a restore drill's part of the report.
	RestoreReport = wire.RestoreReport
)

const (
	ModeReadiness = wire.DrillReadiness
	ModeCanary    = wire.DrillCanary
	ModeFull      = wire.DrillFull
	ModeRestore   = wire.DrillRestore
)

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

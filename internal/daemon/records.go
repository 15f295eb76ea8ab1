package daemon

import (
	"context"
	"time"

	"github.com/lifeboat-dev/lifeboat/health"
	"github.com/lifeboat-dev/lifeboat/internal/config"
	"github.com/lifeboat-dev/lifeboat/internal/engine"
	"github.com/lifeboat-dev/lifeboat/internal/journal"
	"github.com/lifeboat-dev/lifeboat/internal/safeguard"
	"github.com/lifeboat-dev/lifeboat/internal/wire"
)

// recorder is the daemon's narrow way into the journal: the decisions and
// the hold switch it records, and the facts it reads back to decide.
// Nothing on the decision path touches the raw journal.
type recorder interface {
	RecordDecision(ctx context.Context, services, operation, summary string, doc any) error
	RecordHold(ctx context.Context, at time.Time, summary string, state any) error
	LastHold(ctx context.Context, state any) (bool, error)
	DecisionRecords(ctx context.Context, limit int) ([]journal.Record, error)
	Unfinished(ctx context.Context) ([]journal.Operation, error)
	Operation(ctx context.Context, id string) (journal.Operation, error)
	PlacedNow(ctx context.Context) (map[string]string, error)
	SafeguardHistory(ctx context.Context) ([]safeguard.Past, error)
}

// operator is the engine as the decision loop uses it: the recorder, and
// the operations it starts and resumes. The engine implements it.
type operator interface {
	recorder
	Config() *config.Config
	SafeguardPolicy() safeguard.Policy
	Run(ctx context.Context, req wire.Request, hooks engine.Hooks) (wire.Outcome, error)
	Resume(ctx context.Context, dropDNS []string, hooks engine.Hooks) ([]wire.OperationReport, error)
	GroupsNow(ctx context.Context) ([]*health.Group, error)
}

// operator is the engine in use, or the one a unit test gave.
func (d *Daemon) operator() operator {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.op != nil {
		return d.op
	}
	return d.eng
}

// records is the operator's recorder.
func (d *Daemon) records() recorder { return d.operator() }

package daemon

import (
	"context"
	"time"

	"github.com/lifeboat-dev/lifeboat/internal/journal"
	"github.com/lifeboat-dev/lifeboat/internal/safeguard"
)

// recorder is the daemon's narrow way into the journal: the decisions and
// the hold switch it records, and the facts it reads back to decide. The
// engine implements it; nothing on the decision path touches the raw
// journal.
type recorder interface {
	RecordDecision(ctx context.Context, services, operation, summary string, doc any) error
	RecordHold(ctx context.Context, at time.Time, summary string, state any) error
	LastHold(ctx context.Context, state any) (bool, error)
	Unfinished(ctx context.Context) ([]journal.Operation, error)
	Operation(ctx context.Context, id string) (journal.Operation, error)
	PlacedNow(ctx context.Context) (map[string]string, error)
	SafeguardHistory(ctx context.Context) ([]safeguard.Past, error)
}

// records is the recorder of the engine in use.
func (d *Daemon) records() recorder {
	eng, _ := d.current()
	return eng
}

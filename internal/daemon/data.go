package daemon

import (
	"context"
	"sync"
	"time"

	"github.com/lifeboat-dev/lifeboat/internal/datafresh"
	"github.com/lifeboat-dev/lifeboat/internal/engine"
	"github.com/lifeboat-dev/lifeboat/internal/notify"
	"github.com/lifeboat-dev/lifeboat/internal/wire"
)

// dataCache is the last round of data and backup measurements, served by
// status, the page and the metrics. Operations measure again: a plan must
// not act on a look up to an interval old.
type dataCache struct {
	mu   sync.Mutex
	view engine.DataView
	rows []wire.DataStatus // the view's rows, for the stale transitions
}

func (c *dataCache) get() engine.DataView {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.view
}

// put keeps v and returns the rows of the round before.
func (c *dataCache) put(v engine.DataView, rows []wire.DataStatus) []wire.DataStatus {
	c.mu.Lock()
	defer c.mu.Unlock()
	prev := c.rows
	c.view, c.rows = v, rows
	return prev
}

// forget drops what was measured (a reload may name other blocks).
func (c *dataCache) forget() {
	c.mu.Lock()
	c.view, c.rows = engine.DataView{}, nil
	c.mu.Unlock()
}

// watchData measures every data block and backup every interval, on its
// own goroutine: a slow database never delays a round of health checks.
// A row that turns stale or of unknown age is announced once (data.stale).
func (d *Daemon) watchData(ctx context.Context, every time.Duration) {
	t := time.NewTimer(0)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		eng, _ := d.current()
		// A round never outlasts its interval by much: each measurement
		// is bounded by policy.timeout, and the round as a whole here.
		rctx, cancel := context.WithTimeout(ctx, max(every, 2*engine.DataTimeout(eng.Cfg)))
		v := eng.MeasureData(rctx, "", datafresh.BackgroundLimit())
		cancel()
		if ctx.Err() != nil {
			return
		}
		rows := eng.DataRows(v)
		prev := d.data.put(v, rows)
		d.metrics.SetData(rows)
		d.metrics.SetBackups(eng.BackupRows(v))
		for _, r := range wire.StaleTransitions(prev, rows) {
			d.log.Warn("data turned "+string(r.State), "service", r.Service, "data", r.Data, "provider", r.Provider, "reason", r.Reason)
			eng.Announce(notify.DataStaleEvent(r))
		}
		t.Reset(every)
	}
}

// Package statuspage renders the daemon's status as one HTML page: providers
// and their checks, where each service runs, DNS, the safeguards, what runs
// now, the last operations with their timelines and the last drills.
//
// The page is rendered on the server and needs no JavaScript and no asset
// from anywhere else, so it works on a phone over a bad link and in a
// browser that blocks scripts. Every name on it comes from the
// configuration and is escaped by html/template.
package statuspage

import (
	"context"
	"github.com/lifeboat-dev/lifeboat/internal/wire"
	"log/slog"
	"net/http"
	"time"
)

// Source is what the page reads; the daemon implements it.
type Source interface {
	Status(ctx context.Context) (*wire.StatusDoc, error)
	History(ctx context.Context, limit int) ([]wire.Operation, error)
	DrillReports(ctx context.Context, limit int) ([]wire.DrillReport, error)
}

// Options tune the page. The zero value is usable.
type Options struct {
	// Refresh is how often the browser reloads the page (default 10s).
	Refresh time.Duration
	// Now is the clock, for tests (default time.Now).
	Now func() time.Time
	// Timeout bounds the reads of one page from the Source (default 10s),
	// so a stuck journal gives a 503 rather than a hanging browser.
	Timeout time.Duration
	// Logger receives the Source's errors, which the page itself does not
	// show (default slog.Default()).
	Logger *slog.Logger
	// DrillMaxAge is the age past which a service's last passed drill is
	// flagged: audit.drill_max_age, so the page and the audit agree
	// (default 30 days, the audit's).
	DrillMaxAge time.Duration
}

// The page shows this many operations and drills; more drill reports are
// read to find each service's last passed drill.
const (
	historyLimit   = 10
	drillsShown    = 10
	drillsRead     = 100
	defaultRefresh = 10 * time.Second
	defaultTimeout = 10 * time.Second
	// defaultDrillMaxAge is the audit's default drill_max_age (config
	// keeps the same value as DefaultDrillMaxAge; a test checks it).
	defaultDrillMaxAge = 30 * 24 * time.Hour
)

// Handler serves the page at "/" for GET and HEAD; any other path it is
// given is 404, any other method 405.
func Handler(src Source, opts Options) http.Handler {
	if opts.Refresh <= 0 {
		opts.Refresh = defaultRefresh
	}
	if opts.DrillMaxAge <= 0 {
		opts.DrillMaxAge = defaultDrillMaxAge
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Timeout <= 0 {
		opts.Timeout = defaultTimeout
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	return &handler{src: src, opts: opts}
}
